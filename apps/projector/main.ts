import 'reflect-metadata';
import { createServer } from 'node:http';
import { ConfigError, loadConfig } from '../../libs/config/config';
import { LIVE_LINGER, Projector } from '../../libs/projection/projector';
import { LEASES, LeaseKeeper, leaseHolder } from '../../libs/read-store/lease-keeper';
import { logLag } from '../../libs/event-store/log-lag';
import { parleyProjections } from '../../projections';
import { ParleyLogger } from '../../libs/logging/logger';
import { createEventStore, createReadStore, withPersonalData } from '../../libs/wiring/stores';

/**
 * The projector as its own process (production profile, or PROJECTOR=external
 * on a shared SQLite file): follows the log, builds the read models, reports
 * its lag on GET /health, and on SIGTERM finishes its batch and stops.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = new ParleyLogger(config);
  const store = withPersonalData(config, createEventStore(config));
  const readStore = createReadStore(config);
  const projector = new Projector(store, readStore, parleyProjections, {
    lease: new LeaseKeeper(readStore, LEASES.projector, leaseHolder(), {
      ttlMs: config.leaseTtlMs,
      log: (msg, fields) => logger.log({ msg, ...fields }, 'projector'),
    }),
    batchSize: 5000,
    linger: LIVE_LINGER,
    logger: {
      log: (msg, fields) => logger.log({ msg, ...fields }, 'projector'),
      error: (msg, fields) => logger.error({ msg, ...fields }, undefined, 'projector'),
    },
  });
  const port = Number(process.env['PROJECTOR_PORT'] ?? 3001);
  const server = createServer((request, response) => {
    void (async () => {
      if (request.url !== '/health') {
        response.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({ statusCode: 404, code: 'ROUTE.NOT_FOUND', message: 'Only GET /health is served here' }),
        );
        return;
      }
      const head = await store.headPosition().catch(() => undefined);
      if (head === undefined) {
        response.writeHead(503, { 'content-type': 'application/json' }).end(
          JSON.stringify({ status: 'unavailable', down: ['eventStore'], position: projector.position()?.toString() ?? null }),
        );
        return;
      }
      const position = projector.position();
      const lag = await logLag(store, position).catch(() => null);
      const projections = projector.status();
      const failed = projections.flatMap((p) => (p.failure ? [{ projection: p.name, ...p.failure }] : []));
      response.writeHead(failed.length > 0 ? 503 : 200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: failed.length > 0 ? 'degraded' : 'ok',
          // standby: another projector holds the lease; this one writes nothing until it takes it.
          lease: projector.holdsLease() ? 'held' : 'standby',
          head: head?.toString() ?? null,
          position: position?.toString() ?? null,
          behindBy: lag?.events == null ? null : String(lag.events),
          secondsBehind: lag?.secondsBehind ?? null,
          projections,
          ...(failed.length > 0 ? { failed } : {}),
        }),
      );
    })();
  });
  // Health answers while the stores are still being reached, so an orchestrator sees why it waits.
  server.listen(port, config.host);
  await projector.start();
  logger.log({ msg: `Parley projector running; lag on http://${config.host}:${port}/health` }, 'projector');
  const stop = async (signal: string) => {
    logger.log({ msg: `${signal}: finishing the current batch` }, 'projector');
    server.close();
    await projector.stop();
    await store.close();
    await readStore.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`parley projector: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`parley projector: ${String(error)}\n`);
  process.exit(1);
});

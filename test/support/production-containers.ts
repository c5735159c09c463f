import { openMongo } from '../../libs/mongo/mongo-connection';

/*
 * The production profile's servers for tests, through testcontainers where a
 * container runtime exists (test/global-setup.ts probes once and sets
 * PARLEY_CONTAINER_RUNTIME). Suites that need them skip with one line
 * elsewhere: `containersOrSkip`.
 */

export interface StartedServer {
  /** `esdb://…?tls=false` or `mongodb://…/?directConnection=true`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Whether the servers can run here; says why not, once, for `what`. */
export function containersOrSkip(what: string): boolean {
  const runtime = process.env['PARLEY_CONTAINER_RUNTIME'] === 'yes';
  if (!runtime) console.log(`[parley] ${what} skipped: no container runtime (${process.env['PARLEY_CONTAINER_RUNTIME_REASON'] || 'not probed'})`);
  return runtime;
}

/** EventStoreDB 24.10, in memory, insecure on the test host only; system projections on request. */
export async function startEventStoreDb(options: { readonly systemProjections?: boolean } = {}): Promise<StartedServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('eventstore/eventstore:24.10')
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_RUN_PROJECTIONS: options.systemProjections ? 'System' : 'None',
      ...(options.systemProjections ? { EVENTSTORE_START_STANDARD_PROJECTIONS: 'true' } : {}),
      EVENTSTORE_CLUSTER_SIZE: '1',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
    .withStartupTimeout(120_000)
    .start();
  return { url: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`, stop: async () => void (await container.stop()) };
}

/** MongoDB 7 as a single-node replica set, as in docker-compose.yml (commits are transactions), with a primary elected. */
export async function startMongoReplicaSet(): Promise<StartedServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('mongo:7')
    .withCommand(['--replSet', 'rs0', '--bind_ip_all'])
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .withStartupTimeout(120_000)
    .start();
  const init = await container.exec(['mongosh', '--quiet', '--eval', 'rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "localhost:27017" }] })']);
  if (init.exitCode !== 0) throw new Error(`rs.initiate failed: ${init.output}`);
  const url = `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`;
  const mongo = openMongo({ url, store: 'MongoDB (test setup)', appName: 'parley-test-setup' });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const hello = await mongo.client.db('admin').command({ hello: 1 });
      if (hello['isWritablePrimary'] === true) break;
      if (Date.now() > deadline) throw new Error('the replica set elected no primary');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await mongo.close();
  }
  return { url, stop: async () => void (await container.stop()) };
}

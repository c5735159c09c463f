import { parentPort, workerData } from 'node:worker_threads';
import type { Position } from '../../../libs/event-store/event-store.port';
import { SqliteEventStore } from '../../../libs/event-store/sqlite-event-store';
import type { KeyStore } from '../../../libs/personal-data/key-store.port';
import { PersonalDataEventStore } from '../../../libs/personal-data/personal-data-event-store';
import { SqliteKeyStore } from '../../../libs/personal-data/sqlite-key-store';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import { LIVE_LINGER, Projector } from '../../../libs/projection/projector';
import { LEASES, LeaseKeeper, leaseHolder } from '../../../libs/read-store/lease-keeper';
import { SqliteReadStore } from '../../../libs/read-store/sqlite-read-store';
import { toThreadError } from '../../../libs/threads/start-worker';
import { parleyProjections } from '../../../projections';
import type { ProjectorProgress, ProjectorReply, ProjectorRequest, ProjectorThreadData } from './projector-thread.protocol';

/*
 * The embedded profile's projector on a thread of its own: it reads the event
 * log through its own connection, writes the read models through its own, and
 * tells the API thread each checkpoint it passed, so X-Min-Position waits work
 * across the boundary.
 */

const port = parentPort;
if (port === null) throw new Error('projector.worker runs as a worker thread only');
const data = workerData as ProjectorThreadData;
// A Buffer arrives as a plain Uint8Array.
const config = { ...data, personalDataKey: Buffer.from(data.personalDataKey) };
const reply = (message: ProjectorReply): void => port.postMessage(message);

if (config.eventStore.kind !== 'sqlite' || config.readStore.kind !== 'sqlite') {
  throw new Error('the projector thread needs SQLite files for the event and read stores');
}
// Only the SQLite adapters are loaded here: the networked drivers would cost every start seconds.
const raw = new SqliteEventStore({ file: config.eventStore.file, synchronous: config.sqliteSynchronous });
const keyStore: KeyStore =
  config.keyStore.kind === 'sqlite'
    ? new SqliteKeyStore({ file: config.keyStore.file })
    : // eslint-disable-next-line @typescript-eslint/no-require-imports -- a rare setup (keys in MongoDB) pays for its driver alone
      (require('../../../libs/wiring/stores') as typeof import('../../../libs/wiring/stores')).createKeyStore(config);
const store = new PersonalDataEventStore(raw, new PersonalDataVault(keyStore, config.personalDataKey), {
  warn: (message, fields) => reply({ kind: 'log', level: 'error', message, fields }),
});
const readStore = new SqliteReadStore({ file: config.readStore.file });
const projector = new Projector(store, readStore, parleyProjections, {
  batchSize: data.batchSize,
  linger: LIVE_LINGER,
  lease: new LeaseKeeper(readStore, LEASES.projector, leaseHolder(), {
    ttlMs: data.leaseTtlMs,
    log: (message, fields) => reply({ kind: 'log', level: 'log', message, fields }),
  }),
  logger: {
    log: (message, fields) => reply({ kind: 'log', level: 'log', message, fields }),
    error: (message, fields) => reply({ kind: 'log', level: 'error', message, fields }),
  },
});
let stopping = false;

function progress(): ProjectorProgress {
  const lag = projector.lag();
  return { position: lag.position, lastEventAt: lag.lastEventAt, status: projector.status() };
}

/** Reports each checkpoint the projector passes; waits on the projector's own progress, not a timer. */
async function report(): Promise<void> {
  let last: Position | null = projector.position();
  while (!stopping) {
    const reached = await projector.waitFor(last === null ? 1n : last + 1n, 60_000);
    if (stopping) return;
    if (!reached) continue;
    last = projector.position();
    reply({ kind: 'progress', progress: progress() });
  }
}

port.on('message', (request: ProjectorRequest) => {
  switch (request.kind) {
    case 'committed':
      // The API's writer thread committed: read on now rather than at the next poll.
      raw.signalCommit();
      return;
    case 'stop':
      stopping = true;
      void (async () => {
        await projector.stop();
        await store.close();
        await readStore.close();
        reply({ kind: 'stopped' });
        port.close();
      })();
      return;
    default: {
      const unknown: never = request;
      throw new Error(`unknown projector request ${JSON.stringify(unknown)}`);
    }
  }
});

projector.start().then(
  () => {
    reply({ kind: 'started', progress: progress() });
    void report();
  },
  (error: unknown) => {
    reply({ kind: 'failed', error: toThreadError(error) });
    port.close();
  },
);

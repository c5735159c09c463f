import { parentPort, workerData } from 'node:worker_threads';
import { toThreadError } from '../threads/start-worker';
import { SqliteReadStore, type SqliteReadStoreOptions } from './sqlite-read-store';
import { READ_STORE_CALLS, type ReadStoreCall, type ReadStoreReply, type ReadStoreRequest } from './threaded-read-store.protocol';

/*
 * The thread of a ThreadedSqliteReadStore: owns the SQLite connection, so its
 * commits, and the write-ahead log's checkpoints with their fsync, never hold
 * the API's event loop. Calls are answered in the order they came.
 */

const port = parentPort;
if (port === null) throw new Error('sqlite-read-store.worker runs as a worker thread only');
const store = new SqliteReadStore(workerData as SqliteReadStoreOptions);
const calls = new Set<string>(READ_STORE_CALLS);

port.on('message', (request: ReadStoreRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});

async function answer({ id, method, args }: ReadStoreRequest): Promise<ReadStoreReply> {
  try {
    if (!calls.has(method)) throw new TypeError(`not a read store call: ${method}`);
    const call = store[method as ReadStoreCall] as (...args: unknown[]) => Promise<unknown>;
    const result = await call.apply(store, [...args]);
    return { id, ok: true, result };
  } catch (error) {
    return { id, ok: false, error: toThreadError(error) };
  }
}

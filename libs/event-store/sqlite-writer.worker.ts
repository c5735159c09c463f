import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from './sqlite-event-store';
import type { WriterOptions, WriterReply, WriterRequest } from './sqlite-writer.protocol';
import { toThreadError } from '../threads/start-worker';

/*
 * The SQLite writer thread: owns the event log's write connection, so group
 * commit and its fsync never hold the API's event loop. It runs the adapter's
 * own append code (SqliteEventStore); an answer leaves only after its commit.
 */

const port = parentPort;
if (port === null) throw new Error('sqlite-writer.worker runs as a worker thread only');
const options = workerData as WriterOptions;
const store = new SqliteEventStore({ file: options.file, synchronous: options.synchronous });

const reply = (message: WriterReply): void => port.postMessage(message);
reply({ kind: 'ready' });
port.on('message', (request: WriterRequest) => {
  switch (request.kind) {
    case 'append':
      store.appendPrepared(request.streamId, request.events, request.expected).then(
        (result) =>
          reply({
            kind: 'appended',
            id: request.id,
            nextRevision: result.nextRevision,
            position: result.position,
            positions: result.positions ?? [result.position],
          }),
        (error: unknown) => reply({ kind: 'failed', id: request.id, error: toThreadError(error) }),
      );
      return;
    case 'import':
      store.importEvents(request.events).then(
        (outcome) => reply({ kind: 'imported', id: request.id, outcome }),
        (error: unknown) => reply({ kind: 'failed', id: request.id, error: toThreadError(error) }),
      );
      return;
    case 'close':
      // Commits what was accepted, then lets the thread end.
      void store.close().then(() => {
        reply({ kind: 'closed' });
        port.close();
      });
      return;
    default: {
      const unknown: never = request;
      throw new Error(`unknown writer request ${JSON.stringify(unknown)}`);
    }
  }
});

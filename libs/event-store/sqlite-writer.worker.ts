import { parentPort, workerData } from 'node:worker_threads';
import type { Position, StoredEvent } from './event-store.port';
import type { PreparedEvent } from './memory-event-store';
import { SqliteEventStore } from './sqlite-event-store';
import type { AppendedEvent, WriterOptions, WriterReply, WriterRequest } from './sqlite-writer.protocol';
import { toThreadError } from '../threads/start-worker';

/*
 * The SQLite writer thread: owns the event log's write connection, so group
 * commit and its fsync never hold the API's event loop. It runs the adapter's
 * own append code (SqliteEventStore); an answer leaves only after its commit.
 */

const INSERTED = Symbol('inserted');

/** Answers inserted events without their payloads: the API thread holds them already. */
class WriterStore extends SqliteEventStore {
  protected override inserted(streamId: string, revision: number, position: Position, event: PreparedEvent): StoredEvent {
    return { [INSERTED]: true, id: event.id, streamId, revision, position } as unknown as StoredEvent;
  }
}

const port = parentPort;
if (port === null) throw new Error('sqlite-writer.worker runs as a worker thread only');
const options = workerData as WriterOptions;
const store = new WriterStore({ file: options.file, synchronous: options.synchronous });

const reply = (message: WriterReply): void => port.postMessage(message);
reply({ kind: 'ready' });
const appended = (event: StoredEvent): AppendedEvent =>
  (event as unknown as Record<symbol, unknown>)[INSERTED] === true
    ? { revision: event.revision, position: event.position }
    : { original: event };

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
            events: result.events.map(appended),
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

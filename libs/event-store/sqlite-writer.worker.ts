import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from './sqlite-event-store';
import type { AppendAnswer, WriterOptions, WriterReply, WriterRequest } from './sqlite-writer.protocol';
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
/** Answers not yet sent; the thread ends only after them. */
const unanswered = new Set<Promise<void>>();
const answering = (answer: Promise<void>): void => {
  unanswered.add(answer);
  void answer.finally(() => unanswered.delete(answer));
};
reply({ kind: 'ready' });
port.on('message', (request: WriterRequest) => {
  switch (request.kind) {
    case 'appends':
      // All of one message's appends join the same group commit, so they settle together: one answer.
      answering(Promise.all(
        request.appends.map(({ id, streamId, events, expected }) =>
          store.appendPrepared(streamId, events, expected).then(
            (result): AppendAnswer => ({
              id,
              ok: true,
              nextRevision: result.nextRevision,
              position: result.position,
              positions: result.positions ?? [result.position],
            }),
            (error: unknown): AppendAnswer => ({ id, ok: false, error: toThreadError(error) }),
          ),
        ),
      ).then((answers) => reply({ kind: 'committed', answers })));
      return;
    case 'import':
      store.importEvents(request.events).then(
        (outcome) => reply({ kind: 'imported', id: request.id, outcome }),
        (error: unknown) => reply({ kind: 'failed', id: request.id, error: toThreadError(error) }),
      );
      return;
    case 'close':
      // Commits what was accepted, then lets the thread end.
      void store.close().then(async () => {
        await Promise.all(unanswered);
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

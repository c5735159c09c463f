import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../event-store/sqlite-event-store';
import { toThreadError } from '../threads/start-worker';
import { IMPORT_CONNECTION, type ImportFileJob, type ImportFileMessage } from './import-file-thread';
import { fileLines, importLog } from './log-transfer';

/*
 * The thread of importFileOnThread: reads, proves and writes an export into
 * a SQLite event log through a connection of its own, while the thread that
 * started it rebuilds the read models from what is already written.
 */

const port = parentPort;
if (port === null) throw new Error('import-file.worker runs as a worker thread only');
const job = workerData as ImportFileJob;
const send = (message: ImportFileMessage) => port.postMessage(message);

void (async () => {
  const store = new SqliteEventStore({ file: job.eventFile, synchronous: job.synchronous, ...IMPORT_CONNECTION });
  try {
    const result = await importLog(store, () => fileLines(job.file), {
      batchSize: job.batchSize,
      onVerified: () => send({ kind: 'verified' }),
      onProgress: (position, done) => send({ kind: 'progress', position, done }),
    });
    send({ kind: 'done', result });
  } catch (error) {
    send({ kind: 'failed', error: toThreadError(error) });
  } finally {
    await store.close();
  }
})();

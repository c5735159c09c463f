import type { Position } from '../event-store/event-store.port';
import { startWorker, type ThreadError } from '../threads/start-worker';
import type { ImportLogResult } from './log-transfer';

/** What the import thread is asked to do. */
export interface ImportFileJob {
  /** The SQLite event log the export goes into. */
  readonly eventFile: string;
  readonly synchronous: 'full' | 'normal';
  /** The export (NDJSON, `.gz` gunzipped). */
  readonly file: string;
  readonly batchSize: number;
}

/**
 * The import connection's tuning: a 128 MiB page cache for the random inserts
 * into the id index (an import of 1,000,000 events alone: 53.6 s -> 46.0 s),
 * and a write-ahead log of up to 16,384 pages (64 MiB) before a checkpoint, so
 * that the index pages every commit rewrites are copied into the file once
 * per checkpoint rather than once per commit (import + rebuild of 1,000,001
 * events: 92.5 s -> 86.3 s).
 */
export const IMPORT_CONNECTION = { cacheMiB: 128, walAutocheckpointPages: 16_384 } as const;

export type ImportFileMessage =
  | { readonly kind: 'verified' }
  | { readonly kind: 'progress'; readonly position: Position; readonly done: number }
  | { readonly kind: 'done'; readonly result: ImportLogResult }
  | { readonly kind: 'failed'; readonly error: ThreadError };

export interface ImportHooks {
  /** Called once the whole file is proven, before the first write; not for a refused file. */
  readonly onVerified?: () => void;
  readonly onProgress?: (position: Position, done: number) => void;
}

/**
 * `importLog` of a file into a SQLite event log, on a thread of its own with a
 * connection of its own (import-file.worker): the reading, the hash chain and
 * the inserts of an import of 1,000,000 events take a core for most of a
 * minute, which the calling thread spends rebuilding the read models
 * (importRebuilding). Same result and errors as importLog in this thread;
 * an error keeps its class name, message and fields.
 */
export function importFileOnThread(job: ImportFileJob, hooks: ImportHooks = {}): Promise<ImportLogResult> {
  return new Promise((resolve, reject) => {
    const thread = startWorker(__dirname, 'import-file.worker', job);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    thread.on('message', (message: ImportFileMessage) => {
      switch (message.kind) {
        case 'verified':
          hooks.onVerified?.();
          break;
        case 'progress':
          hooks.onProgress?.(message.position, message.done);
          break;
        case 'done':
          settle(() => resolve(message.result));
          break;
        case 'failed':
          settle(() => reject(Object.assign(new Error(message.error.message), message.error.fields, { name: message.error.name })));
          break;
      }
    });
    thread.on('error', (error) => settle(() => reject(new Error(`the import's thread failed: ${error.message}`))));
    thread.once('exit', (code) => settle(() => reject(new Error(`the import's thread exited (code ${code}) before it ended`))));
  });
}

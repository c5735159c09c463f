import type { Worker } from 'node:worker_threads';
import { startWorker, type ThreadError } from '../threads/start-worker';
import {
  FencedOutError,
  ReadStoreBusyError,
  type Checkpoint,
  type CollectionSpec,
  type Doc,
  type Fence,
  type Filter,
  type FindOptions,
  type Lease,
  type ReadStore,
  type WriteOp,
} from './read-store.port';
import type { SqliteReadStoreOptions } from './sqlite-read-store';
import type { ReadStoreCall, ReadStoreReply, ReadStoreRequest } from './threaded-read-store.protocol';

interface Waiting {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Rebuilds on the caller's side an error the thread sent, keeping the classes callers test for. */
function fromThreadError(error: ThreadError): Error {
  const fields = error.fields;
  let rebuilt: Error;
  switch (error.name) {
    case 'FencedOutError':
      rebuilt = new FencedOutError(fields['fence'] as Fence, fields['current'] as number | null);
      break;
    case 'ReadStoreBusyError':
      rebuilt = new ReadStoreBusyError(error.message);
      break;
    case 'TypeError':
      rebuilt = new TypeError(error.message);
      break;
    default:
      rebuilt = Object.assign(new Error(error.message), fields);
      rebuilt.name = error.name;
  }
  rebuilt.message = error.message;
  return rebuilt;
}

/**
 * A SQLite read store whose connection lives in a worker thread
 * (sqlite-read-store.worker): for a SQLite file the API's own thread writes,
 * where a commit would otherwise block the event loop, for its write lock and
 * for the fsync of the write-ahead log's checkpoints. Every call is a message
 * and its answer; the store behaves as SqliteReadStore does (same conformance
 * suite). An idle thread does not keep the process alive.
 */
export class ThreadedSqliteReadStore implements ReadStore {
  private readonly thread: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private failure: Error | null = null;
  private closed = false;

  constructor(options: SqliteReadStoreOptions) {
    if (options.file === ':memory:') throw new TypeError('ThreadedSqliteReadStore needs a file: an in-memory database belongs to one thread');
    this.thread = startWorker(__dirname, 'sqlite-read-store.worker', options);
    this.thread.on('message', (reply: ReadStoreReply) => {
      const waiting = this.take(reply.id);
      if (waiting === undefined) return;
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(fromThreadError(reply.error));
    });
    this.thread.on('error', (error) => this.fail(new Error(`the read store's thread failed: ${error.message}`)));
    this.thread.once('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the read store's thread exited (code ${code})`));
    });
    this.thread.unref();
  }

  ensureCollections(specs: readonly CollectionSpec[]): Promise<void> {
    return this.call('ensureCollections', [specs]);
  }

  get(collection: string, id: string): Promise<Doc | null> {
    return this.call('get', [collection, id]);
  }

  getMany(collection: string, ids: readonly string[]): Promise<Doc[]> {
    return this.call('getMany', [collection, ids]);
  }

  find(collection: string, options?: FindOptions): Promise<Doc[]> {
    return this.call('find', options === undefined ? [collection] : [collection, options]);
  }

  count(collection: string, filter?: Filter): Promise<number> {
    return this.call('count', filter === undefined ? [collection] : [collection, filter]);
  }

  commit(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[], fence?: Fence): Promise<void> {
    return this.call('commit', fence === undefined ? [ops, checkpoints] : [ops, checkpoints, fence]);
  }

  insertAbsent(collection: string, docs: readonly Doc[]): Promise<string[]> {
    return this.call('insertAbsent', [collection, docs]);
  }

  getCheckpoint(name: string): Promise<string | null> {
    return this.call('getCheckpoint', [name]);
  }

  reset(collections: readonly string[], checkpointNames: readonly string[], fence?: Fence): Promise<void> {
    return this.call('reset', fence === undefined ? [collections, checkpointNames] : [collections, checkpointNames, fence]);
  }

  acquireLease(name: string, holder: string, ttlMs: number, now?: number): Promise<Lease | null> {
    return this.call('acquireLease', now === undefined ? [name, holder, ttlMs] : [name, holder, ttlMs, now]);
  }

  releaseLease(name: string, holder: string, token: number): Promise<void> {
    return this.call('releaseLease', [name, holder, token]);
  }

  getLease(name: string): Promise<Lease | null> {
    return this.call('getLease', [name]);
  }

  purgeFreed(): Promise<void> {
    return this.call('purgeFreed', []);
  }

  dropSecondaryIndexes(collections: readonly string[]): Promise<void> {
    return this.call('dropSecondaryIndexes', [collections]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === null) await this.call('close', []);
    this.closed = true;
    await this.thread.terminate();
  }

  private call<T>(method: ReadStoreCall, args: readonly unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The read store is closed'));
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // Referenced while an answer is awaited, so none is lost to an exiting process.
      if (this.waiting.size === 1) this.thread.ref();
      const request: ReadStoreRequest = { id, method, args };
      this.thread.postMessage(request);
    });
  }

  private take(id: number): Waiting | undefined {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return undefined;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.thread.unref();
    return waiting;
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}

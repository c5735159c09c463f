import type { Worker } from 'node:worker_threads';
import { StoreUnavailableError, type MonitoredStore, type StoreStatus } from '../config/store-connection';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type PositionCheck,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from './event-store.port';
import { ImportConflictError, type EventImporter, type ImportOutcome } from './import-events';
import type { LogIndex } from './log-index';
import { prepareAppend, storeClosedError } from './memory-event-store';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
import type { AppendAnswer, AppendRequest, WriterOptions, WriterReply, WriterRequest } from './sqlite-writer.protocol';
import { startWorker, type ThreadError } from '../threads/start-worker';

const STORE_NAME = 'SQLite event writer';

interface Waiting {
  readonly resolve: (reply: AppendAnswer | WriterReply) => void;
  readonly reject: (error: unknown) => void;
}

/** Rebuilds on the API's side an error the writer thread sent, keeping its class and own fields. */
export function fromThreadError(error: ThreadError): Error {
  const fields = error.fields;
  let rebuilt: Error;
  switch (error.name) {
    case 'WrongExpectedRevisionError':
      rebuilt = new WrongExpectedRevisionError(
        fields['streamId'] as string,
        fields['expected'] as ExpectedRevision,
        fields['actual'] as number | 'no_stream',
      );
      break;
    case 'DuplicateEventIdError':
      rebuilt = new DuplicateEventIdError(fields['streamId'] as string, fields['eventId'] as string);
      break;
    case 'ImportConflictError':
      rebuilt = new ImportConflictError(fields['eventId'] as string, fields['position'] as Position, '');
      break;
    case 'TypeError':
      rebuilt = new TypeError(error.message);
      break;
    default:
      // Own fields such as a driver's `code` (SQLITE_FULL) travel too: the HTTP layer maps by them.
      rebuilt = Object.assign(new Error(error.message), error.fields);
      rebuilt.name = error.name;
  }
  rebuilt.message = error.message;
  return rebuilt;
}

/**
 * The embedded event store with its writer off the API's event loop. A worker
 * thread owns the write connection and runs SqliteEventStore's group commit
 * there; this thread serialises each append, sends it, and resolves it when
 * the writer answers, which it does only after the commit (a 2xx means
 * durable). The appends of one turn of this thread's event loop leave in one
 * message, and the writer answers them in one message after their commit:
 * under load the API pays a message per turn, not per append, and the
 * subscriptions and the projector are woken once per commit. Reads,
 * subscriptions and the live log use this thread's own connection: WAL lets
 * it read while the writer commits, and each answer wakes the subscriptions
 * at once. Expected revisions are checked by the writer inside its
 * transaction, as before.
 *
 * If the writer thread dies, appends fail with StoreUnavailableError (HTTP
 * 503) instead of waiting, and /health reports the writer down.
 */
export class ThreadedSqliteEventStore implements EventStore, EventImporter, MonitoredStore, LogIndex {
  readonly answersEachPosition = true;
  private readonly reader: SqliteEventStore;
  /** The writer thread; tests end it to see a crash answered. */
  readonly writer: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextRequest = 1;
  /** Appends of this turn of the event loop, sent together at its end (see sendAppends). */
  private outbox: AppendRequest[] = [];
  private sendScheduled = false;
  private failure: string | null = null;
  private failedAt: string | null = null;
  private readonly startedAt = new Date().toISOString();
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private readonly started: Promise<void>;

  constructor(private readonly options: SqliteEventStoreOptions) {
    if (options.file === ':memory:') throw new TypeError('ThreadedSqliteEventStore needs a file: threads cannot share :memory:');
    // Opened first: it creates the file, WAL mode and the schema the writer then finds.
    this.reader = new SqliteEventStore(options);
    const writerOptions: WriterOptions = { file: options.file, synchronous: options.synchronous ?? 'full' };
    this.writer = startWorker(__dirname, 'sqlite-writer.worker', writerOptions);
    this.exited = new Promise((resolve) => {
      this.writer.once('exit', (code) => {
        if (!this.closed) this.fail(`the writer thread exited (code ${code})`);
        resolve();
      });
    });
    this.started = new Promise((resolve) => {
      const onReady = (reply: WriterReply) => {
        if (reply.kind !== 'ready') return;
        this.writer.off('message', onReady);
        resolve();
      };
      this.writer.on('message', onReady);
      void this.exited.then(resolve);
    });
    this.writer.on('message', (reply: WriterReply) => this.answer(reply));
    // An idle writer must not keep the process alive (an app a test forgot to close, a script
    // that is done); it is referenced while an answer is awaited, so no acknowledgement is lost.
    this.writer.unref();
    this.writer.on('error', (error) => this.fail(`the writer thread failed: ${error.message}`));
  }

  /** Resolves once the writer thread has opened the file, or has failed (then appends say why). */
  async ready(): Promise<void> {
    this.writer.ref();
    await this.started.finally(() => {
      if (this.waiting.size === 0 && !this.closed) this.writer.unref();
    });
    if (this.failure !== null) throw this.unavailable();
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertWritable();
    const prepared = prepareAppend(streamId, events, expected, new Date().toISOString());
    const answer = await new Promise<AppendAnswer | WriterReply>((resolve, reject) => {
      const id = this.await({ resolve, reject });
      this.outbox.push({ id, streamId, events: prepared, expected });
      if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(this.sendAppends);
      }
    });
    if (!('ok' in answer) || !answer.ok) throw new Error('the writer answered an append with something else');
    return { nextRevision: answer.nextRevision, position: answer.position, positions: answer.positions };
  }

  /** Restores exported events through the writer, in one transaction per call. */
  async importEvents(events: readonly StoredEvent[]): Promise<ImportOutcome> {
    this.assertWritable();
    const reply = await this.request((id) => ({ kind: 'import', id, events }));
    if (reply.kind !== 'imported') throw new Error(`the writer answered an import with ${reply.kind}`);
    if (reply.outcome.imported > 0) this.reader.signalCommit();
    return reply.outcome;
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.reader.readStream(streamId, options);
  }

  streamRevision(streamId: string): Promise<number | null> {
    return this.reader.streamRevision(streamId);
  }


  readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return this.reader.readAll(options);
  }

  headPosition(): Promise<Position | null> {
    return this.reader.headPosition();
  }

  checkPosition(position: Position): Promise<PositionCheck> {
    return this.reader.checkPosition(position);
  }

  countAfter(after: Position | undefined): Promise<number> {
    return this.reader.countAfter(after);
  }

  positionsOfType(type: string, after: Position, to: Position, maxCount: number): Promise<Position[]> {
    return this.reader.positionsOfType(type, after, to, maxCount);
  }

  positionsInStreams(prefix: string, after: Position, to: Position, maxCount: number): Promise<Position[] | null> {
    return this.reader.positionsInStreams(prefix, after, to, maxCount);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.reader.subscribe(options);
  }

  /** Calls `listener` after each commit of the writer thread; returns the unregistration. */
  onCommit(listener: () => void): () => void {
    return this.reader.onCommit(listener);
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  connectionStatus(): StoreStatus {
    return {
      store: STORE_NAME,
      url: `sqlite:${this.options.file}`,
      state: this.closed ? 'closed' : this.failure === null ? 'up' : 'down',
      since: this.failedAt ?? this.startedAt,
      error: this.failure,
    };
  }

  /** Lets the writer commit what it accepted, ends the thread, then closes the reading connection. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      this.closing = (async () => {
        this.writer.ref();
        // Appends accepted before close go first: the writer commits them, then ends.
        this.sendAppends();
        if (this.failure === null) this.writer.postMessage({ kind: 'close' } satisfies WriterRequest);
        await this.exited;
        this.rejectWaiting(storeClosedError('ThreadedSqliteEventStore'));
        await this.reader.close();
      })();
    }
    return this.closing;
  }

  private request(build: (id: number) => WriterRequest): Promise<WriterReply> {
    return new Promise<AppendAnswer | WriterReply>((resolve, reject) => {
      const id = this.await({ resolve, reject });
      this.writer.postMessage(build(id));
    }) as Promise<WriterReply>;
  }

  /** Registers an answer awaited from the writer; the thread is referenced while any is. */
  private await(waiting: Waiting): number {
    const id = this.nextRequest++;
    if (this.waiting.size === 0) this.writer.ref();
    this.waiting.set(id, waiting);
    return id;
  }

  private readonly sendAppends = (): void => {
    this.sendScheduled = false;
    if (this.outbox.length === 0) return;
    const appends = this.outbox;
    this.outbox = [];
    // After a failure the waiting appends were rejected already; nothing is sent to a dead thread.
    if (this.failure !== null) return;
    this.writer.postMessage({ kind: 'appends', appends } satisfies WriterRequest);
  };

  private answer(reply: WriterReply): void {
    switch (reply.kind) {
      case 'closed':
      case 'ready':
        return;
      case 'committed': {
        let wrote = false;
        for (const answer of reply.answers) {
          const waiting = this.take(answer.id);
          if (waiting === undefined) continue;
          if (answer.ok) {
            wrote = true;
            waiting.resolve(answer);
          } else {
            waiting.reject(fromThreadError(answer.error));
          }
        }
        // One wake-up per commit for the subscriptions and the projector, not one per append.
        if (wrote) this.reader.signalCommit();
        return;
      }
      case 'failed':
        this.take(reply.id)?.reject(fromThreadError(reply.error));
        return;
      case 'imported':
        this.take(reply.id)?.resolve(reply);
        return;
      default: {
        const unknown: never = reply;
        throw new Error(`unknown writer reply ${JSON.stringify(unknown)}`);
      }
    }
  }

  private take(id: number): Waiting | undefined {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return undefined;
    this.waiting.delete(id);
    if (this.waiting.size === 0 && !this.closed) this.writer.unref();
    return waiting;
  }

  private fail(reason: string): void {
    if (this.failure !== null) return;
    this.failure = reason;
    this.failedAt = new Date().toISOString();
    this.outbox = [];
    // Whether these committed is unknown: none may be acknowledged as durable.
    this.rejectWaiting(this.unavailable());
  }

  private rejectWaiting(error: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const entry of waiting) entry.reject(error);
  }

  private unavailable(): StoreUnavailableError {
    return new StoreUnavailableError(STORE_NAME, `sqlite:${this.options.file}`, this.failure ?? 'unknown');
  }

  private assertWritable(): void {
    if (this.closed) throw storeClosedError('ThreadedSqliteEventStore');
    if (this.failure !== null) throw this.unavailable();
  }
}

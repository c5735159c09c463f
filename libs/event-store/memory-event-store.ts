import {
  type AppendResult,
  type EventMetadata,
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
  DuplicateEventIdError,
  WrongExpectedRevisionError,
} from './event-store.port';
import { applyImport, ImportConflictError, type EventImporter, type ImportOutcome, type ImportTarget } from './import-events';

/*
 * MemoryEventStore is the reference semantics of the port. The pieces both
 * in-process adapters must agree on exactly (input checks, the append
 * algorithm, the subscription loop) live here so that SqliteEventStore reuses
 * them instead of copying them.
 */

/** An event checked and serialised once, before it can touch a store. */
export interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly data: string;
  readonly metadata: string;
  readonly recordedAt: string;
}

/** What the append algorithm needs from a store, inside its write transaction. */
export interface AppendTarget {
  /**
   * Whether an event id is stored. A target whose insert refuses a stored id
   * itself (SQLite's unique index, inside a savepoint) leaves it out.
   */
  hasEvent?(id: string): boolean;
  streamRevision(streamId: string): number | null;
  /** Writes one event; answers its position. */
  insert(streamId: string, revision: number, event: PreparedEvent): Position;
}

/** What the subscription loop needs from a store. */
export interface LogSource {
  /** May throw; the loop reports the error and retries after a backoff. */
  readAfter(after: Position | undefined, maxCount: number): StoredEvent[];
  /** Registers a callback run after each commit; returns the unregistration. */
  listen(listener: () => void): () => void;
}

export const DEFAULT_BATCH_SIZE = 500;
const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 5_000;

export function storeClosedError(name: string): Error {
  return new Error(`${name} is closed`);
}

function serialise(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${what} is not JSON-serialisable: ${String(error)}`);
  }
  // JSON.stringify answers undefined for undefined, functions and symbols.
  if (text === undefined) throw new TypeError(`${what} is not JSON-serialisable`);
  return text;
}

function isRevision(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Validates an append and snapshots its payloads, so that a caller mutating
 * its objects after `append` returns cannot change what gets written, and so
 * that nothing can fail half-way through writing.
 */
export function prepareAppend(
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  now: string,
): PreparedEvent[] {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new TypeError('append: streamId must be a non-empty string');
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new TypeError(`append to ${streamId}: at least one event is required`);
  }
  if (expected !== 'no_stream' && expected !== 'stream_exists' && expected !== 'any' && !isRevision(expected)) {
    throw new TypeError(`append to ${streamId}: invalid expected revision ${String(expected)}`);
  }
  const prepared: PreparedEvent[] = new Array<PreparedEvent>(events.length);
  const ids = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as NewEvent;
    if (typeof event.id !== 'string' || event.id.length === 0) {
      throw new TypeError(`append to ${streamId}: event ${i} has no id`);
    }
    // Two events with one id in one append have no meaningful outcome.
    if (ids.has(event.id)) throw new TypeError(`append to ${streamId}: event id ${event.id} appears twice`);
    ids.add(event.id);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`append to ${streamId}: event ${event.id} has no type`);
    }
    if (!Number.isSafeInteger(event.version)) {
      throw new TypeError(`append to ${streamId}: event ${event.id} has a non-integer version`);
    }
    let recordedAt = now;
    if (event.recordedAt !== undefined) {
      const time = Date.parse(event.recordedAt);
      if (Number.isNaN(time)) {
        throw new TypeError(`append to ${streamId}: event ${event.id} has an invalid recordedAt`);
      }
      // One format keeps the column comparable as text.
      recordedAt = new Date(time).toISOString();
    }
    prepared[i] = {
      id: event.id,
      type: event.type,
      version: event.version,
      data: serialise(event.data, `data of event ${event.id}`),
      metadata: serialise(event.metadata ?? {}, `metadata of event ${event.id}`),
      recordedAt,
    };
  }
  return prepared;
}

export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: number | null): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    expected === current;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, current ?? 'no_stream');
}

/**
 * The append algorithm. It must run where no other write can interleave (a
 * synchronous block or a write transaction); it checks before it writes, so a
 * throw leaves the target untouched (or, for a target without `hasEvent`,
 * inside a savepoint its caller rolls back).
 */
export function applyAppend(
  target: AppendTarget,
  streamId: string,
  events: readonly PreparedEvent[],
  expected: ExpectedRevision,
): AppendResult {
  const current = target.streamRevision(streamId);
  checkExpectedRevision(streamId, expected, current);
  if (target.hasEvent !== undefined) {
    for (const event of events) if (target.hasEvent(event.id)) throw new DuplicateEventIdError(streamId, event.id);
  }
  let revision = current ?? -1;
  const positions = events.map((event) => target.insert(streamId, ++revision, event));
  return { nextRevision: revision, position: positions[positions.length - 1] ?? 0n, positions };
}

export function checkReadStreamOptions(options: ReadStreamOptions | undefined): void {
  if (options === undefined) return;
  if (options.fromRevision !== undefined && !isRevision(options.fromRevision)) {
    throw new TypeError(`readStream: invalid fromRevision ${String(options.fromRevision)}`);
  }
  if (options.maxCount !== undefined && !isRevision(options.maxCount)) {
    throw new TypeError(`readStream: invalid maxCount ${String(options.maxCount)}`);
  }
}

export function checkReadAllOptions(options: ReadAllOptions): void {
  if (!isRevision(options.maxCount)) throw new TypeError(`readAll: invalid maxCount ${String(options.maxCount)}`);
  if (options.after !== undefined && (typeof options.after !== 'bigint' || options.after < 0n)) {
    throw new TypeError(`readAll: invalid after ${String(options.after)}`);
  }
  if (options.from !== undefined && (typeof options.from !== 'bigint' || options.from < 0n)) {
    throw new TypeError(`readAll: invalid from ${String(options.from)}`);
  }
  if (options.after !== undefined && options.from !== undefined) throw new TypeError('readAll: give after or from, not both');
}

/** Refused read: the position is none the store issued (EventStoreDB's "invalid position"). */
export class PositionNotIssuedError extends Error {
  constructor(readonly position: Position) {
    super(`Position ${position.toString()} is no position of this log`);
    this.name = 'PositionNotIssuedError';
  }
}

/** EventStoreDB's form of the n-th event's position, as a gRPC write reports it: (n, n) packed. */
const packedPosition = (n: number): Position => (BigInt(n) << 64n) | BigInt(n);

export interface MemoryEventStoreOptions {
  /**
   * `dense` (default): 1, 2, 3, as SQLite's. `packed`: EventStoreDB's form
   * (commit << 64 | prepare), sparse, with reads refused from a position no
   * event has: lets the API's handling of clients' positions be tested
   * against what EventStoreDB does, without a server.
   */
  readonly positions?: 'dense' | 'packed';
}

/**
 * Catch-up then live delivery. Batches go out one at a time; a failed batch is
 * reported and redelivered unchanged after a growing pause, so a handler never
 * sees a gap. While idle the loop sleeps until the source signals a commit, or
 * until `pollIntervalMs` when another process may write the log.
 */
export class LogSubscription implements Subscription {
  private closing = false;
  private signalled = false;
  private wake: (() => void) | null = null;
  private wakeOnSignal = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly unlisten: () => void;
  private readonly finished: Promise<void>;
  private readonly batchSize: number;

  constructor(
    private readonly source: LogSource,
    private readonly options: SubscribeOptions,
    private readonly pollIntervalMs: number | null,
    private readonly onClosed: (subscription: LogSubscription) => void,
  ) {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new TypeError(`subscribe: invalid batchSize ${String(options.batchSize)}`);
    }
    if (options.after !== undefined && (typeof options.after !== 'bigint' || options.after < 0n)) {
      throw new TypeError(`subscribe: invalid after ${String(options.after)}`);
    }
    this.batchSize = batchSize;
    this.unlisten = source.listen(() => {
      this.signalled = true;
      if (this.wakeOnSignal) this.wakeUp();
    });
    this.finished = this.run();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.unlisten();
      this.wakeUp();
      this.onClosed(this);
    }
    return this.finished;
  }

  private async run(): Promise<void> {
    let after = this.options.after;
    let failures = 0;
    while (!this.closing) {
      this.signalled = false;
      let batch: StoredEvent[];
      try {
        batch = this.source.readAfter(after, this.batchSize);
      } catch (error) {
        this.report(error);
        await this.pause(backoff(failures++), false);
        continue;
      }
      if (batch.length === 0) {
        // A commit between the read and here already set `signalled`.
        if (!this.signalled) await this.pause(this.pollIntervalMs, true);
        continue;
      }
      while (!this.closing) {
        try {
          await this.options.onBatch(batch);
          failures = 0;
          after = (batch[batch.length - 1] as StoredEvent).position;
          // A synchronous read and a handler that resolves at once would
          // otherwise catch up on a long log without ever yielding the event loop.
          await new Promise<void>((resolve) => setImmediate(resolve));
          break;
        } catch (error) {
          this.report(error);
          await this.pause(backoff(failures++), false);
        }
      }
    }
  }

  private report(error: unknown): void {
    if (this.options.onError === undefined) return;
    try {
      this.options.onError(error);
    } catch {
      // A throwing error handler must not stop delivery.
    }
  }

  private pause(ms: number | null, wakeOnSignal: boolean): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.wakeOnSignal = wakeOnSignal;
      if (ms !== null) this.timer = setTimeout(() => this.wakeUp(), ms);
    });
  }

  private wakeUp(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const wake = this.wake;
    this.wake = null;
    this.wakeOnSignal = false;
    wake?.();
  }
}

function backoff(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures, 16));
}

/** Keeps the whole log in arrays: for tests and single-process development. */
export class MemoryEventStore implements EventStore, EventImporter {
  readonly answersEachPosition = true;
  private readonly packed: boolean;
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private readonly listeners = new Set<() => void>();
  private readonly subscriptions = new Set<LogSubscription>();
  private closed = false;

  private readonly target: AppendTarget = {
    hasEvent: (id) => this.byId.has(id),
    streamRevision: (streamId) => this.currentRevision(streamId),
    insert: (streamId, revision, event) => {
      const stored: StoredEvent = Object.freeze({
        id: event.id,
        type: event.type,
        version: event.version,
        streamId,
        revision,
        // Positions start at 1, as SQLite's do, and stay dense unless packed.
        position: this.packed ? packedPosition(this.log.length + 1) : BigInt(this.log.length + 1),
        recordedAt: event.recordedAt,
        data: JSON.parse(event.data) as unknown,
        metadata: JSON.parse(event.metadata) as EventMetadata,
      });
      this.log.push(stored);
      this.byId.set(stored.id, stored);
      let stream = this.streams.get(streamId);
      if (stream === undefined) {
        stream = [];
        this.streams.set(streamId, stream);
      }
      stream.push(stored);
      return stored.position;
    },
  };

  private readonly source: LogSource = {
    readAfter: (after, maxCount) => this.readAfter(after, maxCount),
    listen: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  constructor(options: MemoryEventStoreOptions = {}) {
    this.packed = options.positions === 'packed';
  }

  /** A packed store gives events positions of its own, as EventStoreDB does. */
  get restoresPositions(): boolean {
    return !this.packed;
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareAppend(streamId, events, expected, new Date().toISOString());
    const before = this.log.length;
    const result = applyAppend(this.target, streamId, prepared, expected);
    if (this.log.length !== before) for (const listener of this.listeners) listener();
    return result;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    checkReadStreamOptions(options);
    const stream = this.streams.get(streamId);
    if (stream === undefined) return [];
    const maxCount = options?.maxCount ?? stream.length;
    if (options?.direction === 'backwards') {
      const from = Math.min(options.fromRevision ?? stream.length - 1, stream.length - 1);
      const result: StoredEvent[] = [];
      for (let revision = from; revision >= 0 && result.length < maxCount; revision--) {
        result.push(stream[revision] as StoredEvent);
      }
      return result;
    }
    const from = options?.fromRevision ?? 0;
    return stream.slice(from, from + maxCount);
  }

  async streamRevision(streamId: string): Promise<number | null> {
    this.assertOpen();
    return this.currentRevision(streamId);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    checkReadAllOptions(options);
    if (options.from === undefined) return this.readAfter(options.after, options.maxCount);
    const start = this.indexOf(options.from);
    if (start === null) throw new PositionNotIssuedError(options.from);
    return this.log.slice(start, start + options.maxCount);
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    const last = this.log[this.log.length - 1];
    return last === undefined ? null : last.position;
  }

  async checkPosition(position: Position): Promise<PositionCheck> {
    this.assertOpen();
    const head = this.log[this.log.length - 1]?.position ?? 0n;
    if (position > head) return 'ahead';
    if (!this.packed || position === 0n) return 'issued';
    return this.indexOf(position) === null ? 'not_issued' : 'issued';
  }

  async countAfter(after: Position | undefined): Promise<number> {
    this.assertOpen();
    return this.log.length - this.firstAfter(after);
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new LogSubscription(this.source, options, null, (closed) => {
      this.subscriptions.delete(closed);
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  private currentRevision(streamId: string): number | null {
    const stream = this.streams.get(streamId);
    return stream === undefined ? null : stream.length - 1;
  }

  /** Restores exported events as they were; positions must stay dense here (index = position - 1). */
  async importEvents(events: readonly StoredEvent[]): Promise<ImportOutcome> {
    this.assertOpen();
    const before = this.log.length;
    const target: ImportTarget = {
      findEvent: (id) => this.byId.get(id),
      streamRevision: (streamId) => this.currentRevision(streamId),
      head: () => this.log[this.log.length - 1]?.position ?? null,
      insertAt: (event) => {
        if (this.packed) throw new ImportConflictError(event.id, event.position, 'a packed memory store takes events through append, with its own positions');
        if (event.position !== BigInt(this.log.length + 1)) {
          throw new ImportConflictError(event.id, event.position, `the memory store needs position ${this.log.length + 1} next`);
        }
        const stored = Object.freeze({ ...event });
        this.log.push(stored);
        this.byId.set(stored.id, stored);
        const stream = this.streams.get(stored.streamId) ?? [];
        stream.push(stored);
        this.streams.set(stored.streamId, stream);
      },
    };
    try {
      return applyImport(target, events);
    } catch (error) {
      // All or nothing, as the SQLite transaction does.
      for (const undone of this.log.splice(before)) {
        this.byId.delete(undone.id);
        this.streams.get(undone.streamId)?.pop();
        if (this.streams.get(undone.streamId)?.length === 0) this.streams.delete(undone.streamId);
      }
      throw error;
    } finally {
      if (this.log.length !== before) for (const listener of this.listeners) listener();
    }
  }

  private readAfter(after: Position | undefined, maxCount: number): StoredEvent[] {
    if (this.packed && after !== undefined && after !== 0n && this.indexOf(after) === null) throw new PositionNotIssuedError(after);
    const start = this.firstAfter(after);
    return this.log.slice(start, start + maxCount);
  }

  /** Index of the first event after `after`. */
  private firstAfter(after: Position | undefined): number {
    if (after === undefined) return 0;
    // Dense: position p sits at index p - 1.
    if (!this.packed) return Math.min(this.log.length, Number(after));
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.log[middle] as StoredEvent).position <= after) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index of the event at exactly `position`, or null (0 and the empty log's start are index 0 for `from`). */
  private indexOf(position: Position): number | null {
    if (position === 0n) return 0;
    const index = this.firstAfter(position) - 1;
    return index >= 0 && (this.log[index] as StoredEvent).position === position ? index : null;
  }

  private assertOpen(): void {
    if (this.closed) throw storeClosedError('MemoryEventStore');
  }
}

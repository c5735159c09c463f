/**
 * The EventStore port: the only way Parley writes its system of record.
 *
 * Positions are `bigint`s ordered like the global log. The SQLite and memory
 * adapters use a plain sequence; EventStoreDB's two 64-bit numbers pack into one
 * 128-bit value (`commit << 64 | prepare`), which keeps order and loses nothing.
 * Outside the process a position travels as its decimal string.
 */
export type Position = bigint;

export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  /** The acting user id, or `apikey:<id>` / `system`. */
  readonly actor?: string;
  readonly [key: string]: unknown;
}

/** What a command handler hands to `append`. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /** Set by imports that keep the original timestamps; otherwise the store's clock. */
  readonly recordedAt?: string;
}

/** The stored envelope. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly streamId: string;
  /** 0-based index of the event in its stream. */
  readonly revision: number;
  readonly position: Position;
  readonly recordedAt: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/**
 * `no_stream`: the stream must not exist; `stream_exists`: it must; `any`: no
 * check; a number: the revision of the stream's last event must be exactly it.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

/**
 * The store's own answer to an append (EventStoreDB's append result, SQLite's
 * insert): nothing is read back. Whoever needs an event's envelope builds it
 * from what it appended plus these two numbers.
 */
export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly nextRevision: number;
  /**
   * Position of the last event of this append: every event of the append is
   * at or before it, so it is a valid `X-Min-Position` for each of them.
   */
  readonly position: Position;
  /**
   * Each event's own position, in the order appended (the last is `position`),
   * when the store knows them from the write itself: the embedded stores
   * always do (one writer, one sequence). EventStoreDB answers only the last
   * event's commit position and its stream reads carry no `$all` position, so
   * it leaves this out for an append of several events
   * (`EventStore.answersEachPosition`).
   */
  readonly positions?: readonly Position[];
}

/**
 * The largest append every adapter accepts, counted as the UTF-8 bytes of the
 * events' serialised data and metadata: EventStoreDB refuses a write over
 * 1 MiB by default (`MaxAppendSize`). Callers that group events split them
 * before this; the adapters do not split (an append is one atomic write).
 */
export const MAX_APPEND_BYTES = 1024 * 1024;

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, found ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An append carried an event id the store already holds; nothing of that append was written. */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(`Stream ${streamId}: event id ${eventId} is already stored`);
    this.name = 'DuplicateEventIdError';
  }
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive revision to start from; default the start (forwards) or the end (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit to read from the start. */
  readonly after?: Position;
  /**
   * Inclusive, instead of `after`: events at this position and later. It must
   * be a position the store issued (`checkPosition` answers `issued`): a
   * caller never derives one position from another (EventStoreDB's are packed
   * pairs, and `p - 1` is no position of its log).
   */
  readonly from?: Position;
  readonly maxCount: number;
}

/**
 * What a store says of a position a client sent: `issued` (0, the start, or
 * one this log can resume after), `ahead` (past the head: nothing has been
 * written there yet), `not_issued` (at or before the head, yet not a position
 * this store's form can hold or that any of its events has: on EventStoreDB a
 * packed pair that names no event, which the server refuses to read from).
 */
export type PositionCheck = 'issued' | 'ahead' | 'not_issued';

export interface Subscription {
  /** Resolves once no handler call is running and none will start. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Exclusive start position; omit for the beginning of the log. */
  readonly after?: Position;
  readonly batchSize?: number;
  /** Called with each batch in log order; the next batch waits for the promise. */
  readonly onBatch: (events: readonly StoredEvent[]) => Promise<void>;
  readonly onError?: (error: unknown) => void;
}

/**
 * Streams and the global log, nothing else: an event is found through its
 * stream (or a read model), never by its id across streams
 * (docs/decisions/0014-stream-only-event-store.md). Every event gets a fresh
 * id; an append of an id already stored is not a retry the port answers: the
 * embedded adapters refuse it (`DuplicateEventIdError`), EventStoreDB may take
 * a repeat of its own latest append at the same expected revision as a no-op.
 * A feature that must recognise a retry finds its earlier write through its
 * own stream and read model.
 */
export interface EventStore {
  /**
   * Whether every append answers each event's own position (`AppendResult.positions`).
   * A caller that answers one request per event of a shared append (the comment
   * sequencer's group commit) groups requests only where this is true.
   */
  readonly answersEachPosition: boolean;
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Reads events of one stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Revision of the stream's last event, or null when it does not exist. */
  streamRevision(streamId: string): Promise<number | null>;
  /** A batch of the global log, in order. */
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  /** Position of the last event in the log, or null when it is empty. */
  headPosition(): Promise<Position | null>;
  /** Whether a position a client sent is one this log can read from or after (see PositionCheck). */
  checkPosition(position: Position): Promise<PositionCheck>;
  /**
   * How many events the log holds after `after` (all of them when omitted), or
   * null where the store cannot count without reading them (EventStoreDB):
   * lag is then told in time. Positions are not counts: never subtract them.
   */
  countAfter(after: Position | undefined): Promise<number | null>;
  /** Catches up from `after`, then follows new events live until closed. */
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

export const positionToString = (position: Position): string => position.toString(10);

export function parsePosition(text: string): Position | null {
  if (!/^\d{1,40}$/.test(text)) return null;
  return BigInt(text);
}

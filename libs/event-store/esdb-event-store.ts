import { createHash } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type AppendResult as EsdbAppendResult,
  type CurrentRevision,
  type EventData,
  type Filter,
  type Position as EsdbPosition,
  type ReadPosition,
  type ReadRevision,
  type RecordedEvent,
} from '@eventstore/db-client';
import {
  ConnectionMonitor,
  StoreUnavailableError,
  describeError,
  type MonitoredStore,
  type StoreLogger,
  type StoreStatus,
} from '../config/store-connection';
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
  WrongExpectedRevisionError,
} from './event-store.port';
import type { LogIndex } from './log-index';
import {
  DEFAULT_BATCH_SIZE,
  checkReadAllOptions,
  checkReadStreamOptions,
  prepareAppend,
  storeClosedError,
  type PreparedEvent,
} from './memory-event-store';
import { settleAppend } from './settle-append';

/*
 * EventStore on EventStoreDB through the official gRPC client
 * (`@eventstore/db-client`; see docs/decisions/0005-production-adapters.md).
 *
 * Positions. A `$all` position is two unsigned 64-bit numbers, ordered by
 * commit then prepare. Parley packs them into one bigint,
 * `(commit << 64n) | prepare`, which orders exactly like the pair, loses
 * nothing, and prints as at most 39 decimal digits (the port's position
 * strings allow 40). `unpackPosition` gives the pair back for `fromPosition`.
 *
 * Envelope. Data is the event's JSON; the custom metadata is
 * `{ parley: { id, version, recordedAt }, metadata }` (plus EventStoreDB's own
 * `$correlationId`/`$causationId` when Parley has them), so ids that are not
 * UUIDs, schema versions and imported timestamps survive the trip.
 *
 * Stream-only (docs/decisions/0014-stream-only-event-store.md). One append is
 * one `appendToStream` call, answered with the server's own revision and
 * position; nothing is read back and nothing is looked up by event id.
 * EventStoreDB itself treats a repeat of an append with the same event ids at
 * the same expected revision as a success; Parley does not rely on it.
 * Appends to one stream are serialised inside this process so that concurrent
 * calls are checked in call order, as in the embedded adapters. An append over
 * the server's `MaxAppendSize` (1 MiB by default) is refused by the server
 * (`MaxAppendSizeExceededError`) and written not at all; callers split before
 * `MAX_APPEND_BYTES`.
 */

/** Events of one read request; large streams are read in pages of this size. */
const PAGE_SIZE = 500;
/** How long a partial batch waits for more events before it is delivered, once caught up. */
const LINGER_MS = 15;
/**
 * The same while catching up: the server announces the moment it caught up
 * (23.10 and later), and until then batches fill to batchSize unless the
 * stream pauses this long (older servers never announce it).
 */
const CATCH_UP_LINGER_MS = 200;
const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 5_000;
const U64_MAX = (1n << 64n) - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Packs a `$all` position into one order-preserving bigint. */
export function packPosition(position: EsdbPosition): Position {
  const { commit, prepare } = position;
  if (commit < 0n || commit > U64_MAX || prepare < 0n || prepare > U64_MAX) {
    throw new RangeError(`Invalid EventStoreDB position ${String(commit)}/${String(prepare)}`);
  }
  return (commit << 64n) | prepare;
}

/** The `$all` position a packed position stands for. */
export function unpackPosition(position: Position): EsdbPosition {
  if (position < 0n || position >> 128n !== 0n) throw new RangeError(`Invalid position ${String(position)}`);
  return { commit: position >> 64n, prepare: position & U64_MAX };
}

/**
 * The position of the last event of an append, from the server's answer.
 * EventStoreDB answers with the write's commit position, which is the log
 * position of its last event; reading `$all` reports a gRPC-written event as
 * (log position, log position), so the answer is packed the same way and
 * equals what a read of that event reports.
 */
export function appendedPosition(streamId: string, result: Pick<EsdbAppendResult, 'position'>): Position {
  const commit = result.position?.commit;
  if (commit === undefined || commit < 0n || commit === U64_MAX) {
    throw new Error(`EventStoreDB reported no position for the append to ${streamId}; Parley needs EventStoreDB 20.6 or later`);
  }
  return packPosition({ commit, prepare: commit });
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

export function fromEsdbCurrentRevision(actual: CurrentRevision | undefined): number | 'no_stream' {
  if (actual === undefined || actual === NO_STREAM || actual < 0n) return 'no_stream';
  return Number(actual);
}

/** EventStoreDB event ids are UUIDs; other Parley ids map to a stable UUID (version 8, SHA-256). */
export function esdbEventId(id: string): string {
  if (UUID.test(id)) return id.toLowerCase();
  const hex = createHash('sha256').update(`parley-event-id\u001f${id}`).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What the gRPC errors that mean "cannot reach the server" look like. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  // gRPC UNAVAILABLE and DEADLINE_EXCEEDED, when the client hands them through unwrapped.
  return code === 14 || code === 4;
}

/**
 * Whether a failed call never left this process: gRPC found no connection to
 * send it on (refused, unresolvable, unreachable). Anything else that fails
 * after the call started may have reached the server.
 */
export function neverSent(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /No connection established|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/.test(text);
}

interface ParleyMetadata {
  readonly parley?: { readonly id?: unknown; readonly version?: unknown; readonly recordedAt?: unknown };
  readonly metadata?: unknown;
}

export interface EsdbEventStoreOptions {
  /** `esdb://host:2113?tls=false`, `esdb+discover://...` (also `kurrentdb://`). */
  readonly connectionString: string;
  /**
   * Prefix of every stream this store writes and of the only streams it reads
   * from `$all`: isolates one logical store on a shared server (the
   * conformance suite gives each test its own). Empty in production.
   */
  readonly streamPrefix?: string;
  readonly logger?: StoreLogger;
  /** The longest one call may take (STORE_DEADLINE_MS); subscriptions have none. */
  readonly deadlineMs?: number;
  /**
   * The server runs the standard system projections (`$by_event_type`,
   * `$by_category` with its default "first -" split), so `$et-<type>` and
   * `$ce-<category>` streams index the log for the console (LogIndex).
   * EVENTSTORE_LOG_INDEX=system-projections; off by default, because without
   * those projections the streams are missing and would read as empty.
   */
  readonly systemProjections?: boolean;
}

/** Links read per page of a `$et-`/`$ce-` stream. */
const LINK_PAGE = 500;

export class EsdbEventStore implements EventStore, LogIndex, MonitoredStore {
  /** EventStoreDB answers an append with its last event's position only. */
  readonly answersEachPosition = false;
  readonly monitor: ConnectionMonitor;
  private readonly client: EventStoreDBClient;
  private readonly prefix: string;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;
  private readonly deadline: number;
  /** Whether the `$et-`/`$ce-` streams exist (see EsdbEventStoreOptions.systemProjections). */
  readonly logIndexAvailable: boolean;
  /** Refusals made without calling the server (it is known down): such an append was never sent. */
  private readonly notSent = new WeakSet<object>();

  static fromConnectionString(connectionString: string, options: Omit<EsdbEventStoreOptions, 'connectionString'> = {}): EsdbEventStore {
    return new EsdbEventStore({ ...options, connectionString });
  }

  constructor(options: EsdbEventStoreOptions) {
    const url = options.connectionString.replace(/^kurrentdb(\+discover)?:\/\//, 'esdb$1://');
    this.client = EventStoreDBClient.connectionString(url);
    this.prefix = options.streamPrefix ?? '';
    this.deadline = options.deadlineMs ?? 10_000;
    this.logIndexAvailable = options.systemProjections ?? false;
    if (this.prefix.startsWith('$')) throw new TypeError('EsdbEventStore: streamPrefix must not start with $');
    this.monitor = new ConnectionMonitor({
      store: 'EventStoreDB',
      url: options.connectionString,
      logger: options.logger,
      probe: async () => {
        await this.collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: this.deadline }));
      },
    });
  }

  connect(): Promise<void> {
    return this.monitor.connect();
  }

  connectionStatus(): StoreStatus {
    return this.monitor.status();
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    this.checkStreamId(streamId);
    const prepared = prepareAppend(streamId, events, expected, new Date().toISOString());
    const once = {
      append: () => this.guard(() => this.appendNow(streamId, prepared, expected)),
      readStream: (id: string, options?: ReadStreamOptions) => this.readStream(id, options),
    };
    return this.track(
      this.serialised(streamId, () =>
        settleAppend(once, streamId, events, expected, {
          store: this.monitor.store,
          // Sent and unanswered (a deadline, a broken connection): it may have been written.
          ambiguous: (error) => error instanceof StoreUnavailableError && !this.notSent.has(error),
          eachPosition: false,
          pause: (retry) => this.pauseForRetry(retry),
        }),
      ),
    );
  }

  /** Until the server answers the monitor's probe again, or a backoff, whichever comes first; never past one deadline. */
  private async pauseForRetry(retry: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const wait = Math.min(this.deadline, backoff(retry));
    await Promise.race([this.monitor.untilUp(), new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))]);
    clearTimeout(timer);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    checkReadStreamOptions(options);
    return this.track(this.guard(() => this.readStreamNow(streamId, options)));
  }

  async streamRevision(streamId: string): Promise<number | null> {
    this.assertOpen();
    return this.track(this.guard(() => this.revisionOf(streamId)));
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    checkReadAllOptions(options);
    return this.track(this.guard(() => this.readAllNow(options.after, options.maxCount, options.from)));
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    return this.track(this.guard(() => this.headNow()));
  }

  /**
   * A client's position is one of this log when it unpacks into a pair with
   * prepare <= commit, is not past the head, and the server holds a record at
   * exactly that pair (one read of one event): anything else would reach the
   * server as a position it refuses to read from.
   */
  async checkPosition(position: Position): Promise<PositionCheck> {
    this.assertOpen();
    if (position === 0n) return 'issued';
    const head = await this.headPosition();
    if (head === null || position > head) return 'ahead';
    let pair: EsdbPosition;
    try {
      pair = unpackPosition(position);
    } catch {
      return 'not_issued';
    }
    if (pair.prepare > pair.commit) return 'not_issued';
    return this.track(
      this.guard(async () => {
        try {
          const [first] = await this.collect(this.client.readAll({ direction: FORWARDS, fromPosition: pair, maxCount: 1, deadline: this.deadline }));
          return first?.event !== undefined && packPosition(first.event.position) === position ? 'issued' : 'not_issued';
        } catch (error) {
          if (isUnavailable(error)) throw error;
          return 'not_issued';
        }
      }),
    );
  }

  /** EventStoreDB counts nothing without reading it: lag is told in time instead. */
  async countAfter(): Promise<null> {
    return null;
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new EsdbSubscription(this, options, (closed) => this.subscriptions.delete(closed));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    // Appends accepted before close still complete.
    await Promise.allSettled([...this.inflight]);
    const connected = this.monitor.status().state === 'up';
    this.monitor.close();
    await this.client.dispose();
    // dispose() ends the client's calls but leaves its gRPC channel open, which
    // would keep a finished process (a CLI run, a test worker) alive. While the
    // server is up the channel exists, so asking for it creates nothing.
    if (connected) {
      const internal = this.client as unknown as { getChannel?: () => Promise<{ close(): void }> };
      await internal
        .getChannel?.()
        .then((channel) => channel.close())
        .catch(() => undefined);
    }
  }

  // ---- used by EsdbSubscription -------------------------------------------------

  /** Server-side filter of the global log: this store's streams, or everything not a system event. */
  logFilter(): Filter {
    return this.prefix === '' ? excludeSystemEvents() : streamNameFilter({ prefixes: [this.prefix] });
  }

  openSubscription(after: Position | undefined): AllStreamSubscription {
    return this.client.subscribeToAll({
      fromPosition: after === undefined ? START : unpackPosition(after),
      filter: this.logFilter(),
    });
  }

  /** Whether a record of `$all` is one of this store's Parley events (not a system event). */
  owns(recorded: RecordedEvent): boolean {
    const stream = recorded.streamId;
    return !recorded.type.startsWith('$') && !stream.startsWith('$') && stream.startsWith(this.prefix);
  }

  toStored(recorded: RecordedEvent): StoredEvent {
    const meta = (isObject(recorded.metadata) ? recorded.metadata : {}) as ParleyMetadata;
    const envelope = isObject(meta.parley) ? meta.parley : {};
    const revision = Number(recorded.revision);
    return Object.freeze({
      id: typeof envelope.id === 'string' ? envelope.id : recorded.id,
      type: recorded.type,
      version: typeof envelope.version === 'number' ? envelope.version : 1,
      streamId: recorded.streamId.slice(this.prefix.length),
      revision,
      position: this.positionOf(recorded),
      recordedAt: typeof envelope.recordedAt === 'string' ? envelope.recordedAt : recorded.created.toISOString(),
      data: decodeData(recorded),
      metadata: (isObject(meta.metadata) ? meta.metadata : {}) as EventMetadata,
    });
  }

  /** Runs a call to the server, keeping the connection monitor informed. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    // Known down: fail now with the store named (503) rather than wait out a deadline per request.
    if (this.monitor.isDown()) {
      const refusal = new StoreUnavailableError(this.monitor.store, this.monitor.url, this.monitor.status().error ?? 'unreachable');
      this.notSent.add(refusal);
      throw refusal;
    }
    try {
      const result = await call();
      this.monitor.succeeded();
      return result;
    } catch (error) {
      if (!isUnavailable(error)) {
        this.monitor.succeeded();
        throw error;
      }
      this.monitor.failed(error);
      const unavailable = new StoreUnavailableError(this.monitor.store, this.monitor.url, describeError(error));
      if (neverSent(error)) this.notSent.add(unavailable);
      throw unavailable;
    }
  }

  // ---- LogIndex (the console's filtered pages) ------------------------------------

  /** Positions in (after, to] of events of `type`, from the server's `$et-<type>` stream (links resolved). */
  async positionsOfType(type: string, after: Position, to: Position, maxCount: number): Promise<Position[]> {
    this.assertOpen();
    return this.track(this.guard(() => this.linkedPositions(`$et-${type}`, after, to, maxCount)));
  }

  /**
   * Positions in (after, to] of events of streams starting with `prefix`,
   * from `$ce-<category>` when the prefix is exactly a category and its dash
   * (`room-`); any other prefix is null: read the log in order.
   */
  async positionsInStreams(prefix: string, after: Position, to: Position, maxCount: number): Promise<Position[] | null> {
    this.assertOpen();
    const category = /^([^-]+)-$/.exec(this.prefix + prefix)?.[1];
    if (category === undefined) return null;
    return this.track(this.guard(() => this.linkedPositions(`$ce-${category}`, after, to, maxCount)));
  }

  /**
   * A system projection's stream links events in log order, so the first
   * link past `after` is found by bisecting its revisions (one read of one
   * link each), then read forwards: a page costs O(log n) reads plus the
   * links it answers, however far apart the events are in the log.
   */
  private async linkedPositions(stream: string, after: Position, to: Position, maxCount: number): Promise<Position[]> {
    const found: Position[] = [];
    if (maxCount <= 0 || to <= after) return found;
    const [last] = await this.readLinks(stream, BACKWARDS, END, 1);
    if (last === undefined) return found;
    let low = 0n;
    let high = last.revision + 1n;
    while (low < high) {
      const middle = (low + high) / 2n;
      // A link whose event is gone (a deleted stream) says nothing: the next resolvable one stands for it.
      const probe = (await this.readLinks(stream, FORWARDS, middle, 32)).find((link) => link.position !== null);
      if (probe === undefined || probe.position! <= after) low = (probe?.revision ?? middle) + 1n;
      else high = middle;
    }
    for (let from = low; found.length < maxCount; ) {
      const links = await this.readLinks(stream, FORWARDS, from, LINK_PAGE);
      for (const link of links) {
        if (link.position === null || !link.owned || link.position <= after) continue;
        if (link.position > to) return found;
        found.push(link.position);
        if (found.length === maxCount) return found;
      }
      const end = links[links.length - 1];
      if (links.length < LINK_PAGE || end === undefined) return found;
      from = end.revision + 1n;
    }
    return found;
  }

  /** Links of a system stream with their events' positions (null where the event is gone); a missing stream reads as empty. */
  private async readLinks(
    stream: string,
    direction: typeof FORWARDS | typeof BACKWARDS,
    from: ReadRevision,
    maxCount: number,
  ): Promise<{ revision: bigint; position: Position | null; owned: boolean }[]> {
    try {
      const entries = await this.collect(this.client.readStream(stream, { direction, fromRevision: from, maxCount, resolveLinkTos: true, deadline: this.deadline }));
      return entries.flatMap((entry) => {
        const revision = entry.link?.revision ?? entry.event?.revision;
        if (revision === undefined) return [];
        const event = entry.event as RecordedEvent | undefined;
        return [{ revision, position: event === undefined ? null : this.positionOf(event), owned: event !== undefined && this.owns(event) }];
      });
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return [];
      throw error;
    }
  }

  // ---- append ------------------------------------------------------------------

  /**
   * One `appendToStream` call and its answer; nothing is read back. An
   * EventStoreDB that reports no position for the write (a server older than
   * 20.6) fails loudly: Parley's `X-Min-Position` needs it.
   */
  private async appendNow(streamId: string, events: readonly PreparedEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    let result: EsdbAppendResult;
    try {
      result = await this.client.appendToStream(this.streamName(streamId), events.map((event) => this.toEventData(event)), {
        expectedRevision: toEsdbExpectedRevision(expected),
        deadline: this.deadline,
      });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamId, expected, fromEsdbCurrentRevision(error.actualVersion));
      }
      throw error;
    }
    const position = appendedPosition(streamId, result);
    // The answer names only the last event; a one-event append thus knows its event's position.
    return { nextRevision: Number(result.nextExpectedRevision), position, ...(events.length === 1 ? { positions: [position] } : {}) };
  }

  private toEventData(event: PreparedEvent): EventData {
    const metadata = JSON.parse(event.metadata) as EventMetadata;
    const custom: Record<string, unknown> = {
      parley: { id: event.id, version: event.version, recordedAt: event.recordedAt },
      metadata,
    };
    if (typeof metadata.correlationId === 'string') custom['$correlationId'] = metadata.correlationId;
    if (typeof metadata.causationId === 'string') custom['$causationId'] = metadata.causationId;
    return {
      id: esdbEventId(event.id),
      contentType: 'application/json',
      type: event.type,
      // Any JSON value is sent as its text; the client's type only names objects, arrays and strings.
      data: JSON.parse(event.data) as Record<string, unknown>,
      metadata: custom,
    };
  }

  // ---- reads -------------------------------------------------------------------

  private async readStreamNow(streamId: string, options: ReadStreamOptions | undefined): Promise<StoredEvent[]> {
    const maxCount = options?.maxCount ?? Number.POSITIVE_INFINITY;
    const backwards = options?.direction === 'backwards';
    const result: StoredEvent[] = [];
    let from: ReadRevision = options?.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision);
    while (result.length < maxCount) {
      const want = Math.min(PAGE_SIZE, maxCount - result.length);
      const page = await this.readPage(this.streamName(streamId), backwards ? BACKWARDS : FORWARDS, from, want);
      for (const record of page) result.push(this.toStored(record));
      const last = page[page.length - 1];
      if (page.length < want || last === undefined) break;
      if (backwards) {
        if (last.revision === 0n) break;
        from = last.revision - 1n;
      } else {
        from = last.revision + 1n;
      }
    }
    return result;
  }

  private async revisionOf(streamId: string): Promise<number | null> {
    const [last] = await this.readPage(this.streamName(streamId), BACKWARDS, END, 1);
    return last === undefined ? null : Number(last.revision);
  }

  /** One page of a stream; a missing or deleted stream reads as empty. */
  private async readPage(stream: string, direction: typeof FORWARDS | typeof BACKWARDS, from: ReadRevision, maxCount: number): Promise<RecordedEvent[]> {
    try {
      const resolved = await this.collect(this.client.readStream(stream, { direction, fromRevision: from, maxCount, deadline: this.deadline }));
      return resolved.flatMap((entry) => (entry.event === undefined ? [] : [entry.event as RecordedEvent]));
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return [];
      throw error;
    }
  }

  private async readAllNow(after: Position | undefined, maxCount: number, inclusive?: Position): Promise<StoredEvent[]> {
    const result: StoredEvent[] = [];
    if (maxCount === 0) return result;
    const start = inclusive ?? after;
    let from: ReadPosition = start === undefined || start === 0n ? START : unpackPosition(start);
    // `fromPosition` is inclusive; everything at or before `floor` was seen.
    let floor = after;
    for (;;) {
      // A prefixed store skips other stores' events, so it reads full pages.
      const want = this.prefix === '' ? Math.min(PAGE_SIZE, maxCount - result.length) : PAGE_SIZE;
      const page = await this.collect(this.client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: want, deadline: this.deadline }));
      let lastRaw: EsdbPosition | undefined;
      for (const entry of page) {
        const recorded = entry.event;
        if (recorded === undefined) continue;
        lastRaw = recorded.position;
        const position = packPosition(recorded.position);
        if (floor !== undefined && position <= floor) continue;
        if (!this.owns(recorded)) continue;
        result.push(this.toStored(recorded));
        if (result.length === maxCount) return result;
      }
      if (page.length < want || lastRaw === undefined) return result;
      from = lastRaw;
      floor = packPosition(lastRaw);
    }
  }

  private async headNow(): Promise<Position | null> {
    let from: ReadPosition = END;
    let floor: Position | undefined;
    for (;;) {
      // The head is among the last few events, unless a prefixed store shares the server.
      const want = this.prefix === '' ? 64 : PAGE_SIZE;
      const page = await this.collect(this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: want, deadline: this.deadline }));
      let lastRaw: EsdbPosition | undefined;
      for (const entry of page) {
        const recorded = entry.event;
        if (recorded === undefined) continue;
        lastRaw = recorded.position;
        const position = packPosition(recorded.position);
        if (floor !== undefined && position >= floor) continue;
        if (this.owns(recorded)) return position;
      }
      if (page.length < want || lastRaw === undefined) return null;
      from = lastRaw;
      floor = packPosition(lastRaw);
    }
  }

  private async collect<T>(read: AsyncIterable<T>): Promise<T[]> {
    const items: T[] = [];
    for await (const item of read) items.push(item);
    return items;
  }

  // ---- helpers -------------------------------------------------------------------

  private positionOf(recorded: RecordedEvent): Position {
    const position = recorded.position;
    // Servers that do not know a stream event's position send 2^64 - 1 for both halves.
    if (position === undefined || position.commit === U64_MAX || position.prepare === U64_MAX) {
      throw new Error(
        `EventStoreDB returned no $all position for ${recorded.streamId}@${String(recorded.revision)}; Parley needs a server that reports positions on stream reads (22.10 or later)`,
      );
    }
    return packPosition(position);
  }

  private streamName(streamId: string): string {
    return this.prefix + streamId;
  }

  private checkStreamId(streamId: string): void {
    if (typeof streamId !== 'string' || streamId.length === 0) return; // prepareAppend reports it
    if (streamId.startsWith('$')) throw new TypeError(`append to ${streamId}: streams starting with $ belong to EventStoreDB`);
  }

  private serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.inflight.add(operation);
    const forget = () => this.inflight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  private assertOpen(): void {
    if (this.closed) throw storeClosedError('EsdbEventStore');
  }
}

/**
 * Catch-up subscription on `$all`: events arrive one by one from the server,
 * are queued (at most a few batches, so a slow handler holds the server back
 * rather than filling memory), and go to `onBatch` one batch at a time. A
 * failed batch is reported and redelivered unchanged after a growing pause. A
 * dropped subscription is opened again after the last event received: every
 * event before it was delivered or still waits, in order, in the queue.
 */
class EsdbSubscription implements Subscription {
  private closing = false;
  private readonly queue: StoredEvent[] = [];
  private received: Position | undefined;
  private caughtUp = false;
  private current: AllStreamSubscription | null = null;
  private dataWaiter: (() => void) | null = null;
  private spaceWaiter: (() => void) | null = null;
  private readonly sleepers = new Set<() => void>();
  private markClosed: () => void = () => undefined;
  private readonly closedSignal = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });
  private readonly batchSize: number;
  private readonly highWater: number;
  private readonly finished: Promise<void>;

  constructor(
    private readonly store: EsdbEventStore,
    private readonly options: SubscribeOptions,
    private readonly onClosed: (subscription: EsdbSubscription) => void,
  ) {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new TypeError(`subscribe: invalid batchSize ${String(options.batchSize)}`);
    }
    if (options.after !== undefined && (typeof options.after !== 'bigint' || options.after < 0n)) {
      throw new TypeError(`subscribe: invalid after ${String(options.after)}`);
    }
    this.batchSize = batchSize;
    this.highWater = batchSize * 2;
    this.received = options.after;
    this.finished = Promise.all([this.pump(), this.deliver()]).then(() => undefined);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.markClosed();
      void this.current?.unsubscribe().catch(() => undefined);
      this.wakeAll();
      this.onClosed(this);
    }
    return this.finished;
  }

  private async pump(): Promise<void> {
    let failures = 0;
    while (!this.closing) {
      // While the server is unreachable the monitor retries (and logs once); wait for it quietly.
      await Promise.race([this.store.monitor.connect(), this.closedSignal]);
      if (this.closing) return;
      let subscription: AllStreamSubscription | null = null;
      try {
        subscription = this.store.openSubscription(this.received);
        this.current = subscription;
        this.caughtUp = false;
        subscription.on('caughtUp', () => {
          this.caughtUp = true;
          // A partial batch waiting for the catch-up to go on can go now.
          this.wakeData();
        });
        subscription.on('fellBehind', () => {
          this.caughtUp = false;
        });
        for await (const resolved of subscription) {
          if (this.closing) break;
          const recorded = resolved.event;
          if (recorded === undefined) continue;
          const position = packPosition(recorded.position);
          if (this.received !== undefined && position <= this.received) continue;
          this.received = position;
          failures = 0;
          if (!this.store.owns(recorded)) continue;
          this.queue.push(this.store.toStored(recorded));
          this.wakeData();
          while (this.queue.length >= this.highWater && !this.closing) await this.waitForSpace();
        }
        if (!this.closing) throw new Error('EventStoreDB ended the subscription');
      } catch (error) {
        if (this.closing) return;
        if (isUnavailable(error)) this.store.monitor.failed(error);
        else this.report(error);
        await this.sleep(backoff(failures++));
      } finally {
        this.current = null;
        if (subscription !== null) await subscription.unsubscribe().catch(() => undefined);
      }
    }
  }

  private async deliver(): Promise<void> {
    while (!this.closing) {
      if (this.queue.length === 0) {
        await this.waitForData(null);
        continue;
      }
      // Events arrive one by one: give a partial batch a moment to fill.
      const started = Date.now();
      while (!this.closing && this.queue.length < this.batchSize) {
        const left = started + (this.caughtUp ? LINGER_MS : CATCH_UP_LINGER_MS) - Date.now();
        if (left <= 0) break;
        await this.waitForData(left);
      }
      if (this.closing) return;
      const batch = this.queue.splice(0, this.batchSize);
      this.wakeSpace();
      let failures = 0;
      while (!this.closing) {
        try {
          await this.options.onBatch(batch);
          break;
        } catch (error) {
          this.report(error);
          await this.sleep(backoff(failures++));
        }
      }
    }
  }

  private report(error: unknown): void {
    if (this.options.onError === undefined || this.closing) return;
    try {
      this.options.onError(error);
    } catch {
      // A throwing error handler must not stop delivery.
    }
  }

  private waitForData(timeoutMs: number | null): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        if (this.dataWaiter === done) this.dataWaiter = null;
        resolve();
      };
      if (timeoutMs !== null) timer = setTimeout(done, Math.max(0, timeoutMs));
      this.dataWaiter = done;
    });
  }

  private waitForSpace(): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      this.spaceWaiter = resolve;
    });
  }

  /** Sleeps `ms`; close wakes every sleeper. */
  private sleep(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wakeData(): void {
    const wake = this.dataWaiter;
    this.dataWaiter = null;
    wake?.();
  }

  private wakeSpace(): void {
    const wake = this.spaceWaiter;
    this.spaceWaiter = null;
    wake?.();
  }

  private wakeAll(): void {
    this.wakeData();
    this.wakeSpace();
    for (const wake of [...this.sleepers]) wake();
  }
}

function backoff(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures, 16));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeData(recorded: RecordedEvent): unknown {
  if (recorded.isJson) return recorded.data;
  const bytes = recorded.data as Uint8Array;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

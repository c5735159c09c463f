import { upcast } from '../domain/events';
import type { EventStore, Position, StoredEvent, Subscription } from '../event-store/event-store.port';
import { PositionWaiters } from './position-waiters';
import { checkpointName, type DocumentKey, type ProjectedEvent, type Projection, type ProjectionContext } from './projection';
import { LeaseNotHeldError, type LeaseKeeper } from '../read-store/lease-keeper';
import { documentMatcher } from '../read-store/memory-read-store';
import { CommitTooLargeError, FencedOutError, ReadStoreBusyError, type Checkpoint, type Doc, type Fence, type Filter, type ReadStore, type WriteOp } from '../read-store/read-store.port';

export interface ProjectorLogger {
  log(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ProjectorOptions {
  readonly batchSize?: number;
  /**
   * Give the event loop a turn after this many events of a batch. A projector
   * sharing its process with the API must not hold the loop for a whole batch:
   * its awaits on synchronous SQLite calls resolve as microtasks and would
   * otherwise starve requests. 0 (the default) never yields: rebuilds.
   */
  readonly yieldEvery?: number;
  readonly logger?: ProjectorLogger;
  /**
   * The projector lease (LEASES.projector): when given, this projector writes
   * only while it holds it, every commit and reset carries its fencing token,
   * and it reads its checkpoints again each time it takes the lease anew.
   */
  readonly lease?: LeaseKeeper;
  /**
   * Where `catchUp` and `rebuild` commit their batches, when not the read
   * store itself: a store on another thread writing the same database (the
   * SQLite read store's ThreadedSqliteReadStore), so that a batch is committed
   * there while the next one is projected here. Reads stay on `readStore`.
   */
  readonly committer?: Committer;
  /**
   * While following the log under load, let the next batch fill for a while:
   * after a live batch of at least `afterEvents` events, wait `ms` before
   * reading on. One commit then carries several writers' commits, and a
   * document many events touch (a room, a membership) is written once for
   * all of them. A quiet log (smaller batches) is followed at once, so read
   * after write stays immediate when it can be; under load, waiters on
   * X-Min-Position wait up to `ms` longer. Catch-up and rebuild never wait.
   */
  readonly linger?: { readonly afterEvents: number; readonly ms: number };
}

/**
 * The linger of projectors that follow a busy log (the API's, apps/projector):
 * a live batch of 32 events or more means writers are busy, and 20 ms lets the
 * next batch gather what they write meanwhile. Measured on the send bench's
 * load (bench/send.bench.ts): about 60 events a batch and 235 µs of projector
 * CPU a comment without it, about 250 a batch and 140 µs with it.
 */
export const LIVE_LINGER = { afterEvents: 32, ms: 20 } as const;

/**
 * What commits a rebuild's batches (ProjectorOptions.committer). A connection of its own learns the collections
 * and loses their secondary indexes with the read store, so that it checks, without them, what they would refuse.
 */
export type Committer = Pick<ReadStore, 'commit'> & Partial<Pick<ReadStore, 'ensureCollections' | 'dropSecondaryIndexes'>>;

/** A write refused for want of the lease: not a projection's failure, never isolated or recorded. */
const isLeaseRefusal = (error: unknown): boolean => error instanceof LeaseNotHeldError || error instanceof FencedOutError;
/** Not the event's fault: the batch is retried as a whole, nothing is isolated or recorded. */
const isRetryable = (error: unknown): boolean => isLeaseRefusal(error) || error instanceof ReadStoreBusyError;

/** Why a projection stopped: the event it could not apply and the error, as plain data. */
export interface ProjectionFailure {
  /** Decimal position of the event. */
  readonly position: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly error: string;
  readonly failedAt: string;
}

/**
 * One projection as the projector sees it; plain data, so it can cross a
 * worker or process boundary as it is. A failed projection keeps its
 * checkpoint just before the event it could not apply.
 */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** Decimal position of the last event applied, null before the first. */
  readonly checkpoint: string | null;
  readonly state: 'running' | 'failed';
  /** When the last event this projection passed was recorded, if known. */
  readonly lastEventAt: string | null;
  readonly failure: ProjectionFailure | null;
}

/**
 * Where failures are kept beside the read models, one document per
 * projection (by checkpoint name), so `parley status`, a separate API process
 * and a restarted projector all see them. Written in the projector's own
 * commits; deleted once the projection passes the event, or by a rebuild.
 */
export const PROJECTION_FAILURES = 'projection_failures';

const MAX_ERROR_LENGTH = 2_000;

function failureOf(doc: Doc | null): ProjectionFailure | null {
  if (!doc || typeof doc['position'] !== 'string') return null;
  return {
    position: doc['position'],
    eventId: String(doc['eventId'] ?? ''),
    eventType: String(doc['eventType'] ?? ''),
    error: String(doc['error'] ?? ''),
    failedAt: String(doc['failedAt'] ?? ''),
  };
}

const failureCollectionReady = new WeakSet<ReadStore>();

/**
 * The projections' state as stored in the read store: for a process that
 * does not run the projector (the CLI, an API with PROJECTOR=external).
 */
export async function readProjectionStatus(
  readStore: ReadStore,
  projections: readonly Projection[],
): Promise<ProjectionStatus[]> {
  if (!failureCollectionReady.has(readStore)) {
    // Once per store: /health asks often, and creating is a write.
    await readStore.ensureCollections([{ name: PROJECTION_FAILURES, indexes: [] }]);
    failureCollectionReady.add(readStore);
  }
  const failures = await readStore.getMany(PROJECTION_FAILURES, projections.map(checkpointName));
  const byName = new Map(failures.map((doc) => [doc.id, failureOf(doc)]));
  const statuses: ProjectionStatus[] = [];
  for (const projection of projections) {
    const name = checkpointName(projection);
    const failure = byName.get(name) ?? null;
    statuses.push({
      name: projection.name,
      version: projection.version,
      checkpoint: await readStore.getCheckpoint(name),
      state: failure ? 'failed' : 'running',
      lastEventAt: null,
      failure,
    });
  }
  return statuses;
}

/** The events a batch projects, each upcast once: null for a type this build does not project. */
function projectedOf(events: readonly StoredEvent[]): (ProjectedEvent | null)[] {
  return events.map((stored) => {
    const event = upcast(stored.type, stored.version, stored.data);
    return event ? ({ ...stored, type: event.type, data: event.data } as ProjectedEvent) : null;
  });
}

/** The documents the projections declare they will read for these events (those they have not seen). */
function* prefetchKeys(
  projections: readonly Projection[],
  events: readonly (ProjectedEvent | null)[],
  checkpoints: ReadonlyMap<string, Position | null>,
): Generator<DocumentKey> {
  const declaring = projections.filter((projection) => projection.prefetch !== undefined);
  if (declaring.length === 0) return;
  for (const projected of events) {
    if (projected === null) continue;
    for (const projection of declaring) {
      const seen = checkpoints.get(checkpointName(projection));
      if (seen !== null && seen !== undefined && seen >= projected.position) continue;
      yield* projection.prefetch!(projected);
    }
  }
}

const silent: ProjectorLogger = { log: () => undefined, error: () => undefined };

/** Ids per `getMany` when a handler prefetches. */
const PREFETCH_CHUNK = 1000;
/** How often a rebuild at the head looks for more while the log is still being written. */
const FOLLOW_WRITER_MS = 20;

/** Documents read or written while one batch is applied; flushed in one commit. */
/**
 * Whether one position, as `_position` stamps it (a BigInt's decimal text, no
 * sign or leading zero), is before another: compared without parsing.
 */
export function positionTextBefore(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
}

/** A batch run through the handlers, not yet committed. */
interface ProjectedBatch {
  readonly projections: readonly Projection[];
  readonly events: readonly StoredEvent[];
  readonly ctx: BatchContext;
}

interface BatchEntry {
  readonly id: string;
  doc: Doc | null;
  dirty: boolean;
  /** Carried from the batch before, whose commit may still hold the document: changed only as a copy. */
  shared?: boolean;
}

class BatchContext implements ProjectionContext {
  /** By collection, then id: a rebuild makes millions of lookups, and no key string is built for one. */
  private readonly docs = new Map<string, Map<string, BatchEntry>>();
  position: Position = 0n;
  private positionText = '0';
  /** Documents the current event already changed: a handler may change one several times. */
  private readonly touchedNow = new Set<BatchEntry>();

  /**
   * `carried`: the batch before, whose commit may still be in flight. The documents it wrote are this batch's
   * starting point (the store may not show them yet); the store holds every other one as that batch left it.
   */
  constructor(
    private readonly readStore: ReadStore,
    carried?: BatchContext,
  ) {
    if (carried === undefined) return;
    for (const [collection, entries] of carried.docs) {
      const mine = this.collection(collection);
      // Only what it wrote: what it merely read, or carried and left alone, the store shows as it is.
      for (const entry of entries.values()) {
        if (entry.dirty) mine.set(entry.id, { id: entry.id, doc: entry.doc, dirty: false, shared: true });
      }
    }
  }

  at(position: Position): void {
    this.position = position;
    this.positionText = position.toString();
    this.touchedNow.clear();
  }

  private collection(collection: string): Map<string, BatchEntry> {
    let entries = this.docs.get(collection);
    if (entries === undefined) this.docs.set(collection, (entries = new Map()));
    return entries;
  }

  async get(collection: string, id: string): Promise<Doc | null> {
    const entries = this.collection(collection);
    const cached = entries.get(id);
    if (cached) return cached.doc;
    const doc = await this.readStore.get(collection, id);
    // Set only if still absent: another handler's read may have landed during the await.
    const entry = entries.get(id) ?? { id, doc, dirty: false };
    entries.set(id, entry);
    return entry.doc;
  }

  async find(collection: string, filter: Filter): Promise<Doc[]> {
    const entries = this.collection(collection);
    const found = new Map<string, Doc>();
    for (const doc of await this.readStore.find(collection, { filter })) {
      // A document the batch holds is taken from the batch (below), changed or deleted as it is there.
      if (entries.has(doc.id)) continue;
      entries.set(doc.id, { id: doc.id, doc, dirty: false });
      found.set(doc.id, doc);
    }
    const matches = documentMatcher(filter);
    for (const entry of entries.values()) {
      if (entry.doc !== null && matches(entry.doc)) found.set(entry.id, entry.doc);
    }
    return [...found.values()];
  }

  async prefetch(collection: string, ids: readonly string[]): Promise<void> {
    const entries = this.collection(collection);
    const missing = [...new Set(ids)].filter((id) => !entries.has(id));
    for (let i = 0; i < missing.length; i += PREFETCH_CHUNK) {
      await this.load(collection, entries, missing.slice(i, i + PREFETCH_CHUNK));
    }
  }

  /** Reads `ids` in one `getMany`; absent documents are cached as null too: asking again would find nothing either. */
  private async load(collection: string, entries: Map<string, BatchEntry>, ids: readonly string[]): Promise<void> {
    const found = new Map((await this.readStore.getMany(collection, ids)).map((doc) => [doc.id, doc]));
    for (const id of ids) {
      if (!entries.has(id)) entries.set(id, { id, doc: found.get(id) ?? null, dirty: false });
    }
  }

  async update(collection: string, id: string, change: (doc: Doc) => Doc | null, init?: () => Doc): Promise<void> {
    // A rebuild makes millions of updates: a cached document is changed in place of its entry, without a tick.
    const entries = this.collection(collection);
    let entry = entries.get(id);
    if (entry === undefined) {
      await this.get(collection, id);
      entry = entries.get(id)!;
    }
    const current = entry.doc;
    if (current && current._position !== undefined && !this.touchedNow.has(entry) && !positionTextBefore(current._position, this.positionText)) return;
    const base = current ?? (init ? init() : null);
    if (!base) return;
    let next = change(base);
    // The batch before may be committing this very object: its copy is stamped, not it.
    if (next !== null && next === current && entry.shared === true) next = { ...next };
    if (next !== null) {
      // Stamped in place, not copied again: the document is the batch's own (read and parsed for it, or made by
      // `change`), and every store keeps its own serialised copy.
      const stamped = next as { id: string; _position?: string };
      stamped.id = id;
      stamped._position = this.positionText;
    }
    entry.doc = next;
    entry.dirty = true;
    this.touchedNow.add(entry);
  }

  /** Loads the named documents not yet cached: one `getMany` per collection. */
  async prefetchDocuments(keys: Iterable<DocumentKey>): Promise<void> {
    const wanted = new Map<string, Set<string>>();
    for (const { collection, id } of keys) {
      if (this.docs.get(collection)?.has(id)) continue;
      let ids = wanted.get(collection);
      if (ids === undefined) wanted.set(collection, (ids = new Set()));
      ids.add(id);
    }
    for (const [collection, ids] of wanted) await this.load(collection, this.collection(collection), [...ids]);
  }

  /** The batch's writes; the documents stay, for a next batch to carry. */
  drain(): WriteOp[] {
    const ops: WriteOp[] = [];
    for (const [collection, entries] of this.docs) {
      for (const entry of entries.values()) {
        if (!entry.dirty) continue;
        ops.push(entry.doc === null ? { kind: 'delete', collection, id: entry.id } : { kind: 'put', collection, doc: entry.doc });
      }
    }
    return ops;
  }
}

/**
 * Runs projections over the global log: reads `$all` in batches from the
 * lowest checkpoint, applies each event to the projections that have not seen
 * it, and commits documents and checkpoints together. Killed at any moment it
 * resumes from the last commit without losing or doubling anything.
 *
 * A projection that cannot apply an event (its handler throws, or the read
 * store refuses its documents) stops alone: the batch is retried projection by
 * projection, then event by event for the one that fails; that projection is
 * marked failed with the event, keeps its checkpoint just before it and is
 * skipped from then on, while the others commit and go on. It stays stopped
 * until the process starts again (which retries it once from its checkpoint)
 * or a rebuild: such failures are deterministic, so retrying on a timer would
 * only repeat them. A read store that refuses every write (down) is not a
 * projection's failure: the batch fails and the subscription retries it.
 */
export class Projector {
  private readonly batchSize: number;
  private readonly yieldEvery: number;
  private readonly logger: ProjectorLogger;
  private readonly checkpoints = new Map<string, Position | null>();
  /** Projections stopped on an event, by checkpoint name; the others go on. */
  private readonly failures = new Map<string, ProjectionFailure>();
  /** Failure documents in the read store, deleted when their projection moves on. */
  private readonly storedFailures = new Set<string>();
  private readonly lastEventAtOf = new Map<string, string>();
  private subscription: Subscription | null = null;
  private readonly waiters = new PositionWaiters();
  private lastEventAt: string | null = null;
  private readonly lease: LeaseKeeper | null;
  private readonly committer: Committer;
  private readonly linger: { readonly afterEvents: number; readonly ms: number } | null;
  /** Ends the linger in progress at once (stop, or the lease lost). */
  private endLinger: (() => void) | null = null;
  /** Following the log starts and stops with the lease, one change at a time. */
  private following: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection[],
    options: ProjectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.yieldEvery = options.yieldEvery ?? 0;
    this.logger = options.logger ?? silent;
    this.lease = options.lease ?? null;
    this.committer = options.committer ?? readStore;
    const linger = options.linger ?? null;
    if (linger !== null && !(Number.isSafeInteger(linger.afterEvents) && linger.afterEvents > 0 && Number.isFinite(linger.ms) && linger.ms >= 0)) {
      throw new TypeError(`Projector: invalid linger ${JSON.stringify(linger)}`);
    }
    this.linger = linger;
  }

  /**
   * Prepares collections, rebuilds projections whose version changed, and
   * starts following the log; with a lease, once it holds it (another
   * projector may), and again each time it takes it back.
   */
  async start(): Promise<void> {
    const lease = this.lease;
    if (lease === null) {
      await this.prepare();
      this.follow();
      return;
    }
    lease.onAcquired(() => {
      this.following = this.following.then(() => this.refollow());
    });
    lease.onLost(() => {
      this.logger.log('projector lease lost; writing stops', { lease: lease.name });
      this.following = this.following.then(() => this.unfollow());
    });
    lease.start();
    await lease.tick();
    await this.following;
  }

  /** Whether this projector writes now (always, without a lease). */
  holdsLease(): boolean {
    return this.lease === null || this.lease.held();
  }

  private async refollow(): Promise<void> {
    await this.unfollow();
    // Taken anew: another projector may have moved every checkpoint meanwhile.
    this.checkpoints.clear();
    while (!this.stopping && this.lease?.held()) {
      try {
        await this.prepare();
        this.follow();
        return;
      } catch (error) {
        this.logger.error('projector could not start under its lease; retrying', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async unfollow(): Promise<void> {
    this.endLinger?.();
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close();
  }

  private fence(): Fence | undefined {
    return this.lease?.fence();
  }

  private follow(): void {
    const after = this.lowestCheckpoint();
    this.subscription = this.eventStore.subscribe({
      after: after ?? undefined,
      batchSize: this.batchSize,
      onBatch: (events) => this.applyLive(events),
      onError: (error) => this.logger.error('projector batch failed; retrying', { error: String(error) }),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.endLinger?.();
    await this.following;
    await this.unfollow();
    await this.lease?.stop();
    this.waiters.releaseAll();
  }

  /**
   * Drops every read model and projects the whole log again, in batches; returns events applied.
   * `until`: the log is still being written (an import restoring it on another thread). The rebuild follows
   * it, catching up again as it grows, and ends at the head once `until` has settled, however it settled.
   */
  async rebuild(onProgress?: (position: Position, applied: number) => void, options: { readonly until?: Promise<unknown> } = {}): Promise<number> {
    await this.readStore.ensureCollections(this.collectionSpecs());
    const committer = this.committer === this.readStore ? null : this.committer;
    await committer?.ensureCollections?.(this.collectionSpecs());
    const collections = this.projections.flatMap((p) => p.collections.map((c) => c.name));
    await this.readStore.reset(collections, this.projections.map(checkpointName), this.fence());
    await this.readStore.commit(
      this.projections.map((p) => ({ kind: 'delete', collection: PROJECTION_FAILURES, id: checkpointName(p) })),
      [],
      this.fence(),
    );
    for (const projection of this.projections) {
      const name = checkpointName(projection);
      this.checkpoints.set(name, null);
      this.failures.delete(name);
      this.storedFailures.delete(name);
      this.lastEventAtOf.delete(name);
    }
    // Loaded without their secondary indexes, which are then built in one pass each: a B-tree insert at a random
    // place per row and index costs several times the row itself (decision 0054). Built again even when the load
    // fails, and by every start's ensureCollections should this process die first.
    // Both connections check, without the indexes, what they would have refused: the committer's batches, and
    // the read store's own commits when a failed batch is applied again the careful way.
    await this.readStore.dropSecondaryIndexes?.(collections);
    await committer?.dropSecondaryIndexes?.(collections);
    try {
      if (options.until === undefined) return await this.catchUp(onProgress);
      let writing = true;
      const written = options.until.then(
        () => (writing = false),
        () => (writing = false),
      );
      let applied = 0;
      const counted = (position: Position, done: number) => onProgress?.(position, applied + done);
      for (;;) {
        // Read before catching up: once the writer has ended, one catch-up sees everything it wrote.
        const ended = !writing;
        const more = await this.catchUp(counted);
        applied += more;
        if (ended) return applied;
        // At the head while the writer goes on: look again when it has written more, or has ended.
        if (more === 0) await Promise.race([written, new Promise((resolve) => setTimeout(resolve, FOLLOW_WRITER_MS))]);
      }
    } finally {
      await this.readStore.ensureCollections(this.collectionSpecs());
    }
  }

  /** Applies everything up to the current head without following; returns events applied. */
  async catchUp(onProgress?: (position: Position, applied: number) => void): Promise<number> {
    if (this.checkpoints.size === 0) await this.prepare();
    let applied = 0;
    let after = this.lowestCheckpoint() ?? undefined;
    // One batch commits (with the committer, on its thread) while the next is read and projected here, carrying
    // the documents of the one in flight. A failure takes the careful path: the batch in flight is settled, then
    // the next is applied as `apply` does, with its isolation of a projection and event.
    let inFlight: { batch: ProjectedBatch; done: Promise<void> } | null = null;
    const settle = async (): Promise<boolean> => {
      if (inFlight === null) return true;
      const { batch, done } = inFlight;
      inFlight = null;
      try {
        await done;
        this.finished(batch.events);
      } catch (error) {
        if (isRetryable(error)) throw error;
        await this.apply(batch.events);
        return false;
      }
      return true;
    };
    const progress = (events: readonly StoredEvent[]) => {
      applied += events.length;
      onProgress?.(events[events.length - 1]!.position, applied);
    };
    try {
      for (;;) {
        if (this.running().length === 0) break;
        const events = await this.eventStore.readAll({ after, maxCount: this.batchSize });
        if (events.length === 0) break;
        after = events[events.length - 1]!.position;
        let next: ProjectedBatch | null = null;
        let failure: unknown = null;
        const carried = inFlight?.batch.ctx;
        try {
          next = await this.project(this.running(), events, carried);
        } catch (error) {
          failure = error;
        }
        const previous = inFlight?.batch.events;
        const clean = await settle();
        if (previous !== undefined) progress(previous);
        if (failure !== null && isRetryable(failure)) throw failure;
        if (next === null || !clean) {
          // Projected on what the failed batch left, or not projected at all: applied alone, from the store.
          await this.apply(events);
          progress(events);
          continue;
        }
        const done = this.commitProjected(next, this.committer);
        // Awaited by settle; a rejection meanwhile is not unhandled.
        done.catch(() => undefined);
        inFlight = { batch: next, done };
      }
    } finally {
      const last = inFlight as { batch: ProjectedBatch } | null;
      if (last !== null) {
        await settle();
        progress(last.batch.events);
      }
    }
    return applied;
  }

  /** The position every running projection has passed, or null before the first event. */
  position(): Position | null {
    return this.lowestCheckpoint();
  }

  /** Each projection's checkpoint and state, with the failure that stopped it. */
  status(): ProjectionStatus[] {
    return this.projections.map((projection) => {
      const name = checkpointName(projection);
      const checkpoint = this.checkpoints.get(name);
      const failure = this.failures.get(name) ?? null;
      return {
        name: projection.name,
        version: projection.version,
        checkpoint: checkpoint === null || checkpoint === undefined ? null : checkpoint.toString(),
        state: failure ? 'failed' : 'running',
        lastEventAt: this.lastEventAtOf.get(name) ?? null,
        failure,
      };
    });
  }

  lag(): { lastEventAt: string | null; position: string | null } {
    const position = this.position();
    return { lastEventAt: this.lastEventAt, position: position === null ? null : position.toString() };
  }

  /**
   * Resolves true once every running projection has passed `position`, false
   * after `timeoutMs`. A failed projection is not waited for: ask `status()`.
   */
  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    return this.waiters.wait(position, timeoutMs, this.position());
  }


  private collectionSpecs() {
    return [...this.projections.flatMap((p) => p.collections), { name: PROJECTION_FAILURES, indexes: [] }];
  }

  private running(): readonly Projection[] {
    return this.projections.filter((p) => !this.failures.has(checkpointName(p)));
  }

  private async prepare(): Promise<void> {
    await this.readStore.ensureCollections(this.collectionSpecs());
    const stored = await this.readStore.getMany(PROJECTION_FAILURES, this.projections.map(checkpointName));
    for (const doc of stored) {
      // Starting again is the retry: the projection resumes from its checkpoint,
      // and the record goes once it passes the event, or is written again.
      this.storedFailures.add(doc.id);
      this.logger.log('projection failed before; retrying it from its checkpoint', { projection: doc.id, failure: failureOf(doc) });
    }
    for (const projection of this.projections) {
      const name = checkpointName(projection);
      const stored = await this.readStore.getCheckpoint(name);
      if (stored === null) {
        // A projection never run at this version: whatever its collections hold
        // came from an older version, so it starts over from position 0.
        await this.readStore.reset(
          projection.collections.map((c) => c.name),
          [name],
          this.fence(),
        );
        this.logger.log('projection starts from position 0', { projection: name });
      }
      this.checkpoints.set(name, stored === null ? null : BigInt(stored));
    }
  }

  private lowestCheckpoint(): Position | null {
    let lowest: Position | null = null;
    for (const [name, value] of this.checkpoints) {
      if (this.failures.has(name)) continue;
      if (value === null) return null;
      if (lowest === null || value < lowest) lowest = value;
    }
    return lowest;
  }

  /** A batch of the live log; under load (see ProjectorOptions.linger) the next one is let fill before it is read. */
  private async applyLive(events: readonly StoredEvent[]): Promise<void> {
    await this.apply(events);
    const linger = this.linger;
    if (linger !== null && events.length >= linger.afterEvents && !this.stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.endLinger?.(), linger.ms);
        this.endLinger = () => {
          clearTimeout(timer);
          this.endLinger = null;
          resolve();
        };
      });
    }
  }

  private async apply(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const running = this.running();
    try {
      // The normal path: every running projection, one commit for the batch.
      await this.applyTo(running, events);
    } catch (error) {
      if (isRetryable(error)) throw error;
      // Too large for one commit (MongoDB's transaction limits): halves, each its own commit.
      // One event still too large falls through to the isolation below and stops that projection.
      if (error instanceof CommitTooLargeError && events.length > 1) {
        const half = Math.ceil(events.length / 2);
        await this.apply(events.slice(0, half));
        await this.apply(events.slice(half));
        return;
      }
      this.logger.error('projector batch failed; isolating the projection and event', { error: String(error) });
      for (const projection of running) await this.applyAlone(projection, events);
    }
    this.finished(events);
  }

  /** After a batch is committed: its time, and the waiters it releases. */
  private finished(events: readonly StoredEvent[]): void {
    this.lastEventAt = events[events.length - 1]!.recordedAt;
    this.release();
  }

  /** Applies `events` to `projections` and commits their documents and checkpoints together. */
  private async applyTo(projections: readonly Projection[], events: readonly StoredEvent[]): Promise<void> {
    await this.commitProjected(await this.project(projections, events), this.readStore);
  }

  /** Runs the handlers over a batch; what it changed is then committed by `commitProjected`. */
  private async project(projections: readonly Projection[], events: readonly StoredEvent[], carried?: BatchContext): Promise<ProjectedBatch> {
    const ctx = new BatchContext(this.readStore, carried);
    const projectedEvents = projectedOf(events);
    await ctx.prefetchDocuments(prefetchKeys(projections, projectedEvents, this.checkpoints));
    const seenOf = projections.map((projection) => this.checkpoints.get(checkpointName(projection)) ?? null);
    let sinceYield = 0;
    for (const projected of projectedEvents) {
      if (this.yieldEvery > 0 && ++sinceYield >= this.yieldEvery) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (projected === null) continue;
      ctx.at(projected.position);
      for (let i = 0; i < projections.length; i++) {
        const seen = seenOf[i]!;
        if (seen !== null && seen >= projected.position) continue;
        const handler = projections[i]!.handlers[projected.type] as
          | ((e: ProjectedEvent, c: ProjectionContext) => Promise<void>)
          | undefined;
        if (handler) await handler(projected, ctx);
      }
    }
    return { projections, events, ctx };
  }

  /** Commits a projected batch's documents and checkpoints together, with `store`, and records the checkpoints. */
  private async commitProjected({ projections, events, ctx }: ProjectedBatch, store: Pick<ReadStore, 'commit'>): Promise<void> {
    const last = events[events.length - 1]!;
    const checkpoints: Checkpoint[] = [];
    const cleared: string[] = [];
    for (const projection of projections) {
      const name = checkpointName(projection);
      const seen = this.checkpoints.get(name) ?? null;
      if (seen !== null && seen >= last.position) continue;
      checkpoints.push({ name, position: last.position.toString() });
      if (this.storedFailures.has(name)) cleared.push(name);
    }
    const ops = ctx.drain();
    for (const name of cleared) ops.push({ kind: 'delete', collection: PROJECTION_FAILURES, id: name });
    await store.commit(ops, checkpoints, this.fence());
    for (const checkpoint of checkpoints) {
      this.checkpoints.set(checkpoint.name, last.position);
      this.lastEventAtOf.set(checkpoint.name, last.recordedAt);
    }
    for (const name of cleared) {
      this.storedFailures.delete(name);
      this.logger.log('projection passed the event it had failed on', { projection: name });
    }
  }

  /**
   * After a failed batch: this projection's share of it in one commit, and if
   * that fails too, event by event until the one it cannot apply.
   */
  private async applyAlone(projection: Projection, events: readonly StoredEvent[]): Promise<void> {
    try {
      await this.applyTo([projection], events);
      return;
    } catch {
      // Narrowed down below.
    }
    const name = checkpointName(projection);
    for (const stored of events) {
      const seen = this.checkpoints.get(name);
      if (seen !== null && seen !== undefined && seen >= stored.position) continue;
      try {
        await this.applyTo([projection], [stored]);
      } catch (error) {
        if (isRetryable(error)) throw error;
        await this.markFailed(projection, stored, error);
        return;
      }
    }
  }

  private async markFailed(projection: Projection, event: StoredEvent, error: unknown): Promise<void> {
    const name = checkpointName(projection);
    const message = error instanceof Error ? error.message : String(error);
    const failure: ProjectionFailure = {
      position: event.position.toString(),
      eventId: event.id,
      eventType: event.type,
      error: message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message,
      failedAt: new Date().toISOString(),
    };
    // If even this small write fails, the store itself is in trouble, not the
    // projection: the error goes up and the whole batch is tried again.
    await this.readStore.commit(
      [{ kind: 'put', collection: PROJECTION_FAILURES, doc: { id: name, projection: projection.name, version: projection.version, ...failure } }],
      [],
      this.fence(),
    );
    this.failures.set(name, failure);
    this.storedFailures.add(name);
    this.logger.error('projection stopped on an event it cannot apply; the others go on', { projection: name, ...failure });
  }

  private release(): void {
    this.waiters.release(this.position());
  }
}

import { upcast } from '../domain/events';
import type { EventStore, Position, StoredEvent, Subscription } from '../event-store/event-store.port';
import { checkpointName, type ProjectedEvent, type Projection, type ProjectionContext } from './projection';
import type { Checkpoint, Doc, ReadStore, WriteOp } from '../read-store/read-store.port';

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
}

const silent: ProjectorLogger = { log: () => undefined, error: () => undefined };

/** Ids per `getMany` when a handler prefetches. */
const PREFETCH_CHUNK = 1000;

/** Documents read or written while one batch is applied; flushed in one commit. */
class BatchContext implements ProjectionContext {
  private readonly docs = new Map<string, { collection: string; id: string; doc: Doc | null; dirty: boolean }>();
  position: Position = 0n;
  private positionText = '0';
  /** Documents the current event already changed: a handler may change one several times. */
  private readonly touchedNow = new Set<string>();

  constructor(private readonly readStore: ReadStore) {}

  at(position: Position): void {
    this.position = position;
    this.positionText = position.toString();
    this.touchedNow.clear();
  }

  async get(collection: string, id: string): Promise<Doc | null> {
    const key = `${collection}\u0000${id}`;
    const cached = this.docs.get(key);
    if (cached) return cached.doc;
    const doc = await this.readStore.get(collection, id);
    this.docs.set(key, { collection, id, doc, dirty: false });
    return doc;
  }

  async prefetch(collection: string, ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.docs.has(`${collection}\u0000${id}`));
    for (let i = 0; i < missing.length; i += PREFETCH_CHUNK) {
      const chunk = missing.slice(i, i + PREFETCH_CHUNK);
      const found = new Map((await this.readStore.getMany(collection, chunk)).map((doc) => [doc.id, doc]));
      for (const id of chunk) {
        const key = `${collection}\u0000${id}`;
        if (!this.docs.has(key)) this.docs.set(key, { collection, id, doc: found.get(id) ?? null, dirty: false });
      }
    }
  }

  async update(collection: string, id: string, change: (doc: Doc) => Doc | null, init?: () => Doc): Promise<void> {
    const key = `${collection}\u0000${id}`;
    const current = await this.get(collection, id);
    if (current && current._position !== undefined && !this.touchedNow.has(key)) {
      if (BigInt(current._position) >= this.position) return;
    }
    const base = current ?? (init ? init() : null);
    if (!base) return;
    const next = change(base);
    const doc = next === null ? null : { ...next, id, _position: this.positionText };
    this.docs.set(key, { collection, id, doc, dirty: true });
    this.touchedNow.add(key);
  }

  drain(): WriteOp[] {
    const ops: WriteOp[] = [];
    for (const entry of this.docs.values()) {
      if (!entry.dirty) continue;
      ops.push(
        entry.doc === null
          ? { kind: 'delete', collection: entry.collection, id: entry.id }
          : { kind: 'put', collection: entry.collection, doc: entry.doc },
      );
    }
    this.docs.clear();
    return ops;
  }
}

/**
 * Runs projections over the global log: reads `$all` in batches from the
 * lowest checkpoint, applies each event to the projections that have not seen
 * it, and commits documents and checkpoints together. Killed at any moment it
 * resumes from the last commit without losing or doubling anything.
 */
export class Projector {
  private readonly batchSize: number;
  private readonly yieldEvery: number;
  private readonly logger: ProjectorLogger;
  private readonly checkpoints = new Map<string, Position | null>();
  private subscription: Subscription | null = null;
  private waiters: { position: Position; resolve: (reached: boolean) => void }[] = [];
  private lastEventAt: string | null = null;

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection[],
    options: ProjectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.yieldEvery = options.yieldEvery ?? 0;
    this.logger = options.logger ?? silent;
  }

  /** Prepares collections, rebuilds projections whose version changed, and starts following the log. */
  async start(): Promise<void> {
    await this.prepare();
    const after = this.lowestCheckpoint();
    this.subscription = this.eventStore.subscribe({
      after: after ?? undefined,
      batchSize: this.batchSize,
      onBatch: (events) => this.apply(events),
      onError: (error) => this.logger.error('projector batch failed; retrying', { error: String(error) }),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = null;
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters = [];
  }

  /** Drops every read model and projects the whole log again, in batches; returns events applied. */
  async rebuild(onProgress?: (position: Position, applied: number) => void): Promise<number> {
    await this.readStore.ensureCollections(this.projections.flatMap((p) => p.collections));
    await this.readStore.reset(
      this.projections.flatMap((p) => p.collections.map((c) => c.name)),
      this.projections.map(checkpointName),
    );
    for (const projection of this.projections) this.checkpoints.set(checkpointName(projection), null);
    return this.catchUp(onProgress);
  }

  /** Applies everything up to the current head without following; returns events applied. */
  async catchUp(onProgress?: (position: Position, applied: number) => void): Promise<number> {
    if (this.checkpoints.size === 0) await this.prepare();
    let applied = 0;
    let after = this.lowestCheckpoint() ?? undefined;
    for (;;) {
      const events = await this.eventStore.readAll({ after, maxCount: this.batchSize });
      if (events.length === 0) return applied;
      await this.apply(events);
      applied += events.length;
      after = events[events.length - 1]!.position;
      onProgress?.(after, applied);
    }
  }

  /** The position every projection has passed, or null before the first event. */
  position(): Position | null {
    return this.lowestCheckpoint();
  }

  lag(): { lastEventAt: string | null; position: string | null } {
    const position = this.position();
    return { lastEventAt: this.lastEventAt, position: position === null ? null : position.toString() };
  }

  /** Resolves true once every projection has passed `position`, false after `timeoutMs`. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    const current = this.position();
    if (current !== null && current >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private async prepare(): Promise<void> {
    await this.readStore.ensureCollections(this.projections.flatMap((p) => p.collections));
    for (const projection of this.projections) {
      const name = checkpointName(projection);
      const stored = await this.readStore.getCheckpoint(name);
      if (stored === null) {
        // A projection never run at this version: whatever its collections hold
        // came from an older version, so it starts over from position 0.
        await this.readStore.reset(
          projection.collections.map((c) => c.name),
          [name],
        );
        this.logger.log('projection starts from position 0', { projection: name });
      }
      this.checkpoints.set(name, stored === null ? null : BigInt(stored));
    }
  }

  private lowestCheckpoint(): Position | null {
    let lowest: Position | null = null;
    for (const value of this.checkpoints.values()) {
      if (value === null) return null;
      if (lowest === null || value < lowest) lowest = value;
    }
    return lowest;
  }

  private async apply(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ctx = new BatchContext(this.readStore);
    let sinceYield = 0;
    for (const stored of events) {
      if (this.yieldEvery > 0 && ++sinceYield >= this.yieldEvery) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const event = upcast(stored.type, stored.version, stored.data);
      if (!event) continue;
      ctx.at(stored.position);
      const projected = { ...stored, type: event.type, data: event.data } as ProjectedEvent;
      for (const projection of this.projections) {
        const seen = this.checkpoints.get(checkpointName(projection));
        if (seen !== null && seen !== undefined && seen >= stored.position) continue;
        const handler = projection.handlers[event.type] as
          | ((e: ProjectedEvent, c: ProjectionContext) => Promise<void>)
          | undefined;
        if (handler) await handler(projected, ctx);
      }
    }
    const last = events[events.length - 1]!;
    const checkpoints: Checkpoint[] = [];
    for (const [name, seen] of this.checkpoints) {
      if (seen === null || seen < last.position) checkpoints.push({ name, position: last.position.toString() });
    }
    await this.readStore.commit(ctx.drain(), checkpoints);
    for (const checkpoint of checkpoints) this.checkpoints.set(checkpoint.name, last.position);
    this.lastEventAt = last.recordedAt;
    this.release();
  }

  private release(): void {
    const current = this.position();
    if (current === null) return;
    const ready = this.waiters.filter((w) => w.position <= current);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > current);
    for (const waiter of ready) waiter.resolve(true);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { StoredEvent } from '../../../libs/event-store/event-store.port';
import { checkpointName } from '../../../libs/projection/projection';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { PRESENCE, presenceProjection } from '../../../projections/presence.projection';
import { LiveLogListener } from '../infrastructure/live-log-listener';
import { LogFollower } from '../infrastructure/log-follower';
import { READ_STORE } from '../infrastructure/tokens';

/** The event types that change a presence document: exactly those its projection handles. */
const CHANGES: ReadonlySet<string> = new Set(Object.keys(presenceProjection.handlers));
const CHECKPOINT = checkpointName(presenceProjection);
const CAPACITY = 20_000;
/** Past this many users awaiting the read model, the cache starts over (the read model is far behind). */
const PENDING_MAX = 50_000;
/** Past this many, the notes the read model has passed are dropped (then again at twice what is left). */
const PENDING_PRUNE = 5_000;

const positionOf = (doc: Doc): bigint => (typeof doc._position === 'string' ? BigInt(doc._position) : 0n);

/**
 * Presence documents (the privacy rule's data), cached in this process so
 * that a view of 5,000 users does not parse 5,000 documents each time.
 *
 * The log says when a cached copy is stale: this process's LogFollower hands
 * over every event as it is appended, usually before the projector has
 * applied it, and an event for a user drops that user's copy and notes its
 * position. A copy read from the read model is kept only if it has seen
 * every event noted for its user, never replaces a newer one, and only once
 * the read model has passed the point where following began (older events
 * were never seen here). A fetch that overlaps a pruning of the notes keeps
 * nothing. So a cached copy is never older than what the read model serves,
 * and is dropped as soon as the log moves on.
 */
@Injectable()
export class PresenceDocs extends LiveLogListener {
  private readonly entries = new Map<string, Doc>();
  /** Users with an event this process saw, and its position, until the read model is known to be past it. */
  private readonly pending = new Map<string, bigint>();
  /** Bumped whenever notes are dropped: a fetch that started before keeps nothing. */
  private generation = 0;
  /** The read model must be past this position before anything is cached; null until the follower delivered. */
  private readyFrom: bigint | null = null;
  private ready = false;
  private lastSeen = 0n;
  private pruneAt = PENDING_PRUNE;

  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    follower: LogFollower,
  ) {
    super(follower);
  }

  /** The documents of `ids` that exist, by id: cached copies, the rest in one `getMany`. */
  async getMany(ids: readonly string[]): Promise<Map<string, Doc>> {
    const found = new Map<string, Doc>();
    const missing: string[] = [];
    for (const id of ids) {
      const doc = this.entries.get(id);
      if (doc) found.set(id, doc);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    const cacheable = await this.cacheable();
    const docs = await this.readStore.getMany(PRESENCE, missing);
    const keep = cacheable && generation === this.generation;
    for (const doc of docs) {
      found.set(doc.id, doc);
      if (keep) this.offer(doc);
    }
    return found;
  }

  /** How many copies are held (for tests and diagnosis). */
  get size(): number {
    return this.entries.size;
  }

  private offer(doc: Doc): void {
    const position = positionOf(doc);
    const awaited = this.pending.get(doc.id);
    if (awaited !== undefined && position < awaited) return;
    const current = this.entries.get(doc.id);
    if (current && positionOf(current) > position) return;
    this.entries.set(doc.id, doc);
    if (this.entries.size > CAPACITY) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  private async cacheable(): Promise<boolean> {
    if (this.ready) return true;
    if (this.readyFrom === null) return false;
    const checkpoint = await this.readStore.getCheckpoint(CHECKPOINT);
    this.ready = checkpoint !== null && BigInt(checkpoint) >= this.readyFrom;
    return this.ready;
  }

  protected async observe(events: readonly StoredEvent[]): Promise<void> {
    if (this.readyFrom === null) this.readyFrom = this.follower.startPosition;
    for (const event of events) {
      if (event.position > this.lastSeen) this.lastSeen = event.position;
      if (!CHANGES.has(event.type)) continue;
      const userId = (event.data as { readonly userId?: unknown }).userId;
      if (typeof userId !== 'string') continue;
      this.entries.delete(userId);
      const noted = this.pending.get(userId);
      if (noted === undefined || noted < event.position) this.pending.set(userId, event.position);
    }
    if (this.pending.size > PENDING_MAX) this.restart();
    else if (this.pending.size > this.pruneAt) await this.prune();
  }

  /** Drops the notes the read model has passed: any copy read from now on has seen those events. */
  private async prune(): Promise<void> {
    const checkpoint = await this.readStore.getCheckpoint(CHECKPOINT);
    if (checkpoint === null) return;
    const passed = BigInt(checkpoint);
    this.generation += 1;
    for (const [userId, position] of this.pending) if (position <= passed) this.pending.delete(userId);
    this.pruneAt = Math.max(PENDING_PRUNE, 2 * this.pending.size);
  }

  /** Forgets everything and caches again once the read model has caught up with what was seen. */
  private restart(): void {
    this.generation += 1;
    this.entries.clear();
    this.pending.clear();
    this.pruneAt = PENDING_PRUNE;
    this.ready = false;
    this.readyFrom = this.lastSeen;
  }
}

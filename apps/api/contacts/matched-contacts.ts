import { Inject, Injectable } from '@nestjs/common';
import type { StoredEvent } from '../../../libs/event-store/event-store.port';
import { checkpointName } from '../../../libs/projection/projection';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { contactsProjection } from '../../../projections/contacts.projection';
import { LiveLogListener } from '../infrastructure/live-log-listener';
import { LogFollower } from '../infrastructure/log-follower';
import { READ_STORE } from '../infrastructure/tokens';

/** An address book's entry matched to an account; a book's list is in contact-id order, one entry per account. */
export type MatchedEntry = { readonly contactId: string; readonly userId: string };

/** The event types that change the contacts read model: exactly those its projection handles. */
const CHANGES: ReadonlySet<string> = new Set(Object.keys(contactsProjection.handlers));
const CHECKPOINT = checkpointName(contactsProjection);
/** Books smaller than this are read each time: the read is cheap, and only large books are worth their memory. */
export const MATCHED_CACHE_MIN = 500;
/** Entries kept in all, across books (about 80 bytes each): the oldest book goes first past it. */
const CAPACITY_ENTRIES = 250_000;
/** Past this many owners noted, the notes the read model has passed are dropped (then again at twice what is left). */
const NOTES_PRUNE = 10_000;

/**
 * The matched entries of large address books (a view of all contacts'
 * presence starts from them), kept in this process between requests.
 *
 * The log says when a copy is stale. This process's LogFollower hands over
 * every event as it is appended: an event for one owner's book drops that
 * owner's copy; an account event (a registration, a verified phone, a
 * removal), which may match or unmatch entries of any book, drops them all.
 * A copy is kept only if the read model had passed every such event seen so
 * far when it was read, and nothing was dropped during the read. It is
 * answered only while the log is followed and the follower has seen at least
 * as far as the read model has applied: an event the read model applied and
 * the follower has not yet handed over (a read with X-Min-Position right
 * after a write) could otherwise be missing from a copy. So a copy is never
 * older than what the read model would answer.
 */
@Injectable()
export class MatchedContacts extends LiveLogListener {
  private readonly entries = new Map<string, readonly MatchedEntry[]>();
  private held = 0;
  /** Per owner, the last event of their book seen here; `anyBook`, the last account event (it changes any book). */
  private readonly changedAt = new Map<string, bigint>();
  private anyBook = 0n;
  /** Bumped whenever a copy is dropped: a read that started before keeps nothing. */
  private generation = 0;
  private lastSeen: bigint | null = null;
  /** The highest checkpoint seen, and the one a reset of the read model must reach again before anything is kept. */
  private highest = 0n;
  private readyFrom = 0n;
  private pruneAt = NOTES_PRUNE;
  /** Books with fewer matched entries are not kept (lowered by tests). */
  minimumBook = MATCHED_CACHE_MIN;

  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    follower: LogFollower,
  ) {
    super(follower);
  }

  /** The owner's matched entries: a copy when one is current, else `read()` (kept when the book is large). */
  async of(ownerId: string, read: () => Promise<MatchedEntry[]>): Promise<readonly MatchedEntry[]> {
    if (!this.follower.live) return read();
    const generation = this.generation;
    const applied = await this.checkpoint();
    if (applied === null) return read();
    // The read model went back (a rebuild): what was noted and pruned may be applied again, unseen here.
    if (applied < this.highest) this.reset();
    else this.highest = applied;
    // The follower must have handed over everything the read model has applied, or a copy could miss it.
    if (applied > (this.lastSeen ?? this.follower.startPosition)) return read();
    const copy = this.entries.get(ownerId);
    if (copy !== undefined) return copy;
    const matched = await read();
    // Events before the follower's start, or before a reset, were never seen here: the read model must have passed them.
    const noted = this.changedAt.get(ownerId) ?? 0n;
    const passed = applied >= this.readyFrom && applied >= this.follower.startPosition && applied >= this.anyBook && applied >= noted;
    if (passed && generation === this.generation && matched.length >= this.minimumBook) this.keep(ownerId, matched);
    if (this.changedAt.size > this.pruneAt) this.prune(applied);
    return matched;
  }

  /** How many books are held (for tests and diagnosis). */
  get size(): number {
    return this.entries.size;
  }

  private async checkpoint(): Promise<bigint | null> {
    const stored = await this.readStore.getCheckpoint(CHECKPOINT);
    return stored === null ? null : BigInt(stored);
  }

  private keep(ownerId: string, matched: readonly MatchedEntry[]): void {
    this.drop(ownerId);
    this.entries.set(ownerId, matched);
    this.held += matched.length;
    while (this.held > CAPACITY_ENTRIES && this.entries.size > 1) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }

  private drop(ownerId: string): void {
    const copy = this.entries.get(ownerId);
    if (copy === undefined) return;
    this.entries.delete(ownerId);
    this.held -= copy.length;
  }

  private reset(): void {
    this.readyFrom = this.highest;
    this.generation += 1;
    this.entries.clear();
    this.held = 0;
  }

  /** Drops the notes the read model has passed (`applied`): a read from now on has seen those events. */
  private prune(applied: bigint): void {
    this.generation += 1;
    for (const [ownerId, position] of this.changedAt) if (position <= applied) this.changedAt.delete(ownerId);
    this.pruneAt = Math.max(NOTES_PRUNE, 2 * this.changedAt.size);
  }

  protected observe(events: readonly StoredEvent[]): void {
    for (const event of events) {
      if (this.lastSeen === null || event.position > this.lastSeen) this.lastSeen = event.position;
      if (!CHANGES.has(event.type)) continue;
      this.generation += 1;
      const ownerId = (event.data as { readonly ownerId?: unknown }).ownerId;
      if (typeof ownerId === 'string') {
        this.changedAt.set(ownerId, event.position);
        this.drop(ownerId);
      } else {
        this.anyBook = event.position;
        this.changedAt.clear();
        this.entries.clear();
        this.held = 0;
      }
    }
  }
}

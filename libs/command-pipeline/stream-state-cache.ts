import { upcast, type ParleyEvent } from '../domain/events';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';

export interface Loaded<S> {
  readonly state: S;
  /** Revision of the last event folded in, null when the stream does not exist. */
  readonly revision: number | null;
}

interface Entry<S> extends Loaded<S> {
  /** When the store was last asked. */
  readonly checkedAt: number;
  /** The local-write counter when that read started. */
  readonly seenWrite: number;
}

/**
 * Streams this process appended to (EventWriter notes each append): a state
 * trusted for a while without reading (`maxAgeMs`) is read again at once
 * after a local write. Bounded; a stream evicted here is at worst trusted for
 * `maxAgeMs`, like a write from another process.
 */
const localWrites = new Map<string, number>();
let writeCounter = 0;
const LOCAL_WRITES_CAPACITY = 100_000;

export function noteLocalAppend(streamId: string): void {
  localWrites.delete(streamId);
  localWrites.set(streamId, ++writeCounter);
  if (localWrites.size > LOCAL_WRITES_CAPACITY) {
    const oldest = localWrites.keys().next().value;
    if (oldest !== undefined) localWrites.delete(oldest);
  }
}

/**
 * Decision state of small streams (rooms, users), kept folded in memory. A
 * load reads only the events after the cached revision, so its cost follows
 * what changed since, not the stream's length. Entries are evicted oldest
 * first past `capacity`; any process can fall behind safely because the
 * append's expected revision catches a stale decision.
 */
export class StreamStateCache<S> {
  private readonly entries = new Map<string, Entry<S>>();
  /** Set by `follow`: whether the live log is advancing the entries right now. */
  private live: (() => boolean) | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly initial: S,
    /** `stored`: the envelope, for folds that need where an event sits in the log. */
    private readonly evolve: (state: S, event: ParleyEvent, stored: StoredEvent) => S,
    private readonly capacity = 10_000,
  ) {}

  /**
   * The stream's state. With `maxAgeMs`, a state read from the store less
   * than that long ago, and not written by this process since, is answered
   * without a read (the per-request checks of the auth guard).
   */
  async load(streamId: string, options: { readonly maxAgeMs?: number } = {}): Promise<Loaded<S>> {
    const cached = this.entries.get(streamId);
    const startedAt = Date.now();
    const seenWrite = writeCounter;
    if (cached && (localWrites.get(streamId) ?? 0) <= cached.seenWrite) {
      // Followed: the live log brings every other writer's events into the entry.
      if (this.live?.() === true) return cached;
      if (options.maxAgeMs !== undefined && startedAt - cached.checkedAt < options.maxAgeMs) return cached;
    }
    let state = cached?.state ?? this.initial;
    let revision = cached?.revision ?? null;
    for (;;) {
      const events = await this.store.readStream(streamId, {
        fromRevision: revision === null ? 0 : revision + 1,
        maxCount: 500,
      });
      for (const stored of events) {
        const event = upcast(stored.type, stored.version, stored.data);
        if (event) state = this.evolve(state, event, stored);
        revision = stored.revision;
      }
      if (events.length < 500) break;
    }
    const loaded: Entry<S> = { state, revision, checkedAt: startedAt, seenWrite };
    // The live log may have moved the entry past this read meanwhile: keep the newer one.
    const current = this.entries.get(streamId);
    if (current !== undefined && current !== cached && (current.revision ?? -1) > (revision ?? -1)) return current;
    this.entries.delete(streamId);
    this.entries.set(streamId, loaded);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return loaded;
  }

  /**
   * Lets the live log keep the entries current, so that a load answers from
   * memory without a read (the room state of every comment turn). `live`
   * says whether the log is being followed; while it is not, loads read as
   * before. Streams this process writes are still read once after each of its
   * appends, which is how a load sees its own write before the log brings it.
   */
  follow(live: () => boolean): void {
    this.live = live;
  }

  /**
   * The state right after this process's own append ended at `revision`, as
   * the decider folded it: kept as if read, so the next load reads nothing
   * back (and opens no sealed field of the event just written). An entry the
   * live log already moved further is kept.
   */
  remember(streamId: string, state: S, revision: number): void {
    const seenWrite = localWrites.get(streamId) ?? writeCounter;
    const current = this.entries.get(streamId);
    if (current !== undefined && (current.revision ?? -1) >= revision) {
      // The live log brought the append first: the entry holds it, so it is as current as this write (else the
      // next load would read the stream back, once per write, whenever the log wins the race).
      if (current.seenWrite < seenWrite) this.entries.set(streamId, { ...current, seenWrite });
      return;
    }
    this.entries.delete(streamId);
    this.entries.set(streamId, { state, revision, checkedAt: Date.now(), seenWrite });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Applies events of the live log, in log order, to the streams held; a gap drops the entry. */
  advance(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      const entry = this.entries.get(stored.streamId);
      if (entry === undefined) continue;
      const revision = entry.revision ?? -1;
      if (stored.revision <= revision) continue;
      if (stored.revision !== revision + 1) {
        this.entries.delete(stored.streamId);
        continue;
      }
      const event = upcast(stored.type, stored.version, stored.data);
      this.entries.set(stored.streamId, {
        ...entry,
        state: event ? this.evolve(entry.state, event, stored) : entry.state,
        revision: stored.revision,
      });
    }
  }
}

import { upcast, type ParleyEvent } from '../../../libs/domain/events';
import type { EventStore } from '../../../libs/event-store/event-store.port';

export interface Loaded<S> {
  readonly state: S;
  /** Revision of the last event folded in, null when the stream does not exist. */
  readonly revision: number | null;
}

/**
 * Decision state of small streams (rooms, users), kept folded in memory. A
 * load reads only the events after the cached revision, so its cost follows
 * what changed since, not the stream's length. Entries are evicted oldest
 * first past `capacity`; any process can fall behind safely because the
 * append's expected revision catches a stale decision.
 */
export class StreamStateCache<S> {
  private readonly entries = new Map<string, Loaded<S>>();

  constructor(
    private readonly store: EventStore,
    private readonly initial: S,
    private readonly evolve: (state: S, event: ParleyEvent) => S,
    private readonly capacity = 10_000,
  ) {}

  async load(streamId: string): Promise<Loaded<S>> {
    const cached = this.entries.get(streamId);
    let state = cached?.state ?? this.initial;
    let revision = cached?.revision ?? null;
    for (;;) {
      const events = await this.store.readStream(streamId, {
        fromRevision: revision === null ? 0 : revision + 1,
        maxCount: 500,
      });
      for (const stored of events) {
        const event = upcast(stored.type, stored.version, stored.data);
        if (event) state = this.evolve(state, event);
        revision = stored.revision;
      }
      if (events.length < 500) break;
    }
    const loaded = { state, revision };
    this.entries.delete(streamId);
    this.entries.set(streamId, loaded);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return loaded;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { upcast } from '../../../libs/domain/events';
import { evolvePresence, initialPresenceState, type PresenceState } from '../../../libs/domain/presence/presence.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

const CAPACITY = 10_000;
const PAGE = 500;

/**
 * Users' presence as decision state, folded from `presence-<id>` streams,
 * cached like StreamStateCache (a load reads only events after the cached
 * revision). A presence update also records the state it appended, so the
 * next update of the same user reads nothing back (and opens no sealed
 * message or device). Another process's writes are still read, and the
 * append's expected revision catches anything missed.
 */
@Injectable()
export class PresenceStates {
  private readonly entries = new Map<string, Loaded<PresenceState>>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(userId: string): Promise<Loaded<PresenceState>> {
    const streamId = streams.presence(userId);
    const cached = this.entries.get(streamId);
    let state = cached?.state ?? initialPresenceState;
    let revision = cached?.revision ?? null;
    for (;;) {
      const events = await this.store.readStream(streamId, { fromRevision: revision === null ? 0 : revision + 1, maxCount: PAGE });
      for (const stored of events) {
        const event = upcast(stored.type, stored.version, stored.data);
        if (event?.type === 'PresenceChanged') state = evolvePresence(state, event);
        revision = stored.revision;
      }
      if (events.length < PAGE) break;
    }
    return this.keep(streamId, { state, revision });
  }

  /** The state after an append of ours at `revision` (its last event). */
  remember(userId: string, state: PresenceState, revision: number): void {
    const streamId = streams.presence(userId);
    const cached = this.entries.get(streamId);
    if (cached && cached.revision !== null && cached.revision >= revision) return;
    this.keep(streamId, { state, revision });
  }

  private keep(streamId: string, loaded: Loaded<PresenceState>): Loaded<PresenceState> {
    this.entries.delete(streamId);
    this.entries.set(streamId, loaded);
    if (this.entries.size > CAPACITY) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return loaded;
  }
}

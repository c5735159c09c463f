import { Inject, Injectable } from '@nestjs/common';
import { evolvePresence, initialPresenceState, type PresenceState } from '../../../libs/domain/presence/presence.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { LogFollower } from '../infrastructure/log-follower';
import { EVENT_STORE } from '../infrastructure/tokens';

/**
 * Users' presence as decision state, folded from `presence-<id>` streams and
 * kept current by the live log, as rooms' and users' states are: while the
 * log is followed, a load reads nothing. A presence update records the state
 * it appended (`remember`), so the next update of the same user reads nothing
 * back either (and opens no sealed message or device). Another process's
 * write reaches the cache through the live log; a decision made before it
 * arrives fails on the append's expected revision, which marks the stream to
 * be read again.
 */
@Injectable()
export class PresenceStates {
  private readonly cache: StreamStateCache<PresenceState>;

  constructor(@Inject(EVENT_STORE) store: EventStore, follower: LogFollower) {
    this.cache = new StreamStateCache<PresenceState>(store, initialPresenceState, (state, event) =>
      event.type === 'PresenceChanged' ? evolvePresence(state, event) : state,
    );
    this.cache.follow(() => follower.live);
    follower.listen((events) => this.cache.advance(events));
  }

  load(userId: string): Promise<Loaded<PresenceState>> {
    return this.cache.load(streams.presence(userId));
  }

  /** The state after an append of ours at `revision` (its last event). */
  remember(userId: string, state: PresenceState, revision: number): void {
    this.cache.remember(streams.presence(userId), state, revision);
  }
}

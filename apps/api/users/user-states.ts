import { Inject, Injectable } from '@nestjs/common';
import type { ParleyEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import { evolveUser, initialUserState, isUserEvent, type KnownUser, type UserState } from '../../../libs/domain/users/user.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/** Users' decision state, folded from `user-<id>` streams. */
@Injectable()
export class UserStates {
  private readonly cache: StreamStateCache<UserState>;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.cache = new StreamStateCache<UserState>(store, initialUserState, (state, event: ParleyEvent) =>
      isUserEvent(event) ? evolveUser(state, event) : state,
    );
  }

  load(userId: string, options?: { readonly maxAgeMs?: number }): Promise<Loaded<UserState>> {
    return this.cache.load(streams.user(userId), options);
  }

  /** The registered user owning `username`, or null. */
  async byUsername(username: string): Promise<KnownUser | null> {
    const [claim] = await this.store.readStream(streams.username(username), { maxCount: 1 });
    if (!claim) return null;
    const { state } = await this.load((claim.data as { userId: string }).userId);
    return state.status === 'registered' ? state : null;
  }

  /** Ids among `userIds` that are not registered users. */
  async unknown(userIds: readonly string[]): Promise<string[]> {
    const states = await Promise.all(userIds.map((id) => this.load(id)));
    return userIds.filter((_, index) => states[index]!.state.status !== 'registered');
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ParleyEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import { phoneAccountId } from '../../../libs/domain/users/phone-account.decider';
import { evolveUsernameClaim, initialUsernameClaimState, type UsernameClaimState } from '../../../libs/domain/users/username-claim.decider';
import { evolveUser, initialUserState, isUserEvent, type KnownUser, type UserState } from '../../../libs/domain/users/user.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { LogFollower } from '../infrastructure/log-follower';
import { EVENT_STORE } from '../infrastructure/tokens';

/**
 * Users' decision state, folded from `user-<id>` streams. The auth guard asks
 * for the caller's state on every request: the live log keeps the cached
 * states current, so that costs no read unless this process changed the user.
 */
@Injectable()
export class UserStates {
  private readonly cache: StreamStateCache<UserState>;
  /** Username claims, with the time each was recorded (an orphaned claim is told by its age). */
  private readonly claims: StreamStateCache<UsernameClaimState>;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, follower: LogFollower) {
    this.cache = new StreamStateCache<UserState>(store, initialUserState, (state, event: ParleyEvent) =>
      isUserEvent(event) ? evolveUser(state, event) : state,
    );
    this.claims = new StreamStateCache<UsernameClaimState>(store, initialUsernameClaimState, (state, event, stored) =>
      evolveUsernameClaim(state, event, stored.recordedAt),
    );
    this.cache.follow(() => follower.live);
    follower.listen(async (events) => this.cache.advance(events));
  }

  load(userId: string, options?: { readonly maxAgeMs?: number }): Promise<Loaded<UserState>> {
    return this.cache.load(streams.user(userId), options);
  }

  /** The claim of `username`: who holds it and since when. */
  claimOf(username: string): Promise<Loaded<UsernameClaimState>> {
    return this.claims.load(streams.username(username));
  }

  /** The registered user owning `username`, or null. */
  async byUsername(username: string): Promise<KnownUser | null> {
    const [claim] = await this.store.readStream(streams.username(username), { maxCount: 1 });
    if (!claim) return null;
    const { state } = await this.load((claim.data as { userId: string }).userId);
    return state.status === 'registered' ? state : null;
  }

  /**
   * The number's accounts in order: `slot` is where the number's account is
   * now (pending or verified) or where a new one goes (absent); `claimant` the
   * last account that held it, removed or not, null when none ever did.
   * Numbers claimed before derived ids (`PhoneClaimed`) start at the claim.
   */
  async byPhoneKey(phoneKey: string): Promise<{ readonly slot: string; readonly loaded: Loaded<UserState>; readonly claimant: string | null }> {
    const [legacy] = await this.store.readStream(streams.phone(phoneKey), { direction: 'backwards', maxCount: 1 });
    const claimed = (legacy?.data as { userId?: unknown } | undefined)?.userId;
    let id = typeof claimed === 'string' ? claimed : phoneAccountId(phoneKey, null);
    let claimant: string | null = null;
    // Each removal of the number's account moves the slot on by one; a number is not removed thousands of times.
    for (let step = 0; step < 10_000; step++) {
      const loaded = await this.load(id);
      if (loaded.state.status !== 'removed') return { slot: id, loaded, claimant: loaded.state.status === 'absent' ? claimant : id };
      claimant = id;
      id = phoneAccountId(phoneKey, id);
    }
    throw new Error(`phone account chain of ${phoneKey} longer than 10000`);
  }

  /** Ids among `userIds` that are not registered users. */
  async unknown(userIds: readonly string[]): Promise<string[]> {
    const states = await Promise.all(userIds.map((id) => this.load(id)));
    return userIds.filter((_, index) => states[index]!.state.status !== 'registered');
  }
}

import type { Decider } from '../decider';
import { conflict } from '../errors';
import type { ParleyEvent, UsernameClaimed } from '../events';
import { normalizeUsername } from '../streams';

/**
 * A username is reserved in its own stream, `username-<name>`, before the
 * account is registered in `user-<id>`: an event store guarantees uniqueness
 * per stream only, so registration is two commands, each one append.
 */
export interface ClaimUsername {
  readonly type: 'ClaimUsername';
  readonly username: string;
  /** The id the new account gets when the name is free. */
  readonly userId: string;
  readonly now: string;
}

export interface UsernameClaimState {
  /** The first claim of the name; `claimedAt` is when the log recorded it (null when not known). */
  readonly holder: { readonly userId: string; readonly claimedAt: string | null } | null;
}

export const initialUsernameClaimState: UsernameClaimState = { holder: null };

/**
 * A claim older than this whose account was never registered (the process
 * died between the two appends) may be completed by the next registration
 * of the name; a younger one is a registration still under way.
 */
export const ORPHANED_CLAIM_MS = 10_000;

/** Folds the claim stream; `recordedAt` is the claim's time in the log, when the caller has the envelope. */
export function evolveUsernameClaim(state: UsernameClaimState, event: ParleyEvent, recordedAt: string | null = null): UsernameClaimState {
  if (event.type !== 'UsernameClaimed' || state.holder !== null) return state;
  return { holder: { userId: event.data.userId, claimedAt: recordedAt } };
}

/**
 * The claim, or nothing when the name's holder may go on registering: the
 * same account retrying, or a claim orphaned long enough ago. Otherwise the
 * name is taken. The account to register is the holder's afterwards.
 */
export function decideClaimUsername(command: ClaimUsername, state: UsernameClaimState): UsernameClaimed[] {
  const { holder } = state;
  if (holder === null) {
    return [{ type: 'UsernameClaimed', data: { username: normalizeUsername(command.username), userId: command.userId } }];
  }
  if (holder.userId === command.userId) return [];
  const age = holder.claimedAt === null ? 0 : Date.parse(command.now) - Date.parse(holder.claimedAt);
  if (age < ORPHANED_CLAIM_MS) throw conflict('USER.USERNAME_TAKEN', `Username ${command.username} is taken`);
  return [];
}

export const usernameClaimDecider: Decider<ClaimUsername, UsernameClaimState, UsernameClaimed> = {
  initialState: initialUsernameClaimState,
  evolve: (state, event) => evolveUsernameClaim(state, event),
  decide: decideClaimUsername,
};

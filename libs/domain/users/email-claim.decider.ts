import type { Decider } from '../decider';
import { conflict } from '../errors';
import type { EmailClaimed, ParleyEvent } from '../events';

/**
 * An email address is reserved in its own stream, `email-<emailKey>` (a keyed
 * hash, so the stream id names nobody), before the account's stream records
 * it: an event store makes a value unique per stream only. Like a username's
 * claim, it is a command of its own, one append.
 */
export interface ClaimEmail {
  readonly type: 'ClaimEmail';
  readonly emailKey: string;
  /** The account the address is for; an email account's id derives from the address's key. */
  readonly userId: string;
}

export interface EmailClaimState {
  /** The account holding the address (the first claim; claims never change hands), null when unclaimed. */
  readonly holder: string | null;
}

export const initialEmailClaimState: EmailClaimState = { holder: null };

export function evolveEmailClaim(state: EmailClaimState, event: ParleyEvent): EmailClaimState {
  if (event.type !== 'EmailClaimed' || state.holder !== null) return state;
  return { holder: event.data.userId };
}

/**
 * The claim, or nothing when the address is already the account's: a retry,
 * or the one after a crash between the claim and the account, which the
 * account's registration then completes (the orphaned claim of a username
 * needs its age to tell a registration under way; an email account's id is
 * the address's own, so its claim is only ever completed by that account).
 * Held by another account: taken.
 */
export function decideClaimEmail(command: ClaimEmail, state: EmailClaimState): EmailClaimed[] {
  if (state.holder === null) return [{ type: 'EmailClaimed', data: { emailKey: command.emailKey, userId: command.userId } }];
  if (state.holder === command.userId) return [];
  throw conflict('USER.EMAIL_TAKEN', 'This email address belongs to another account');
}

export const emailClaimDecider: Decider<ClaimEmail, EmailClaimState, EmailClaimed> = {
  initialState: initialEmailClaimState,
  evolve: evolveEmailClaim,
  decide: decideClaimEmail,
};

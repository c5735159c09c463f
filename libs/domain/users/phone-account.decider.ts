import { timingSafeEqual } from 'node:crypto';
import { conflict, DomainError, notFound, rateLimited, unauthenticated, validationError } from '../errors';
import type {
  PhoneAccountCreated,
  PhoneClaimed,
  PhoneVerified,
  VerificationChannel,
  VerificationCodeFailed,
  VerificationCodeIssued,
} from '../events';
import type { Decider } from '../decider';
import { evolveUser, initialUserState, isUserEvent, type UserState } from './user.decider';
import { hasCharactersNotInNames, NAME_CHARACTERS_REASON } from '../text';

/**
 * Accounts by phone number (Windu). The number is claimed in `phone-<phoneKey>`
 * (its keyed hash only), the account lives in `user-<id>`: pending until a code
 * sent to the phone is verified. Requesting and verifying a code is also how a
 * phone account signs in later. The log never holds a code, only its keyed
 * hash; the clock, the code and its id come in with the command.
 */

/** Limits on codes, from configuration. */
export interface CodePolicy {
  readonly ttlSeconds: number;
  /** Wrong codes allowed before the code is void. */
  readonly maxAttempts: number;
  /** Shortest time between two codes sent to one account. */
  readonly minIntervalSeconds: number;
  /** Most codes sent to one account in any hour. Counted on the last ten sent (`UserProfile.codesIssuedAt`). */
  readonly perHour: number;
}

/** Keyed hash of a code bound to its id (`LookupKeys.codeHash` in the app). */
export type CodeHasher = (codeId: string, code: string) => string;

/** A freshly generated code, as the handler made it. */
export interface NewCode {
  readonly codeId: string;
  readonly code: string;
  readonly channel: VerificationChannel;
}

export interface CreatePhoneAccount {
  readonly type: 'CreatePhoneAccount';
  /** The id a new account gets; ignored when the number's claim names another account. */
  readonly userId: string;
  readonly phoneKey: string;
  /** E.164; goes into `PhoneAccountCreated.phone` only (a personal field). */
  readonly phone: string;
  readonly displayName: string;
  readonly newCode: NewCode;
  readonly hash: CodeHasher;
  readonly policy: CodePolicy;
  readonly now: string;
}

export interface RequestCode {
  readonly type: 'RequestCode';
  readonly newCode: NewCode;
  readonly hash: CodeHasher;
  readonly policy: CodePolicy;
  readonly now: string;
}

export interface VerifyCode {
  readonly type: 'VerifyCode';
  /** As the user typed it. */
  readonly code: string;
  readonly hash: CodeHasher;
  readonly policy: CodePolicy;
  readonly now: string;
}

const HOUR_MS = 3_600_000;

/**
 * The claim a creation writes, or null when the number's current claim stands.
 * A claim whose account was removed is taken over by a new claim in the same
 * stream (the stream's last event is the number's owner): a number outlives
 * the account that once used it.
 */
export function decidePhoneClaim(
  command: CreatePhoneAccount,
  claim: PhoneClaimed | null,
  claimant: UserState,
): PhoneClaimed | null {
  if (claim && claimant.status !== 'removed') return null;
  return { type: 'PhoneClaimed', data: { phoneKey: command.phoneKey, userId: command.userId } };
}

/**
 * Creation in `user-<claimedFor>`: a new pending account and its first code.
 * A pending account for the number gets a new code instead (the user tried
 * again before verifying; the first nickname stays). A verified number is taken.
 */
export function decideCreatePhoneAccount(
  command: CreatePhoneAccount,
  claimedFor: string,
  user: UserState,
): (PhoneAccountCreated | VerificationCodeIssued)[] {
  switch (user.status) {
    case 'absent':
      if (hasCharactersNotInNames(command.displayName)) {
        throw validationError('ACCOUNT.NICKNAME_INVALID', `nickname ${NAME_CHARACTERS_REASON}`, [
          { field: 'nickname', reason: NAME_CHARACTERS_REASON },
        ]);
      }
      return [
        {
          type: 'PhoneAccountCreated',
          data: {
            userId: claimedFor,
            phoneKey: command.phoneKey,
            phone: command.phone,
            displayName: command.displayName,
            createdAt: command.now,
          },
        },
        issue(claimedFor, command),
      ];
    case 'pending':
      checkCodeRate(user.codesIssuedAt, command.now, command.policy);
      return [issue(user.userId, command)];
    case 'registered':
      throw conflict('ACCOUNT.PHONE_TAKEN', 'This phone number belongs to an account already: request a code to sign in');
    case 'removed':
      throw removed();
  }
}

/** A new code for a pending account (to verify it) or a registered one (to sign in). */
export function decideRequestCode(command: RequestCode, user: UserState): [VerificationCodeIssued] {
  if (user.status === 'absent') throw notFound('ACCOUNT.NOT_FOUND', 'No account has this phone number');
  if (user.status === 'removed') throw removed();
  checkCodeRate(user.codesIssuedAt, command.now, command.policy);
  return [issue(user.userId, command)];
}

/**
 * A verification answers events to append *and* possibly a refusal: a wrong
 * code is recorded (`VerificationCodeFailed`, so attempts count across
 * processes and restarts) and then refused.
 */
export interface VerifyDecision {
  readonly events: readonly (PhoneVerified | VerificationCodeFailed)[];
  readonly refusal: DomainError | null;
}

export function decideVerifyCode(command: VerifyCode, user: UserState): VerifyDecision {
  if (user.status === 'absent') throw notRequested();
  if (user.status === 'removed') throw removed();
  const pending = user.code;
  if (!pending) throw notRequested();
  const { maxAttempts } = command.policy;
  if (pending.failures >= maxAttempts) throw attemptsExceeded();
  if (Date.parse(command.now) >= Date.parse(pending.expiresAt)) {
    throw unauthenticated('ACCOUNT.CODE_EXPIRED', 'The code has expired: request a new one');
  }
  if (sameHash(command.hash(pending.codeId, command.code), pending.codeHash)) {
    return {
      events: [{ type: 'PhoneVerified', data: { userId: user.userId, codeId: pending.codeId, verifiedAt: command.now } }],
      refusal: null,
    };
  }
  const attempt = pending.failures + 1;
  const left = maxAttempts - attempt;
  return {
    events: [
      { type: 'VerificationCodeFailed', data: { userId: user.userId, codeId: pending.codeId, attempt, failedAt: command.now } },
    ],
    refusal:
      left > 0
        ? new DomainError('ACCOUNT.CODE_INVALID', 'unauthenticated', `Wrong code: ${left} attempt${left === 1 ? '' : 's'} left`, [
            { field: 'code', reason: `wrong code; attemptsLeft=${left}` },
          ])
        : attemptsExceeded(),
  };
}

/**
 * Refuses with 429 and the exact wait when another code now would break the
 * shortest interval or the hourly count. `issuedAt` is oldest first.
 */
export function checkCodeRate(issuedAt: readonly string[], now: string, policy: CodePolicy): void {
  const at = Date.parse(now);
  const last = issuedAt[issuedAt.length - 1];
  if (last !== undefined) {
    const waitMs = Date.parse(last) + policy.minIntervalSeconds * 1000 - at;
    if (waitMs > 0) {
      throw rateLimited('ACCOUNT.CODE_RATE_LIMITED', `Wait ${Math.ceil(waitMs / 1000)} s before asking for another code`, waitMs / 1000);
    }
  }
  const inHour = issuedAt.map(Date.parse).filter((time) => time > at - HOUR_MS);
  if (inHour.length >= policy.perHour) {
    // The count drops below the limit when this one leaves the window.
    const leaving = inHour[inHour.length - policy.perHour]!;
    const waitMs = leaving + HOUR_MS - at;
    throw rateLimited(
      'ACCOUNT.CODE_RATE_LIMITED',
      `At most ${policy.perHour} codes an hour: the next one in ${Math.ceil(waitMs / 1000)} s`,
      waitMs / 1000,
    );
  }
}

function issue(userId: string, command: CreatePhoneAccount | RequestCode): VerificationCodeIssued {
  const { codeId, code, channel } = command.newCode;
  return {
    type: 'VerificationCodeIssued',
    data: {
      userId,
      codeId,
      channel,
      codeHash: command.hash(codeId, code),
      expiresAt: new Date(Date.parse(command.now) + command.policy.ttlSeconds * 1000).toISOString(),
      issuedAt: command.now,
    },
  };
}

/** Constant time in the content (both are hex digests of one length). */
function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

const removed = () => notFound('ACCOUNT.REMOVED', 'This account was removed');
const notRequested = () => unauthenticated('ACCOUNT.CODE_NOT_REQUESTED', 'No code is waiting for this phone number: request one');
const attemptsExceeded = () =>
  unauthenticated('ACCOUNT.CODE_ATTEMPTS_EXCEEDED', 'Too many wrong codes: this code is void, request a new one');

/**
 * Codes of an existing account in `user-<id>`: requesting one and checking
 * one. A removed account answers a verification like a number without one.
 * A wrong code's refusal comes after its `VerificationCodeFailed` is
 * appended: `decideVerifyCode(command, state).refusal` on the state decided on.
 */
export const phoneCodeDecider: Decider<RequestCode | VerifyCode, UserState, VerificationCodeIssued | PhoneVerified | VerificationCodeFailed> = {
  initialState: initialUserState,
  evolve: (state, event) => (isUserEvent(event) ? evolveUser(state, event) : state),
  decide: (command, state) =>
    command.type === 'RequestCode' ? decideRequestCode(command, state) : decideVerifyCode(command, verifyingState(state)).events,
};

/** The state a verification is decided on: a removed account is no account. */
export const verifyingState = (state: UserState): UserState => (state.status === 'removed' ? initialUserState : state);

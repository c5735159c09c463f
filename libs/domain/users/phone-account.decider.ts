import { timingSafeEqual } from 'node:crypto';
import { conflict, DomainError, notFound, rateLimited, unauthenticated, validationError } from '../errors';
import type { Decider } from '../decider';
import { idFromKey } from '../ids';
import type {
  ParleyEvent,
  PhoneAccountCreated,
  PhoneVerified,
  VerificationChannel,
  VerificationCodeFailed,
  VerificationCodeIssued,
} from '../events';
import { evolveUser, initialUserState, isUserEvent, type UserState } from './user.decider';
import { hasCharactersNotInNames, NAME_CHARACTERS_REASON } from '../text';

/**
 * Accounts by phone number (Windu). The account lives in `user-<id>`, its id
 * derived from the number's keyed hash (`phoneAccountId`): pending until a
 * code sent to the phone is verified. A login may hold several of them
 * (`loginId`), each its own identity with its own profile, contacts, presence
 * and blocks. Requesting and verifying a code is also how a
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
  /** The number's slot (`phoneAccountId`): the account there, or the id a new one gets. */
  readonly userId: string;
  /** The signed-in user adding the number to their login; null when the account is to be its own login. */
  readonly loginId: string | null;
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
 * The id of the account a number gets: derived from the number's key, and
 * after a removal from the removed account's id, so each holder of a number
 * has one predictable stream and creating the account is one append that
 * expects `no_stream` (the store refuses a second creation). Numbers claimed
 * before this (a `PhoneClaimed` in `phone-<phoneKey>`) start their chain at
 * the claimed id.
 */
export function phoneAccountId(phoneKey: string, previous: string | null): string {
  return previous === null ? idFromKey('phone-account', phoneKey) : idFromKey('phone-account', phoneKey, previous);
}

/**
 * Creation in `user-<command.userId>`, the number's current slot: a new
 * pending account and its first code. A pending account for the number gets a
 * new code instead when the same login (or, for accounts that are their own
 * login, anyone: the code proves the number) asks again; the first nickname
 * stays. A number pending under another login, or verified, is taken.
 */
export function decideCreatePhoneAccount(
  command: CreatePhoneAccount,
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
            userId: command.userId,
            phoneKey: command.phoneKey,
            phone: command.phone,
            displayName: command.displayName,
            createdAt: command.now,
            loginId: command.loginId,
          },
        },
        issue(command.userId, command),
      ];
    case 'pending':
      if (user.loginId !== command.loginId) {
        throw conflict('ACCOUNT.PHONE_TAKEN', 'This phone number is being added by another login');
      }
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

/** The refusal a recorded wrong code answers with, once it is appended. */
export function wrongCodeRefusal(event: VerificationCodeFailed, policy: CodePolicy): DomainError {
  const left = policy.maxAttempts - event.data.attempt;
  return left > 0
    ? new DomainError('ACCOUNT.CODE_INVALID', 'unauthenticated', `Wrong code: ${left} attempt${left === 1 ? '' : 's'} left`, [
        { field: 'code', reason: `wrong code; attemptsLeft=${left}` },
      ])
    : attemptsExceeded();
}

export type PhoneAccountCommand = CreatePhoneAccount | RequestCode | VerifyCode;
export type PhoneAccountEvent = PhoneAccountCreated | VerificationCodeIssued | PhoneVerified | VerificationCodeFailed;

/**
 * The phone account's rules on `user-<id>` as the command pipeline runs them.
 * A wrong code decides `VerificationCodeFailed` (appended, so attempts count
 * everywhere); the handler then refuses with `wrongCodeRefusal`.
 */
export const phoneAccountDecider: Decider<PhoneAccountCommand, UserState, PhoneAccountEvent> = {
  initialState: initialUserState,
  evolve: (state: UserState, event: ParleyEvent) => (isUserEvent(event) ? evolveUser(state, event) : state),
  decide: (command, state) => {
    switch (command.type) {
      case 'CreatePhoneAccount':
        return decideCreatePhoneAccount(command, state);
      case 'RequestCode':
        return decideRequestCode(command, state);
      case 'VerifyCode':
        // A removed account answers like a number without one.
        return decideVerifyCode(command, state.status === 'removed' ? initialUserState : state).events;
    }
  },
};

/**
 * Whether a login may act as the account it names (the account selector):
 * only a verified account it holds (a pending one too where the call is about
 * the account itself: its code, its removal). Anything else is 404, the same for an
 * account of another login as for none, so the answer tells nobody's accounts.
 */
export function checkAccountSelection(loginId: string, account: UserState, options: { readonly pendingToo?: boolean } = {}): void {
  const usable = account.status === 'registered' || (options.pendingToo === true && account.status === 'pending');
  if (!usable || account.loginId !== loginId) {
    throw new DomainError('ACCOUNT.NOT_FOUND', 'not_found', 'None of your accounts has this id', [
      { field: 'account', reason: 'is not a verified account of this login' },
    ]);
  }
}

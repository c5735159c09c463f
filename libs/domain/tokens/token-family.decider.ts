import { assertNever, conflict, forbidden, notFound, unauthenticated } from '../errors';
import type { Decider } from '../decider';
import type { ParleyEvent, TokenEvent, TokenFamilyRevoked, TokenFamilyStarted } from '../events';
import type { UserState } from '../users/user.decider';

/**
 * A refresh-token family: one sign-in and every refresh token rotated from it,
 * stream `token-family-<familyId>`. Exactly one token of a family is current.
 *
 * Every refresh token we hand out is signed and names its family (`sid`) and
 * itself (`jti`), so a validly signed token of this family that is not the
 * current one was current once and has been rotated away: it is being used
 * a second time. Either the client or someone who copied the token is
 * replaying it, and we cannot tell which, so the whole family is revoked
 * (RFC 6819 5.2.2.3, OAuth 2.0 Security BCP 4.14.2).
 */
export type TokenGrant = TokenFamilyStarted['data']['grant'];
export type RevocationReason = TokenFamilyRevoked['data']['reason'];

export type TokenFamilyState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active';
      readonly familyId: string;
      readonly userId: string;
      /** The only refresh token of the family that may be used now. */
      readonly currentTokenId: string;
      readonly expiresAt: string;
      readonly rotations: number;
    }
  | {
      readonly status: 'revoked';
      readonly familyId: string;
      readonly userId: string;
      readonly reason: RevocationReason;
      readonly revokedAt: string;
    };

export type LiveTokenFamily = Extract<TokenFamilyState, { status: 'active' }>;

/** The longest client description a sign-in keeps. */
export const CLIENT_MAX = 200;

export const initialTokenFamilyState: TokenFamilyState = { status: 'absent' };

const TOKEN_EVENT_TYPES: ReadonlySet<string> = new Set<TokenEvent['type']>([
  'TokenFamilyStarted',
  'RefreshTokenRotated',
  'TokenFamilyRevoked',
]);
export const isTokenEvent = (event: ParleyEvent): event is TokenEvent => TOKEN_EVENT_TYPES.has(event.type);

export type TokenFamilyCommand =
  | {
      readonly type: 'StartTokenFamily';
      readonly familyId: string;
      readonly userId: string;
      readonly tokenId: string;
      readonly grant: TokenGrant;
      /** The User-Agent that signed in, when known (cut to CLIENT_MAX characters). */
      readonly client: string | null;
      readonly expiresAt: string;
      readonly now: string;
    }
  | {
      readonly type: 'RotateRefreshToken';
      /** `jti` and `sub` of the refresh token presented (its signature already checked). */
      readonly tokenId: string;
      readonly userId: string;
      /** The account's status now: only an active account gets new tokens. */
      readonly userStatus: UserState['status'];
      readonly nextTokenId: string;
      readonly expiresAt: string;
      readonly now: string;
    }
  | {
      /**
       * Its user ends a sign-in without presenting its tokens: from the
       * sessions list, or because the password changed.
       */
      readonly type: 'EndTokenFamily';
      /** Who asks: a family of another user is not found (404), as is an unknown one. */
      readonly userId: string;
      readonly reason: Extract<RevocationReason, 'session' | 'password'>;
      readonly now: string;
    }
  | {
      readonly type: 'RevokeTokenFamily';
      /** `jti` and `sub` of the token presented (a refresh or an access token of the family). */
      readonly tokenId: string;
      readonly userId: string;
      readonly now: string;
    };

export function evolveTokenFamily(state: TokenFamilyState, event: TokenEvent): TokenFamilyState {
  switch (event.type) {
    case 'TokenFamilyStarted': {
      const { familyId, userId, tokenId, expiresAt } = event.data;
      return { status: 'active', familyId, userId, currentTokenId: tokenId, expiresAt, rotations: 0 };
    }
    case 'RefreshTokenRotated':
      if (state.status !== 'active') return state;
      return { ...state, currentTokenId: event.data.toTokenId, expiresAt: event.data.expiresAt, rotations: state.rotations + 1 };
    case 'TokenFamilyRevoked': {
      if (state.status === 'revoked') return state;
      const { familyId, userId, reason, revokedAt } = event.data;
      return { status: 'revoked', familyId, userId, reason, revokedAt };
    }
    default:
      return assertNever(event, 'token event');
  }
}

/**
 * Start: one event. Rotate: `RefreshTokenRotated`, or `TokenFamilyRevoked`
 * with reason `reuse` when a rotated-away token comes back; the caller appends
 * that revocation (so it holds) and then refuses the request with
 * `AUTH.REFRESH_TOKEN_REUSED`. Revoke: idempotent, nothing for an unknown or
 * already revoked family.
 */
export function decideTokenFamily(command: TokenFamilyCommand, state: TokenFamilyState): TokenEvent[] {
  switch (command.type) {
    case 'StartTokenFamily': {
      if (state.status !== 'absent') throw conflict('AUTH.TOKEN_FAMILY_EXISTS', 'This token family exists already');
      const { familyId, userId, tokenId, grant, expiresAt, now } = command;
      const client = command.client === null ? null : command.client.slice(0, CLIENT_MAX);
      return [{ type: 'TokenFamilyStarted', data: { familyId, userId, tokenId, grant, client, expiresAt, startedAt: now } }];
    }
    case 'EndTokenFamily': {
      if (state.status === 'absent' || state.userId !== command.userId) {
        throw notFound('SESSION.NOT_FOUND', 'No sign-in of yours has this id');
      }
      // Ended already, for whatever reason: nothing more to do.
      if (state.status === 'revoked') return [];
      return [revocation(state, command.reason, state.currentTokenId, command.now)];
    }
    case 'RotateRefreshToken': {
      const family = requireLiveFamily(state, command.userId);
      if (command.tokenId !== family.currentTokenId) {
        return [revocation(family, 'reuse', command.tokenId, command.now)];
      }
      requireActiveAccount(command.userStatus);
      if (Date.parse(command.now) >= Date.parse(family.expiresAt)) {
        throw unauthenticated('AUTH.TOKEN_EXPIRED', 'The refresh token has expired: sign in again');
      }
      return [
        {
          type: 'RefreshTokenRotated',
          data: {
            familyId: family.familyId,
            userId: family.userId,
            fromTokenId: command.tokenId,
            toTokenId: command.nextTokenId,
            expiresAt: command.expiresAt,
            rotatedAt: command.now,
          },
        },
      ];
    }
    case 'RevokeTokenFamily': {
      if (state.status !== 'active' || state.userId !== command.userId) return [];
      return [revocation(state, 'revoked', command.tokenId, command.now)];
    }
    default:
      return assertNever(command, 'token family command');
  }
}

const revocation = (family: LiveTokenFamily, reason: RevocationReason, tokenId: string, now: string): TokenFamilyRevoked => ({
  type: 'TokenFamilyRevoked',
  data: { familyId: family.familyId, userId: family.userId, reason, tokenId, revokedAt: now },
});

/**
 * The family a signed token names, if its tokens may still be used:
 * a revoked family is a 401 `AUTH.TOKEN_REVOKED`; a family that does not
 * exist, or belongs to someone else, is a 401 `AUTH.TOKEN_INVALID`.
 */
export function requireLiveFamily(state: TokenFamilyState, userId: string): LiveTokenFamily {
  if (state.status === 'revoked' && state.userId === userId) {
    throw unauthenticated('AUTH.TOKEN_REVOKED', revokedMessage(state.reason));
  }
  if (state.status !== 'active' || state.userId !== userId) {
    throw unauthenticated('AUTH.TOKEN_INVALID', 'The token names no sign-in of this account');
  }
  return state;
}

/** Only an active account signs in or uses its tokens. */
export function requireActiveAccount(status: UserState['status']): void {
  switch (status) {
    case 'registered':
      return;
    case 'pending':
      throw forbidden('AUTH.ACCOUNT_PENDING', 'The account is not verified yet: enter the code sent to its phone first');
    case 'removed':
    case 'absent':
      throw unauthenticated('AUTH.ACCOUNT_REMOVED', 'The account has been removed');
    default:
      return assertNever(status, 'user status');
  }
}

/**
 * The password grant's answer for an account, once the password was compared
 * (always, against a dummy hash when there is none, so the time taken tells
 * nothing). Unknown user, removed account and wrong password read the same:
 * a removed account has no password left, and saying "removed" to anyone who
 * names it would tell a stranger that the handle once had an account.
 */
export function checkPasswordSignIn(user: UserState, passwordMatches: boolean): string {
  if (user.status === 'absent' || user.status === 'removed') throw invalidCredentials();
  if (!passwordMatches) throw invalidCredentials();
  requireActiveAccount(user.status);
  return user.userId;
}

const invalidCredentials = () => unauthenticated('AUTH.INVALID_CREDENTIALS', 'Wrong username or password');

function revokedMessage(reason: RevocationReason): string {
  switch (reason) {
    case 'reuse':
      return 'This sign-in was revoked because a refresh token was used twice: sign in again';
    case 'password':
      return 'This sign-in ended because the password was changed: sign in again';
    case 'revoked':
    case 'session':
      return 'This sign-in was revoked: sign in again';
    default:
      return assertNever(reason, 'revocation reason');
  }
}

/** One sign-in's token family, stream `token-family-<id>`. */
export const tokenFamilyDecider: Decider<TokenFamilyCommand, TokenFamilyState, TokenEvent> = {
  initialState: initialTokenFamilyState,
  evolve: (state, event) => (isTokenEvent(event) ? evolveTokenFamily(state, event) : state),
  decide: decideTokenFamily,
};

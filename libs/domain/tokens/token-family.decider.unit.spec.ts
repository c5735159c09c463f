import { DomainError } from '../errors';
import { DEFAULT_PRIVACY, type TokenEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import type { UserState } from '../users/user.decider';
import {
  checkPasswordSignIn,
  decideTokenFamily,
  evolveTokenFamily,
  initialTokenFamilyState,
  requireActiveAccount,
  requireLiveFamily,
  type TokenFamilyCommand,
  type TokenFamilyState,
} from './token-family.decider';

const { given, fold } = deciderSpec<TokenFamilyCommand, TokenEvent, TokenFamilyState>({
  initialState: initialTokenFamilyState,
  evolve: evolveTokenFamily,
  decide: decideTokenFamily,
});

const FAMILY = 'fam-1';
const USER = 'u-alice';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const LATER = '2024-05-31T12:00:00.000Z';
const EXPIRES = '2024-05-31T10:00:00.000Z';

const started: TokenEvent = {
  type: 'TokenFamilyStarted',
  data: { familyId: FAMILY, userId: USER, tokenId: 't1', grant: 'password', client: 'ParleyApp/1.0', expiresAt: EXPIRES, startedAt: T0 },
};
const rotated = (from: string, to: string, expiresAt = LATER): TokenEvent => ({
  type: 'RefreshTokenRotated',
  data: { familyId: FAMILY, userId: USER, fromTokenId: from, toTokenId: to, expiresAt, rotatedAt: T0 },
});
const revoked = (reason: 'reuse' | 'revoked' | 'session' | 'password', tokenId: string, revokedAt = NOW): TokenEvent => ({
  type: 'TokenFamilyRevoked',
  data: { familyId: FAMILY, userId: USER, reason, tokenId, revokedAt },
});
const rotate = (tokenId: string, over: Partial<Extract<TokenFamilyCommand, { type: 'RotateRefreshToken' }>> = {}): TokenFamilyCommand => ({
  type: 'RotateRefreshToken',
  tokenId,
  userId: USER,
  userStatus: 'registered',
  nextTokenId: 'next',
  expiresAt: LATER,
  now: NOW,
  ...over,
});
const revoke = (tokenId: string, userId = USER): TokenFamilyCommand => ({ type: 'RevokeTokenFamily', tokenId, userId, now: NOW });

describe('token family decider', () => {
  describe('EndTokenFamily', () => {
    const end = (reason: 'session' | 'password', userId = USER): TokenFamilyCommand => ({ type: 'EndTokenFamily', userId, reason, now: NOW });

    it("ends its user's live sign-in, naming the current token and the reason", () => {
      given([started, rotated('t1', 't2')]).when(end('session')).then([revoked('session', 't2')]);
      given([started]).when(end('password')).then([revoked('password', 't1')]);
    });

    it('does nothing for a sign-in that ended already', () => {
      given([started, revoked('reuse', 't1')]).when(end('session')).then([]);
    });

    it("finds neither an unknown sign-in nor another user's (404)", () => {
      given([]).when(end('session')).thenThrows('SESSION.NOT_FOUND', 'not_found');
      given([started]).when(end('session', 'u-mallory')).thenThrows('SESSION.NOT_FOUND', 'not_found');
      given([started, revoked('revoked', 't1')]).when(end('session', 'u-mallory')).thenThrows('SESSION.NOT_FOUND', 'not_found');
    });

    it('refuses the tokens of a sign-in ended by a password change, saying why', () => {
      const error = (() => {
        try {
          requireLiveFamily(fold([started, revoked('password', 't1')]), USER);
        } catch (e) {
          return e as DomainError;
        }
        return null;
      })();
      expect(error?.code).toBe('AUTH.TOKEN_REVOKED');
      expect(error?.message).toContain('password');
    });
  });

  describe('StartTokenFamily', () => {
    const start: TokenFamilyCommand = {
      type: 'StartTokenFamily',
      familyId: FAMILY,
      userId: USER,
      tokenId: 't1',
      grant: 'password',
      client: 'ParleyApp/1.0',
      expiresAt: EXPIRES,
      now: T0,
    };

    it('keeps at most 200 characters of the client', () => {
      given([])
        .when({ ...start, client: 'x'.repeat(500) })
        .then([{ ...started, data: { ...started.data, client: 'x'.repeat(200) } } as TokenEvent]);
    });

    it('starts a family whose current token is the first one', () => {
      given([]).when(start).then([started]);
      expect(fold([started])).toEqual({
        status: 'active',
        familyId: FAMILY,
        userId: USER,
        currentTokenId: 't1',
        expiresAt: EXPIRES,
        rotations: 0,
      });
    });

    it('refuses to start a family twice', () => {
      given([started]).when(start).thenThrows('AUTH.TOKEN_FAMILY_EXISTS', 'conflict');
    });
  });

  describe('RotateRefreshToken', () => {
    it('rotates the current token and slides the expiry', () => {
      given([started])
        .when(rotate('t1'))
        .then([
          {
            type: 'RefreshTokenRotated',
            data: { familyId: FAMILY, userId: USER, fromTokenId: 't1', toTokenId: 'next', expiresAt: LATER, rotatedAt: NOW },
          },
        ]);
      const state = fold([started, rotated('t1', 't2'), rotated('t2', 't3')]);
      expect(state).toMatchObject({ status: 'active', currentTokenId: 't3', expiresAt: LATER, rotations: 2 });
    });

    it('revokes the whole family when a rotated-away token comes back (reuse)', () => {
      given([started, rotated('t1', 't2')]).when(rotate('t1')).then([revoked('reuse', 't1')]);
      // Two rotations back is reuse just the same.
      given([started, rotated('t1', 't2'), rotated('t2', 't3')]).when(rotate('t1')).then([revoked('reuse', 't1')]);
    });

    it('detects reuse before it looks at the account, so the revocation is written even for a removed account', () => {
      given([started, rotated('t1', 't2')]).when(rotate('t1', { userStatus: 'removed' })).then([revoked('reuse', 't1')]);
    });

    it('refuses every token of a revoked family, the current one included, and writes nothing more', () => {
      const history = [started, rotated('t1', 't2'), revoked('reuse', 't1')];
      const current = given(history).when(rotate('t2')).thenThrows('AUTH.TOKEN_REVOKED', 'unauthenticated');
      expect(current.message).toMatch(/used twice/);
      given(history).when(rotate('t1')).thenThrows('AUTH.TOKEN_REVOKED', 'unauthenticated');
      const byClient = given([started, revoked('revoked', 't1')]).when(rotate('t1')).thenThrows('AUTH.TOKEN_REVOKED', 'unauthenticated');
      expect(byClient.message).not.toMatch(/used twice/);
    });

    it('refuses an expired family', () => {
      given([started]).when(rotate('t1', { now: EXPIRES })).thenThrows('AUTH.TOKEN_EXPIRED', 'unauthenticated');
    });

    it('refuses a removed, vanished or pending account', () => {
      given([started]).when(rotate('t1', { userStatus: 'removed' })).thenThrows('AUTH.ACCOUNT_REMOVED', 'unauthenticated');
      given([started]).when(rotate('t1', { userStatus: 'absent' })).thenThrows('AUTH.ACCOUNT_REMOVED', 'unauthenticated');
      given([started]).when(rotate('t1', { userStatus: 'pending' })).thenThrows('AUTH.ACCOUNT_PENDING', 'forbidden');
    });

    it('refuses a family that does not exist or belongs to another user', () => {
      given([]).when(rotate('t1')).thenThrows('AUTH.TOKEN_INVALID', 'unauthenticated');
      given([started]).when(rotate('t1', { userId: 'u-mallory' })).thenThrows('AUTH.TOKEN_INVALID', 'unauthenticated');
      // A token naming another user's family is no reuse of it: nothing is written.
      given([started, rotated('t1', 't2')]).when(rotate('t1', { userId: 'u-mallory' })).thenThrows('AUTH.TOKEN_INVALID', 'unauthenticated');
    });
  });

  describe('RevokeTokenFamily', () => {
    it('revokes a live family with any of its token ids', () => {
      given([started]).when(revoke('t1')).then([revoked('revoked', 't1')]);
      given([started, rotated('t1', 't2')]).when(revoke('access-jti')).then([revoked('revoked', 'access-jti')]);
    });

    it('writes nothing for an unknown, foreign or already revoked family', () => {
      given([]).when(revoke('t1')).then([]);
      given([started]).when(revoke('t1', 'u-mallory')).then([]);
      given([started, revoked('reuse', 't1')]).when(revoke('t1')).then([]);
    });

    it('keeps the first revocation when another follows', () => {
      const state = fold([started, revoked('reuse', 't1', T0), revoked('revoked', 't1', NOW)]);
      expect(state).toEqual({ status: 'revoked', familyId: FAMILY, userId: USER, reason: 'reuse', revokedAt: T0 });
    });
  });

  describe('requireLiveFamily', () => {
    it('answers the live family of the user', () => {
      expect(requireLiveFamily(fold([started]), USER).currentTokenId).toBe('t1');
    });

    it('refuses a revoked family as revoked, a missing or foreign one as invalid', () => {
      const code = (run: () => unknown) => {
        try {
          run();
        } catch (error) {
          return (error as DomainError).code;
        }
        return 'none';
      };
      expect(code(() => requireLiveFamily(fold([started, revoked('revoked', 't1')]), USER))).toBe('AUTH.TOKEN_REVOKED');
      expect(code(() => requireLiveFamily(fold([]), USER))).toBe('AUTH.TOKEN_INVALID');
      expect(code(() => requireLiveFamily(fold([started]), 'u-mallory'))).toBe('AUTH.TOKEN_INVALID');
      expect(code(() => requireLiveFamily(fold([started, revoked('revoked', 't1')]), 'u-mallory'))).toBe('AUTH.TOKEN_INVALID');
    });
  });

  describe('password sign-in and account checks', () => {
    const profile = {
      applicationId: null,
      applicationName: null,
      userId: USER,
      username: 'alice',
      displayName: 'Alice',
      passwordHash: 'scrypt$...',
      phoneKey: null,
      email: null,
      emailKey: null,
      loginId: null,
      phone: null,
      statusMessage: null,
      photoUrl: null,
      privacy: DEFAULT_PRIVACY,
      code: null,
      codesIssuedAt: [],
      properties: {},
    };
    const user = (status: 'registered' | 'pending' | 'removed'): UserState => ({ ...profile, status });
    const refusal = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return `${error.category} ${error.code}`;
      }
      return 'accepted';
    };

    it('signs an active account in with the right password', () => {
      expect(checkPasswordSignIn(user('registered'), true)).toBe(USER);
    });

    it('answers unknown user and wrong password alike', () => {
      expect(refusal(() => checkPasswordSignIn({ status: 'absent' }, false))).toBe('unauthenticated AUTH.INVALID_CREDENTIALS');
      expect(refusal(() => checkPasswordSignIn(user('registered'), false))).toBe('unauthenticated AUTH.INVALID_CREDENTIALS');
      expect(refusal(() => checkPasswordSignIn(user('pending'), false))).toBe('unauthenticated AUTH.INVALID_CREDENTIALS');
    });

    it('says a pending account is pending only to someone who knows its password', () => {
      expect(refusal(() => checkPasswordSignIn(user('pending'), true))).toBe('forbidden AUTH.ACCOUNT_PENDING');
    });

    it('answers a removed account as it answers wrong credentials, whatever the password', () => {
      expect(refusal(() => checkPasswordSignIn(user('removed'), false))).toBe('unauthenticated AUTH.INVALID_CREDENTIALS');
      expect(refusal(() => checkPasswordSignIn(user('removed'), true))).toBe('unauthenticated AUTH.INVALID_CREDENTIALS');
    });

    it('lets only registered accounts use their tokens', () => {
      expect(refusal(() => requireActiveAccount('registered'))).toBe('accepted');
      expect(refusal(() => requireActiveAccount('pending'))).toBe('forbidden AUTH.ACCOUNT_PENDING');
      expect(refusal(() => requireActiveAccount('removed'))).toBe('unauthenticated AUTH.ACCOUNT_REMOVED');
      expect(refusal(() => requireActiveAccount('absent'))).toBe('unauthenticated AUTH.ACCOUNT_REMOVED');
    });
  });
});

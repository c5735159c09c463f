import type { ParleyEvent, UserEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { userAccountDecider, type RegisterUser, type RemoveUser } from './user.decider';
import { decideClaimUsername, ORPHANED_CLAIM_MS, usernameClaimDecider, type ClaimUsername } from './username-claim.decider';

/** The deciders the command pipeline runs for registration, removal and phone codes. */

const T0 = '2024-05-01T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

describe('usernameClaimDecider (stream username-<name>)', () => {
  const { given } = deciderSpec<ClaimUsername, ParleyEvent, ReturnType<typeof usernameClaimDecider.evolve>>(usernameClaimDecider);
  const claim = (userId: string, now = T0): ClaimUsername => ({ type: 'ClaimUsername', username: 'Alice', userId, now });
  const claimed = (userId: string): ParleyEvent => ({ type: 'UsernameClaimed', data: { username: 'alice', userId } });

  it('claims a free name for the new account, normalised', () => {
    given([]).when(claim('u1')).then([claimed('u1')]);
  });

  it('writes nothing when the same account claims again (a retry)', () => {
    given([claimed('u1')]).when(claim('u1')).then([]);
  });

  it("refuses another account's claim whose time is not known as taken", () => {
    given([claimed('u1')]).when(claim('u2')).thenThrows('USER.USERNAME_TAKEN', 'conflict');
  });

  it('refuses a claim made moments ago (its registration may be under way), and lets an orphaned one be completed', () => {
    const recent = { holder: { userId: 'u1', claimedAt: T0 } };
    expect(() => decideClaimUsername(claim('u2', at(ORPHANED_CLAIM_MS - 1)), recent)).toThrow(
      expect.objectContaining({ code: 'USER.USERNAME_TAKEN' }),
    );
    expect(decideClaimUsername(claim('u2', at(ORPHANED_CLAIM_MS)), recent)).toEqual([]);
  });
});

describe('userAccountDecider (stream user-<id>)', () => {
  const { given } = deciderSpec<RegisterUser | RemoveUser, ParleyEvent, ReturnType<typeof userAccountDecider.evolve>>(userAccountDecider);
  const register: RegisterUser = { type: 'RegisterUser', userId: 'u1', username: 'Alice', displayName: 'Alice', passwordHash: 'h', now: T0 };
  const registered: UserEvent = {
    type: 'UserRegistered',
    data: { userId: 'u1', username: 'Alice', displayName: 'Alice', passwordHash: 'h', registeredAt: T0 },
  };
  const remove: RemoveUser = { type: 'RemoveUser', userId: 'u1', reason: 'self', feedback: null, removedBy: 'u1', now: at(1000) };
  const removed: UserEvent = {
    type: 'UserRemoved',
    data: { userId: 'u1', reason: 'self', feedback: null, removedBy: 'u1', removedAt: at(1000) },
  };

  it('registers an account in an empty stream', () => {
    given([]).when(register).then([registered]);
  });

  it('refuses to register over an existing account', () => {
    given([registered]).when(register).thenThrows('USER.USERNAME_TAKEN', 'conflict');
  });

  it('removes an account once; a second removal and an unknown account are refused', () => {
    given([registered]).when(remove).then([removed]);
    given([registered, removed]).when(remove).thenThrows('USER.REMOVED', 'not_found');
    given([]).when(remove).thenThrows('USER.NOT_FOUND', 'not_found');
  });
});

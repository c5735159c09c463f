import type { EmailChanged, ParleyEvent, UserEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { normalizeEmail, type SetEmail } from './email';
import { evolveUser, initialUserState, userAccountDecider, type RegisterUser, type RemoveUser, type UserState } from './user.decider';

/** An email account's registration in `user-<id>` (its address claimed before, see emailClaimDecider): the account and its address in one append. */
const { given } = deciderSpec<RegisterUser | RemoveUser, ParleyEvent, UserState>(userAccountDecider);

const NOW = '2026-01-01T00:00:00.000Z';
const setEmail = (userId: string, email: string, emailKey = `key(${email})`): SetEmail => ({
  type: 'SetEmail',
  userId,
  email,
  emailKey,
  actor: 'qiscus:server',
  now: NOW,
});
const register = (userId: string, email?: string): RegisterUser => ({
  type: 'RegisterUser',
  userId,
  username: `e.${userId}`,
  displayName: 'Alice',
  passwordHash: 'h',
  now: NOW,
  ...(email === undefined ? {} : { email: setEmail(userId, email) }),
});
const registered = (userId: string): UserEvent => ({
  type: 'UserRegistered',
  data: { userId, username: `e.${userId}`, displayName: 'Alice', passwordHash: 'h', registeredAt: NOW },
});
const changed = (userId: string, email: string, changedBy = 'qiscus:server'): EmailChanged => ({
  type: 'EmailChanged',
  data: { userId, emailKey: `key(${email})`, email, changedBy, changedAt: NOW },
});

describe('email identities', () => {
  it('registers the account with its address in one append', () => {
    given([]).when(register('u-alice', 'alice@example.com')).then([registered('u-alice'), changed('u-alice', 'alice@example.com')]);
  });

  it('the account of the address registered already (a retry, a racing registration of the same address): nothing new', () => {
    given([registered('u-alice'), changed('u-alice', 'alice@example.com')]).when(register('u-alice', 'alice@example.com')).then([]);
  });

  it('an account of another address, or of none, in the stream: refused as taken', () => {
    given([registered('u-alice'), changed('u-alice', 'bob@example.com')])
      .when(register('u-alice', 'alice@example.com'))
      .thenThrows('USER.USERNAME_TAKEN', 'conflict');
    given([registered('u-alice')]).when(register('u-alice', 'alice@example.com')).thenThrows('USER.USERNAME_TAKEN', 'conflict');
  });

  it('a registration without an address records none', () => {
    given([]).when(register('u-alice')).then([registered('u-alice')]);
  });

  it('the user state holds the address and its key; removal forgets the address, keeps the claim key', () => {
    const withEmail = [registered('u-alice'), changed('u-alice', 'alice@example.com', 'u-alice')].reduce(evolveUser, initialUserState);
    expect(withEmail).toMatchObject({ email: 'alice@example.com', emailKey: 'key(alice@example.com)' });
    const removed = evolveUser(withEmail, {
      type: 'UserRemoved',
      data: { userId: 'u-alice', reason: 'self', feedback: null, removedBy: 'u-alice', removedAt: NOW },
    });
    expect(removed).toMatchObject({ status: 'removed', email: null, emailKey: 'key(alice@example.com)' });
  });

  it.each([
    ['Alice@Example.COM', 'alice@example.com'],
    ['  bob@x.io ', 'bob@x.io'],
    ['not-an-email', null],
    ['a@b', null],
    ['a b@x.io', null],
    [`${'a'.repeat(250)}@x.io`, null],
  ])('normalizeEmail(%j) is %j: case-insensitive, trimmed', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });
});

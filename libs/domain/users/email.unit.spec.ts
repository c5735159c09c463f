import type { EmailChanged, EmailClaimed, UserEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { decideEmailChange, decideEmailClaim, normalizeEmail, type SetEmail } from './email';
import { evolveUser, initialUserState, type UserState } from './user.decider';

/** The claim stream and the user's stream, as EmailAccounts writes them: claim first, then the user's record. */
interface World {
  readonly claims: ReadonlyMap<string, EmailClaimed>;
  readonly users: ReadonlyMap<string, UserState>;
}

const { given } = deciderSpec<SetEmail, UserEvent, World>({
  initialState: { claims: new Map(), users: new Map() },
  evolve: (world, event) => {
    if (event.type === 'EmailClaimed') return { ...world, claims: new Map(world.claims).set(event.data.emailKey, event) };
    const user = world.users.get(event.data.userId) ?? initialUserState;
    return { ...world, users: new Map(world.users).set(event.data.userId, evolveUser(user, event)) };
  },
  decide: (command, world) => {
    const claim = decideEmailClaim(command, world.claims.get(command.emailKey) ?? null);
    const user = world.users.get(command.userId);
    const current = user && user.status !== 'absent' ? user : { emailKey: null };
    return [...(claim ? [claim] : []), ...decideEmailChange(command, current)];
  },
});

const NOW = '2026-01-01T00:00:00.000Z';
const setEmail = (userId: string, email: string, emailKey = `key(${email})`): SetEmail => ({
  type: 'SetEmail',
  userId,
  email,
  emailKey,
  actor: userId,
  now: NOW,
});
const claimed = (userId: string, email: string): EmailClaimed => ({ type: 'EmailClaimed', data: { emailKey: `key(${email})`, userId } });
const changed = (userId: string, email: string): EmailChanged => ({
  type: 'EmailChanged',
  data: { userId, emailKey: `key(${email})`, email, changedBy: userId, changedAt: NOW },
});

describe('email identities', () => {
  it('an unclaimed address: claimed in its own stream, then recorded on the user', () => {
    given([]).when(setEmail('u-alice', 'alice@example.com')).then([claimed('u-alice', 'alice@example.com'), changed('u-alice', 'alice@example.com')]);
  });

  it('an address another account claimed: 409 USER.EMAIL_TAKEN, nothing written', () => {
    given([claimed('u-bob', 'alice@example.com')]).when(setEmail('u-alice', 'alice@example.com')).thenThrows('USER.EMAIL_TAKEN', 'conflict');
  });

  it('the same address again for its owner: nothing new', () => {
    const registered: UserEvent = {
      type: 'UserRegistered',
      data: { userId: 'u-alice', username: 'alice', displayName: 'Alice', passwordHash: 'h', registeredAt: NOW },
    };
    given([claimed('u-alice', 'alice@example.com'), registered, changed('u-alice', 'alice@example.com')])
      .when(setEmail('u-alice', 'alice@example.com'))
      .then([]);
  });

  it('a claim whose user record a crash cut off is completed by the next attempt', () => {
    given([claimed('u-alice', 'alice@example.com')]).when(setEmail('u-alice', 'alice@example.com')).then([changed('u-alice', 'alice@example.com')]);
  });

  it('the user state holds the address and its key; removal forgets the address, keeps the claim key', () => {
    const registered: UserEvent = {
      type: 'UserRegistered',
      data: { userId: 'u-alice', username: 'alice', displayName: 'Alice', passwordHash: 'h', registeredAt: NOW },
    };
    const withEmail = [registered, changed('u-alice', 'alice@example.com')].reduce(evolveUser, initialUserState);
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

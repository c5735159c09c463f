import type { UserEvent, UsernameClaimed, UserRegistered } from '../events';
import { normalizeUsername } from '../streams';
import { deciderSpec } from '../testing/given-when-then';
import { decideClaim, decideCreateApplicationUser, decideRegister, decideRemove, evolveUser, initialUserState, type CreateApplicationUser, type RegisterUser, type RemoveUser, type UserState } from './user.decider';

/**
 * Registration as the handler runs it: claim the name in `username-<name>`
 * unless it is claimed, then register in `user-<id>` of whoever holds the
 * claim (which completes a claim orphaned by a crash).
 */
interface World {
  readonly claims: ReadonlyMap<string, UsernameClaimed>;
  readonly users: ReadonlyMap<string, UserState>;
}

const { given } = deciderSpec<RegisterUser, UserEvent, World>({
  initialState: { claims: new Map(), users: new Map() },
  evolve: (world, event) => {
    if (event.type === 'UsernameClaimed') {
      return { ...world, claims: new Map(world.claims).set(event.data.username, event) };
    }
    const user = world.users.get(event.data.userId) ?? initialUserState;
    return { ...world, users: new Map(world.users).set(event.data.userId, evolveUser(user, event)) };
  },
  decide: (command, world) => {
    const claim = world.claims.get(normalizeUsername(command.username)) ?? null;
    const claimed = decideClaim(command, claim);
    const userId = claimed ? command.userId : claim!.data.userId;
    const registered = decideRegister(command, userId, world.users.get(userId) ?? initialUserState);
    return claimed ? [claimed, registered] : [registered];
  },
});

const NOW = '2024-05-01T12:00:00.000Z';
const T0 = '2024-05-01T10:00:00.000Z';

const register = (command: Partial<RegisterUser> = {}): RegisterUser => ({
  type: 'RegisterUser',
  userId: 'u-new',
  username: 'Alice',
  displayName: 'Alice A.',
  passwordHash: 'hash-1',
  now: NOW,
  ...command,
});
const claimed = (username: string, userId: string): UsernameClaimed => ({
  type: 'UsernameClaimed',
  data: { username, userId },
});
const registered = (userId: string, username: string, registeredAt = T0): UserRegistered => ({
  type: 'UserRegistered',
  data: { userId, username, displayName: username, passwordHash: 'hash-0', registeredAt },
});

describe('user decider', () => {
  describe('registration', () => {
    it('claims the normalised name, then registers the user with the name as typed', () => {
      given([])
        .when(register())
        .then([
          claimed('alice', 'u-new'),
          {
            type: 'UserRegistered',
            data: { userId: 'u-new', username: 'Alice', displayName: 'Alice A.', passwordHash: 'hash-1', registeredAt: NOW },
          },
        ]);
    });

    it('normalises with NFKC and lower case', () => {
      given([])
        .when(register({ username: 'ＡＬＩＣＥ' }))
        .then([
          claimed('alice', 'u-new'),
          {
            type: 'UserRegistered',
            data: { userId: 'u-new', username: 'ＡＬＩＣＥ', displayName: 'Alice A.', passwordHash: 'hash-1', registeredAt: NOW },
          },
        ]);
    });

    it('another name is free even when one is taken', () => {
      given([claimed('bob', 'u-bob'), registered('u-bob', 'bob')])
        .when(register())
        .then([
          claimed('alice', 'u-new'),
          {
            type: 'UserRegistered',
            data: { userId: 'u-new', username: 'Alice', displayName: 'Alice A.', passwordHash: 'hash-1', registeredAt: NOW },
          },
        ]);
    });

    it('completes a claim whose user was never registered, for the claimant', () => {
      given([claimed('alice', 'u-orphan')])
        .when(register())
        .then([
          {
            type: 'UserRegistered',
            data: { userId: 'u-orphan', username: 'Alice', displayName: 'Alice A.', passwordHash: 'hash-1', registeredAt: NOW },
          },
        ]);
    });

    it.each(['alice', 'ALICE', 'Ａｌｉｃｅ'])('refuses %s when alice is registered: 409 USER.USERNAME_TAKEN', (username) => {
      given([claimed('alice', 'u-alice'), registered('u-alice', 'alice')])
        .when(register({ username }))
        .thenThrows('USER.USERNAME_TAKEN', 'conflict');
    });
  });

  describe('decideClaim', () => {
    it('claims a free name for the command’s user', () => {
      expect(decideClaim(register({ username: 'Bob' }), null)).toEqual(claimed('bob', 'u-new'));
    });

    it('claims nothing when the name is claimed', () => {
      expect(decideClaim(register(), claimed('alice', 'u-other'))).toBeNull();
    });
  });

  describe('decideRegister', () => {
    it('registers under the id the claim was made for', () => {
      expect(decideRegister(register(), 'u-claimant', initialUserState).data.userId).toBe('u-claimant');
    });

    it('refuses a registered user: 409 USER.USERNAME_TAKEN', () => {
      const user = evolveUser(initialUserState, registered('u-alice', 'alice'));
      expect(() => decideRegister(register(), 'u-alice', user)).toThrow(
        expect.objectContaining({ code: 'USER.USERNAME_TAKEN', category: 'conflict' }),
      );
    });
  });

  describe('evolve', () => {
    it('a claim alone registers nobody', () => {
      expect(evolveUser(initialUserState, claimed('alice', 'u-alice'))).toEqual({ status: 'absent' });
    });

    it('UserRegistered holds the credentials for login, with an empty profile', () => {
      expect(evolveUser(initialUserState, registered('u-alice', 'alice'))).toEqual({
        status: 'registered',
        userId: 'u-alice',
        applicationId: null,
        applicationName: null,
        username: 'alice',
        displayName: 'alice',
        passwordHash: 'hash-0',
        phoneKey: null,
        email: null,
        emailKey: null,
        loginId: null,
        phone: null,
        statusMessage: null,
        photoUrl: null,
        privacy: { statusMessage: 'all', photo: 'all', lastSeen: 'all', readReceipts: 'all' },
        code: null,
        codesIssuedAt: [],
        properties: {},
      });
    });
  });

  describe('removal', () => {
    const remove = (command: Partial<RemoveUser> = {}): RemoveUser => ({
      type: 'RemoveUser',
      userId: 'u-alice',
      reason: 'self',
      feedback: 'too many notifications',
      removedBy: 'u-alice',
      now: NOW,
      ...command,
    });
    const alice = evolveUser(initialUserState, registered('u-alice', 'alice'));

    it('removes an account with the reason and feedback given', () => {
      expect(decideRemove(remove(), alice)).toEqual({
        type: 'UserRemoved',
        data: {
          userId: 'u-alice',
          reason: 'self',
          feedback: 'too many notifications',
          removedBy: 'u-alice',
          removedAt: NOW,
        },
      });
    });

    it('refuses an unknown user: 404 USER.NOT_FOUND', () => {
      expect(() => decideRemove(remove(), initialUserState)).toThrow(
        expect.objectContaining({ code: 'USER.NOT_FOUND', category: 'not_found' }),
      );
    });

    it('refuses a second removal: 404 USER.REMOVED', () => {
      const removed = evolveUser(alice, decideRemove(remove(), alice));
      expect(() => decideRemove(remove({ reason: 'admin', removedBy: 'apikey:admin' }), removed)).toThrow(
        expect.objectContaining({ code: 'USER.REMOVED', category: 'not_found' }),
      );
    });

    it('keeps nothing personal in the state of a removed account, and no password', () => {
      const withStatus = evolveUser(alice, {
        type: 'StatusMessageChanged',
        data: { userId: 'u-alice', message: 'hi', changedBy: 'u-alice', changedAt: NOW },
      });
      const removed = evolveUser(withStatus, decideRemove(remove(), withStatus));
      expect(removed).toMatchObject({
        status: 'removed',
        userId: 'u-alice',
        displayName: null,
        passwordHash: null,
        statusMessage: null,
        photoUrl: null,
      });
    });
  });
});

describe('users of an application', () => {
  const create = (name: string, displayName = name): CreateApplicationUser => ({
    type: 'CreateApplicationUser',
    userId: 'u-app-alice',
    applicationId: 'app-1',
    name,
    displayName,
    actor: 'application:app-1',
    now: '2026-01-01T00:00:00.000Z',
  });
  it('are created by name, without password or username', () => {
    const [event] = decideCreateApplicationUser(create('alice', 'Alice'), initialUserState);
    expect(event).toEqual({
      type: 'ApplicationUserCreated',
      data: { userId: 'u-app-alice', applicationId: 'app-1', name: 'alice', displayName: 'Alice', createdBy: 'application:app-1', createdAt: '2026-01-01T00:00:00.000Z' },
    });
    const state = evolveUser(initialUserState, event!);
    expect(state).toMatchObject({ status: 'registered', username: null, passwordHash: null, applicationId: 'app-1', applicationName: 'alice' });
  });
  it('refuse a taken name and names with spaces or control characters', () => {
    const [event] = decideCreateApplicationUser(create('alice'), initialUserState);
    expect(() => decideCreateApplicationUser(create('alice'), evolveUser(initialUserState, event!))).toThrow('already has a user named alice');
    expect(() => decideCreateApplicationUser(create('al ice'), initialUserState)).toThrow(/name must be/);
    expect(() => decideCreateApplicationUser(create('alice', 'A\u0000'), initialUserState)).toThrow(/displayName/);
  });
});

import type { ParleyEvent, UserEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { applicationUserDecider, type ApplicationUserCommand, type ApplicationUserEvent } from './application-user.decider';
import { decideRemove, evolveUser, initialUserState, type RemoveUser, type UserState } from './user.decider';

const { given } = deciderSpec<ApplicationUserCommand, ApplicationUserEvent | UserEvent, UserState>({
  initialState: applicationUserDecider.initialState,
  evolve: (state, event) => applicationUserDecider.evolve(state, event as ParleyEvent),
  decide: applicationUserDecider.decide,
});

const NOW = '2026-01-02T00:00:00.000Z';
const APP = 'app-1';
const ACTOR = `application:${APP}`;
const created: UserEvent = {
  type: 'ApplicationUserCreated',
  data: { userId: 'u-alice', applicationId: APP, name: 'alice', displayName: 'Alice', createdBy: ACTOR, createdAt: '2026-01-01T00:00:00.000Z' },
};
const update = (change: Partial<Extract<ApplicationUserCommand, { type: 'UpdateApplicationUser' }>>): ApplicationUserCommand => ({
  type: 'UpdateApplicationUser',
  applicationId: APP,
  actor: ACTOR,
  now: NOW,
  ...change,
});

describe('an application changes the users it created', () => {
  it('given its user, when it sets display name, image and custom_data, then one event each', () => {
    given([created])
      .when(update({ displayName: 'Alice B.', imageUrl: 'https://img.example/a.png', properties: { tier: 'gold' } }))
      .then([
        { type: 'ProfileUpdated', data: { userId: 'u-alice', displayName: 'Alice B.', updatedBy: ACTOR, updatedAt: NOW } },
        { type: 'ProfilePhotoChanged', data: { userId: 'u-alice', photoUrl: 'https://img.example/a.png', changedBy: ACTOR, changedAt: NOW } },
        { type: 'UserPropertiesChanged', data: { userId: 'u-alice', properties: { tier: 'gold' }, changedBy: ACTOR, changedAt: NOW } },
      ]);
  });

  it('given the same values already, when it sets them again, then nothing is written', () => {
    const props: UserEvent = { type: 'UserPropertiesChanged', data: { userId: 'u-alice', properties: { tier: 'gold' }, changedBy: ACTOR, changedAt: NOW } };
    given([created, props]).when(update({ displayName: 'Alice', properties: { tier: 'gold' } })).then([]);
    given([created]).when(update({})).then([]);
  });

  it('given an image, when it sends null, then the image is removed', () => {
    const photo: UserEvent = { type: 'ProfilePhotoChanged', data: { userId: 'u-alice', photoUrl: 'https://img.example/a.png', changedBy: ACTOR, changedAt: NOW } };
    given([created, photo])
      .when(update({ imageUrl: null }))
      .then([{ type: 'ProfilePhotoChanged', data: { userId: 'u-alice', photoUrl: null, changedBy: ACTOR, changedAt: NOW } }]);
  });

  it('refuses custom_data beyond the bounds a room’s has, naming properties, and writes nothing else either', () => {
    const error = given([created]).when(update({ displayName: 'Fine', properties: { blob: 'x'.repeat(9000) } })).thenThrows('USER.PROPERTIES_INVALID', 'validation');
    expect(error.details).toEqual([{ field: 'properties', reason: expect.stringContaining('longer than 4096') }]);
    given([created]).when(update({ properties: [1] as unknown as Record<string, unknown> })).thenThrows('USER.PROPERTIES_INVALID', 'validation');
  });

  it('refuses a bad image URL and an empty display name, naming the field', () => {
    expect(given([created]).when(update({ imageUrl: 'ftp://img.example/a.png' })).thenThrows('PROFILE.PHOTO_URL_SCHEME', 'validation').details).toEqual([
      { field: 'imageUrl', reason: 'must start with http:// or https://' },
    ]);
    given([created]).when(update({ displayName: '  ' })).thenThrows('PROFILE.DISPLAY_NAME_EMPTY', 'validation');
  });

  it('finds no user of another application, none missing and none removed', () => {
    given([created]).when(update({ applicationId: 'app-2', displayName: 'Eve' })).thenThrows('USER.NOT_FOUND', 'not_found');
    given([]).when(update({ displayName: 'Eve' })).thenThrows('USER.NOT_FOUND', 'not_found');
    const removed: UserEvent = { type: 'UserRemoved', data: { userId: 'u-alice', reason: 'application', feedback: null, removedBy: ACTOR, removedAt: NOW } };
    given([created, removed]).when(update({ displayName: 'Back' })).thenThrows('USER.NOT_FOUND', 'not_found');
  });

  it('sets image and custom_data given at creation in the same append', () => {
    given([])
      .when({ type: 'CreateApplicationUser', userId: 'u-bob', applicationId: APP, name: 'bob', displayName: 'Bob', imageUrl: 'https://img.example/b.png', properties: { a: 1 }, actor: ACTOR, now: NOW })
      .then([
        { type: 'ApplicationUserCreated', data: { userId: 'u-bob', applicationId: APP, name: 'bob', displayName: 'Bob', createdBy: ACTOR, createdAt: NOW } },
        { type: 'ProfilePhotoChanged', data: { userId: 'u-bob', photoUrl: 'https://img.example/b.png', changedBy: ACTOR, changedAt: NOW } },
        { type: 'UserPropertiesChanged', data: { userId: 'u-bob', properties: { a: 1 }, changedBy: ACTOR, changedAt: NOW } },
      ]);
  });
});

describe('an application removes the users it created', () => {
  const alice = evolveUser(initialUserState, created);
  const remove = (ofApplication: string): RemoveUser => ({ type: 'RemoveUser', userId: 'u-alice', reason: 'application', feedback: null, removedBy: `application:${ofApplication}`, now: NOW, ofApplication });

  it('removes its own user, and its custom_data with it', () => {
    const withProps = evolveUser(alice, { type: 'UserPropertiesChanged', data: { userId: 'u-alice', properties: { a: 1 }, changedBy: ACTOR, changedAt: NOW } });
    const event = decideRemove(remove(APP), withProps);
    expect(event).toEqual({ type: 'UserRemoved', data: { userId: 'u-alice', reason: 'application', feedback: null, removedBy: ACTOR, removedAt: NOW } });
    expect(evolveUser(withProps, event)).toMatchObject({ status: 'removed', displayName: null, properties: {} });
  });

  it('finds no user of another application, nor a user who signed up on their own', () => {
    expect(() => decideRemove(remove('app-2'), alice)).toThrow(expect.objectContaining({ code: 'USER.NOT_FOUND', category: 'not_found' }));
    const registered = evolveUser(initialUserState, {
      type: 'UserRegistered',
      data: { userId: 'u-alice', username: 'alice', displayName: 'Alice', passwordHash: 'h', registeredAt: NOW },
    });
    expect(() => decideRemove(remove(APP), registered)).toThrow(expect.objectContaining({ code: 'USER.NOT_FOUND' }));
  });
});

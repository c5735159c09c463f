import { DEFAULT_PRIVACY, type ParleyEvent, type PrivacySettings } from '../libs/domain/events';
import { at, usernameClaimed, userRegistered } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';
import { DELETED_USER_NAME, searchKeyOf, userSummary, usersProjection } from './users.projection';

const phoneAccount = (userId: string, displayName: string | null = 'Nick'): ParleyEvent => ({
  type: 'PhoneAccountCreated',
  data: { userId, phoneKey: `pk-${userId}`, phone: '+15550001', displayName, createdAt: at(2), loginId: null },
});
const phoneVerified = (userId: string): ParleyEvent => ({
  type: 'PhoneVerified',
  data: { userId, codeId: 'c1', verifiedAt: at(3) },
});
const profileUpdated = (userId: string, displayName: string | null): ParleyEvent => ({
  type: 'ProfileUpdated',
  data: { userId, displayName, updatedBy: userId, updatedAt: at(5) },
});
const statusChanged = (userId: string, message: string | null): ParleyEvent => ({
  type: 'StatusMessageChanged',
  data: { userId, message, changedBy: userId, changedAt: at(6) },
});
const photoChanged = (userId: string, photoUrl: string | null): ParleyEvent => ({
  type: 'ProfilePhotoChanged',
  data: { userId, photoUrl, changedBy: userId, changedAt: at(7) },
});
const privacyChanged = (userId: string, settings: PrivacySettings): ParleyEvent => ({
  type: 'PrivacySettingsChanged',
  data: { userId, settings, changedBy: userId, changedAt: at(8) },
});
const userRemoved = (userId: string): ParleyEvent => ({
  type: 'UserRemoved',
  data: { userId, reason: 'admin', feedback: 'bye', removedBy: 'apikey:admin', removedAt: at(9) },
});
const passwordChanged = (userId: string): ParleyEvent => ({
  type: 'PasswordChanged',
  data: { userId, passwordHash: 'new-secret-hash', changedBy: userId, changedAt: at(10) },
});

const propertiesChanged = (userId: string, properties: Record<string, unknown> | null): ParleyEvent => ({
  type: 'UserPropertiesChanged',
  data: { userId, properties, changedBy: 'application:app-1', changedAt: at(11) },
});

describe('users projection', () => {
  it('UserPropertiesChanged: the application’s custom_data on its user, replaced whole; a removal blanks it', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice'), propertiesChanged('u-alice', { a: 1, b: [2] })]);
    await scenario.when(propertiesChanged('u-alice', { c: true }));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ properties: { c: true } });
    await thenReplayChangesNothing(scenario, 'UserPropertiesChanged');
    await scenario.when(userRemoved('u-alice'));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ status: 'removed', properties: null });
  });

  it('UserRegistered: an active user without credentials, keyed by the normalised name, with a search key', async () => {
    const scenario = await given(usersProjection, [usernameClaimed('ａlice', 'u-alice')]);
    const [stored] = await scenario.when(
      userRegistered('u-alice', { username: 'ＡLice', displayName: 'Alice A.', registeredAt: at(3) }),
    );
    expect(await scenario.doc('users', 'u-alice')).toEqual({
      id: 'u-alice',
      username: 'ＡLice',
      usernameKey: 'alice',
      applicationId: null,
      applicationName: null,
      displayName: 'Alice A.',
      email: null,
      statusMessage: null,
      photoUrl: null,
      properties: null,
      privacy: DEFAULT_PRIVACY,
      registeredAt: at(3),
      status: 'active',
      removed: false,
      searchKey: 'alice\nalice a.',
      _position: stored!.position.toString(),
    });
    expect(JSON.stringify(await scenario.docs('users'))).not.toContain('secret-hash');
    await thenReplayChangesNothing(scenario, 'UserRegistered');
  });

  it('UsernameClaimed alone makes no user', async () => {
    const scenario = await given(usersProjection);
    await scenario.when(usernameClaimed('alice', 'u-alice'));
    expect(await scenario.docs('users')).toEqual([]);
  });

  it('then not updated: registering another user leaves the first as it was', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice')]);
    const before = await scenario.doc('users', 'u-alice');
    await scenario.when(userRegistered('u-bob', { displayName: 'Bob' }));
    expect(await scenario.doc('users', 'u-alice')).toEqual(before);
    expect((await scenario.docs('users')).map((d) => d.id).sort()).toEqual(['u-alice', 'u-bob']);
    await thenReplayChangesNothing(scenario, 'UserRegistered');
  });

  it('PhoneAccountCreated: pending, no username, the nickname as display name, no phone number', async () => {
    const scenario = await given(usersProjection);
    await scenario.when(phoneAccount('u-phone', 'Nick'));
    expect(await scenario.doc('users', 'u-phone')).toMatchObject({
      username: null,
      usernameKey: null,
      displayName: 'Nick',
      status: 'pending',
      registeredAt: at(2),
      searchKey: 'nick',
    });
    expect(JSON.stringify(await scenario.docs('users'))).not.toContain('+1555');
    await thenReplayChangesNothing(scenario, 'PhoneAccountCreated');
  });

  it('two phone accounts do not collide on the unique username index (null)', async () => {
    const scenario = await given(usersProjection);
    await scenario.when(phoneAccount('u-p1'), phoneAccount('u-p2'));
    expect((await scenario.docs('users')).map((d) => d.id)).toEqual(['u-p1', 'u-p2']);
  });

  it('PhoneVerified: active', async () => {
    const scenario = await given(usersProjection, [phoneAccount('u-phone')]);
    await scenario.when(phoneVerified('u-phone'));
    expect(await scenario.doc('users', 'u-phone')).toMatchObject({ status: 'active', displayName: 'Nick' });
    await thenReplayChangesNothing(scenario, 'PhoneVerified');
  });

  it('ProfileUpdated: the display name and the search key follow', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice', { username: 'alice', displayName: 'Alice' })]);
    await scenario.when(profileUpdated('u-alice', 'Alice Liddell'));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({
      displayName: 'Alice Liddell',
      searchKey: 'alice\nalice liddell',
    });
    await thenReplayChangesNothing(scenario, 'ProfileUpdated');
  });

  it('ProfileUpdated with an erased name (null): the search key keeps the username only', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice', { username: 'alice', displayName: 'Alice' })]);
    await scenario.when(profileUpdated('u-alice', null));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ displayName: null, searchKey: 'alice' });
  });

  it('EmailChanged: the address (opened; the log holds it sealed), null once the account is removed', async () => {
    const changed: ParleyEvent = {
      type: 'EmailChanged',
      data: { userId: 'u-alice', emailKey: 'k', email: 'alice@example.com', changedBy: 'u-alice', changedAt: at(4) },
    };
    const scenario = await given(usersProjection, [userRegistered('u-alice', { username: 'alice' })]);
    await scenario.when(changed);
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ email: 'alice@example.com' });
    await thenReplayChangesNothing(scenario, 'EmailChanged');
    await scenario.when(userRemoved('u-alice'));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ email: null, status: 'removed' });
  });

  it('StatusMessageChanged: set, then cleared', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice')]);
    await scenario.when(statusChanged('u-alice', 'At tea'));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ statusMessage: 'At tea' });
    await thenReplayChangesNothing(scenario, 'StatusMessageChanged');
    await scenario.when(statusChanged('u-alice', null));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ statusMessage: null });
    await thenReplayChangesNothing(scenario, 'StatusMessageChanged');
  });

  it('ProfilePhotoChanged: set, then removed', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice')]);
    await scenario.when(photoChanged('u-alice', 'https://cdn.example.com/a.png'));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ photoUrl: 'https://cdn.example.com/a.png' });
    await thenReplayChangesNothing(scenario, 'ProfilePhotoChanged');
    await scenario.when(photoChanged('u-alice', null));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ photoUrl: null });
  });

  it('PrivacySettingsChanged: the whole settings', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice')]);
    const settings: PrivacySettings = { statusMessage: 'contacts', photo: 'none', lastSeen: 'all' };
    await scenario.when(privacyChanged('u-alice', settings));
    expect(await scenario.doc('users', 'u-alice')).toMatchObject({ privacy: settings });
    await thenReplayChangesNothing(scenario, 'PrivacySettingsChanged');
  });

  it('PasswordChanged changes nothing here (no credentials)', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice')]);
    const before = await scenario.snapshot();
    await scenario.when(passwordChanged('u-alice'));
    expect(await scenario.snapshot()).toEqual(before);
  });

  it('UserRemoved: removed, every personal field null, the username kept; later replays change nothing', async () => {
    const scenario = await given(usersProjection, [
      userRegistered('u-alice', { username: 'alice', displayName: 'Alice' }),
      statusChanged('u-alice', 'At tea'),
      photoChanged('u-alice', 'https://cdn.example.com/a.png'),
      privacyChanged('u-alice', { statusMessage: 'none', photo: 'none', lastSeen: 'none' }),
    ]);
    const [stored] = await scenario.when(userRemoved('u-alice'));
    expect(await scenario.doc('users', 'u-alice')).toEqual({
      id: 'u-alice',
      username: 'alice',
      usernameKey: 'alice',
      applicationId: null,
      applicationName: null,
      displayName: null,
      email: null,
      statusMessage: null,
      photoUrl: null,
      properties: null,
      privacy: DEFAULT_PRIVACY,
      registeredAt: at(0),
      status: 'removed',
      removed: true,
      removedAt: at(9),
      searchKey: null,
      _position: stored!.position.toString(),
    });
    await thenReplayChangesNothing(scenario, 'UserRemoved');
  });

  it('UserRemoved of a pending phone account, and a late PhoneVerified keeps it removed', async () => {
    const scenario = await given(usersProjection, [phoneAccount('u-phone')]);
    await scenario.when(userRemoved('u-phone'), phoneVerified('u-phone'));
    expect(await scenario.doc('users', 'u-phone')).toMatchObject({ status: 'removed', removed: true, displayName: null });
  });

  describe('userSummary: the one rendering of a user in views', () => {
    it('shows a removed account as "Deleted user" without its handle', () => {
      expect(userSummary({ id: 'u1', username: 'alice', displayName: null, removed: true }, 'u1')).toEqual({
        userId: 'u1',
        username: null,
        displayName: DELETED_USER_NAME,
        removed: true,
      });
    });

    it('shows others as they are, and a missing document by id only', () => {
      expect(userSummary({ id: 'u1', username: 'alice', displayName: 'Alice', removed: false }, 'u1')).toEqual({
        userId: 'u1',
        username: 'alice',
        displayName: 'Alice',
        removed: false,
      });
      expect(userSummary(undefined, 'u2')).toEqual({ userId: 'u2', username: null, displayName: null, removed: false });
    });
  });

  it('searchKeyOf: NFKC and lower case, one part per line, erased parts left out', () => {
    expect(searchKeyOf('ＡLice', 'Alice LIDDELL')).toBe('alice\nalice liddell');
    expect(searchKeyOf(null, 'Nick')).toBe('nick');
    expect(searchKeyOf('bob', null)).toBe('bob');
  });
});

describe('users projection: users of applications', () => {
  it('ApplicationUserCreated: an active user without username, listed under its application; a replay changes nothing', async () => {
    const scenario = await given(usersProjection);
    await scenario.when({
      type: 'ApplicationUserCreated',
      data: { userId: 'u-app', applicationId: 'app-1', name: 'alice', displayName: 'Alice', createdBy: 'application:app-1', createdAt: at(1) },
    });
    expect(await scenario.doc('users', 'u-app')).toMatchObject({ status: 'active', username: null, usernameKey: null, displayName: 'Alice', applicationId: 'app-1', applicationName: 'alice', registeredAt: at(1) });
    await thenReplayChangesNothing(scenario, 'ApplicationUserCreated');
  });
});

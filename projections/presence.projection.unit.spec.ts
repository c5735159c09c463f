import type {
  BlockListReplaced,
  ContactBlocked,
  ContactUnblocked,
  PhoneVerified,
  PresenceChanged,
  PresenceStatus,
  PrivacySettingsChanged,
  ProfilePhotoChanged,
  StatusMessageChanged,
  UserRemoved,
} from '../libs/domain/events';
import { presenceProjection } from './presence.projection';
import { at, userRegistered } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const PHONE = { name: 'Pixel', platform: 'android', version: '14' };
const changed = (userId: string, status: PresenceStatus, minute: number, over: Partial<PresenceChanged['data']> = {}): PresenceChanged => ({
  type: 'PresenceChanged',
  data: { userId, status, message: null, device: null, changedBy: userId, changedAt: at(minute), ...over },
});
const removed = (userId: string): UserRemoved => ({
  type: 'UserRemoved',
  data: { userId, reason: 'self', feedback: null, removedBy: userId, removedAt: at(50) },
});
const verified = (userId: string, minute: number): PhoneVerified => ({
  type: 'PhoneVerified',
  data: { userId, codeId: `c-${minute}`, verifiedAt: at(minute) },
});
const statusMessage = (userId: string, message: string | null): StatusMessageChanged => ({
  type: 'StatusMessageChanged',
  data: { userId, message, changedBy: userId, changedAt: at(5) },
});
const photo = (userId: string, photoUrl: string | null): ProfilePhotoChanged => ({
  type: 'ProfilePhotoChanged',
  data: { userId, photoUrl, changedBy: userId, changedAt: at(6) },
});
const privacy = (userId: string, settings: PrivacySettingsChanged['data']['settings']): PrivacySettingsChanged => ({
  type: 'PrivacySettingsChanged',
  data: { userId, settings, changedBy: userId, changedAt: at(7) },
});
const blocked = (userId: string, blockedUserId: string): ContactBlocked => ({
  type: 'ContactBlocked',
  data: { userId, blockedUserId, blockedAt: at(8) },
});
const unblocked = (userId: string, blockedUserId: string): ContactUnblocked => ({
  type: 'ContactUnblocked',
  data: { userId, blockedUserId, unblockedAt: at(9) },
});
const replaced = (userId: string, blockedUserIds: string[]): BlockListReplaced => ({
  type: 'BlockListReplaced',
  data: { userId, blockedUserIds, replacedAt: at(10) },
});
const offline = {
  status: 'offline',
  message: null,
  device: null,
  lastSeenAt: null,
  changedAt: null,
  changedBy: null,
  statusMessage: null,
  photoUrl: null,
  privacy: { statusMessage: 'all', photo: 'all', lastSeen: 'all', readReceipts: 'all' },
  blocked: [],
  removed: false,
};

describe('presence projection', () => {
  it('UserRegistered: every account starts offline, never seen', async () => {
    const scenario = await given(presenceProjection);
    const [stored] = await scenario.when(userRegistered('u-alice'));
    expect(await scenario.doc('presence', 'u-alice')).toEqual({ id: 'u-alice', ...offline, _position: stored!.position.toString() });
    await thenReplayChangesNothing(scenario, 'UserRegistered');
  });

  it('PhoneVerified: a phone account appears once verified; verifying again to sign in changes nothing', async () => {
    const scenario = await given(presenceProjection);
    await scenario.when(verified('u-phone', 1));
    const first = await scenario.doc('presence', 'u-phone');
    expect(first).toMatchObject({ id: 'u-phone', ...offline });
    await scenario.when(changed('u-phone', 'online', 2), verified('u-phone', 3));
    expect(await scenario.doc('presence', 'u-phone')).toMatchObject({ status: 'online', lastSeenAt: at(2) });
    await thenReplayChangesNothing(scenario, 'PhoneVerified');
  });

  it('PresenceChanged: status, message, device, who and when; last seen as the decider keeps it', async () => {
    const scenario = await given(presenceProjection, [userRegistered('u-alice')]);
    await scenario.when(changed('u-alice', 'busy', 1, { message: 'Meeting', device: PHONE }));
    expect(await scenario.doc('presence', 'u-alice')).toMatchObject({
      status: 'busy',
      message: 'Meeting',
      device: PHONE,
      lastSeenAt: at(1),
      changedAt: at(1),
      changedBy: 'u-alice',
    });
    await scenario.when(changed('u-alice', 'invisible', 4, { changedBy: 'apikey:admin' }), changed('u-alice', 'invisible', 6, { message: 'x' }));
    expect(await scenario.doc('presence', 'u-alice')).toMatchObject({
      status: 'invisible',
      message: 'x',
      device: null,
      lastSeenAt: at(4),
      changedAt: at(6),
      changedBy: 'u-alice',
    });
    await thenReplayChangesNothing(scenario, 'PresenceChanged');
  });

  it('PresenceChanged for one user leaves the others as they were', async () => {
    const scenario = await given(presenceProjection, [userRegistered('u-alice'), userRegistered('u-bob')]);
    const bob = await scenario.doc('presence', 'u-bob');
    await scenario.when(changed('u-alice', 'online', 2));
    expect(await scenario.doc('presence', 'u-bob')).toEqual(bob);
  });

  it('PresenceChanged with erased fields (the owner’s key destroyed) reads as null', async () => {
    const scenario = await given(presenceProjection, [userRegistered('u-alice')]);
    await scenario.when(changed('u-alice', 'online', 2, { message: null, device: null }));
    expect(await scenario.doc('presence', 'u-alice')).toMatchObject({ status: 'online', message: null, device: null });
  });

  it('StatusMessageChanged and ProfilePhotoChanged: the current values, null clearing them', async () => {
    const scenario = await given(presenceProjection, [userRegistered('u-alice')]);
    await scenario.when(statusMessage('u-alice', 'Hiking'), photo('u-alice', 'https://example.org/a.png'));
    expect(await scenario.doc('presence', 'u-alice')).toMatchObject({ statusMessage: 'Hiking', photoUrl: 'https://example.org/a.png' });
    await thenReplayChangesNothing(scenario, 'ProfilePhotoChanged');
    await scenario.when(statusMessage('u-alice', null));
    expect(await scenario.doc('presence', 'u-alice')).toMatchObject({ statusMessage: null, photoUrl: 'https://example.org/a.png' });
    await thenReplayChangesNothing(scenario, 'StatusMessageChanged');
    await scenario.when(photo('u-alice', null));
    expect(await scenario.doc('presence', 'u-alice')).toMatchObject({ photoUrl: null });
  });

  it('PrivacySettingsChanged: the whole settings', async () => {
    const scenario = await given(presenceProjection, [userRegistered('u-alice')]);
    await scenario.when(privacy('u-alice', { statusMessage: 'contacts', photo: 'none', lastSeen: 'all' }));
    expect((await scenario.doc('presence', 'u-alice'))!['privacy']).toEqual({ statusMessage: 'contacts', photo: 'none', lastSeen: 'all' });
    await thenReplayChangesNothing(scenario, 'PrivacySettingsChanged');
  });

  it('ContactBlocked, ContactUnblocked, BlockListReplaced: the ids the user blocked, once each', async () => {
    const scenario = await given(presenceProjection, [userRegistered('u-alice'), userRegistered('u-bob')]);
    await scenario.when(blocked('u-alice', 'u-bob'), blocked('u-alice', 'u-carol'), blocked('u-alice', 'u-bob'));
    expect((await scenario.doc('presence', 'u-alice'))!['blocked']).toEqual(['u-carol', 'u-bob']);
    expect((await scenario.doc('presence', 'u-bob'))!['blocked']).toEqual([]);
    await thenReplayChangesNothing(scenario, 'ContactBlocked');
    await scenario.when(unblocked('u-alice', 'u-carol'));
    expect((await scenario.doc('presence', 'u-alice'))!['blocked']).toEqual(['u-bob']);
    await thenReplayChangesNothing(scenario, 'ContactUnblocked');
    await scenario.when(replaced('u-alice', ['u-dave', 'u-erin', 'u-dave']));
    expect((await scenario.doc('presence', 'u-alice'))!['blocked']).toEqual(['u-dave', 'u-erin']);
    await thenReplayChangesNothing(scenario, 'BlockListReplaced');
    await scenario.when(replaced('u-alice', []));
    expect((await scenario.doc('presence', 'u-alice'))!['blocked']).toEqual([]);
  });

  it('UserRemoved: every personal field erased, offline, marked removed; nothing changes it afterwards', async () => {
    const scenario = await given(presenceProjection, [
      userRegistered('u-alice'),
      changed('u-alice', 'online', 1, { message: 'Hi', device: PHONE }),
      statusMessage('u-alice', 'Hiking'),
      photo('u-alice', 'https://example.org/a.png'),
      blocked('u-alice', 'u-bob'),
    ]);
    await scenario.when(removed('u-alice'));
    expect(await scenario.doc('presence', 'u-alice')).toMatchObject({
      status: 'offline',
      message: null,
      device: null,
      statusMessage: null,
      photoUrl: null,
      blocked: [],
      removed: true,
    });
    await thenReplayChangesNothing(scenario, 'UserRemoved');
    const after = await scenario.doc('presence', 'u-alice');
    await scenario.when(statusMessage('u-alice', 'ghost'), changed('u-alice', 'online', 55), blocked('u-alice', 'u-carol'));
    expect({ ...(await scenario.doc('presence', 'u-alice')), _position: null }).toEqual({ ...after, _position: null });
  });
});

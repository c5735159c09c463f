import type { ParleyEvent } from '../libs/domain/events';
import { EMPTY_MEMBER_PROFILE } from '../libs/domain/community/member-profile.decider';
import { FEEDBACK, MEMBER_BLOCKS, MEMBER_PROFILES, membersProjection } from './members.projection';
import { NUMERIC_IDS, numericId, numericIdsProjection, numericKey } from './numeric-ids.projection';
import { at, roomCreated, userRegistered } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const LYON = { ...EMPTY_MEMBER_PROFILE, fullName: 'Alice Martin', city: 'Lyon', latitude: 45.76, longitude: 4.84, findable: true };
const profileChanged = (userId: string, profile = LYON): ParleyEvent => ({
  type: 'MemberProfileChanged',
  data: { userId, profile, changedBy: userId, changedAt: at(5) },
});
const feedbackLeft = (authorId: string, subjectId: string): ParleyEvent => ({
  type: 'FeedbackLeft',
  data: { feedbackId: 'f1', authorId, subjectId, rating: 'positive', body: 'Great host', stay: '2024-04', relation: 'guest', leftAt: at(6) },
});
const removed = (userId: string): ParleyEvent => ({
  type: 'UserRemoved',
  data: { userId, reason: 'self', feedback: null, removedBy: userId, removedAt: at(30) },
});

const blocked = (userId: string, blockedUserId: string): ParleyEvent => ({ type: 'ContactBlocked', data: { userId, blockedUserId, blockedAt: at(7) } });
const unblocked = (userId: string, blockedUserId: string): ParleyEvent => ({ type: 'ContactUnblocked', data: { userId, blockedUserId, unblockedAt: at(8) } });
const replaced = (userId: string, blockedUserIds: string[]): ParleyEvent => ({ type: 'BlockListReplaced', data: { userId, blockedUserIds, replacedAt: at(9) } });

describe('members projection', () => {
  describe('who blocks whom, for search', () => {
    it('ContactBlocked: the blocker joins the blocked member’s blockers', async () => {
      const scenario = await given(membersProjection, [blocked('u-carol', 'u-dan')]);
      await scenario.when(blocked('u-bob', 'u-dan'));
      expect(await scenario.doc(MEMBER_BLOCKS, 'of:u-dan')).toMatchObject({ ids: ['u-carol', 'u-bob'] });
      expect(await scenario.doc(MEMBER_BLOCKS, 'by:u-bob')).toMatchObject({ ids: ['u-dan'] });
      await thenReplayChangesNothing(scenario, 'ContactBlocked');
    });

    it('ContactUnblocked: the blocker leaves', async () => {
      const scenario = await given(membersProjection, [blocked('u-carol', 'u-dan'), blocked('u-bob', 'u-dan')]);
      await scenario.when(unblocked('u-carol', 'u-dan'));
      expect(await scenario.doc(MEMBER_BLOCKS, 'of:u-dan')).toMatchObject({ ids: ['u-bob'] });
      expect(await scenario.doc(MEMBER_BLOCKS, 'by:u-carol')).toMatchObject({ ids: [] });
      await thenReplayChangesNothing(scenario, 'ContactUnblocked');
    });

    it('BlockListReplaced: those no longer blocked lose the blocker, the new ones gain it', async () => {
      const scenario = await given(membersProjection, [blocked('u-carol', 'u-dan'), blocked('u-carol', 'u-erin')]);
      await scenario.when(replaced('u-carol', ['u-erin', 'u-finn']));
      expect(await scenario.doc(MEMBER_BLOCKS, 'of:u-dan')).toMatchObject({ ids: [] });
      expect(await scenario.doc(MEMBER_BLOCKS, 'of:u-erin')).toMatchObject({ ids: ['u-carol'] });
      expect(await scenario.doc(MEMBER_BLOCKS, 'of:u-finn')).toMatchObject({ ids: ['u-carol'] });
      expect(await scenario.doc(MEMBER_BLOCKS, 'by:u-carol')).toMatchObject({ ids: ['u-erin', 'u-finn'] });
      await thenReplayChangesNothing(scenario, 'BlockListReplaced');
    });
  });

  it('UserRegistered: an active member, not findable until their profile says so', async () => {
    const scenario = await given(membersProjection);
    await scenario.when(userRegistered('u-alice', { username: 'Alice' }));
    expect(await scenario.doc(MEMBER_PROFILES, 'u-alice')).toMatchObject({ username: 'Alice', usernameKey: 'alice', status: 'active', registeredAt: at(0), findable: false, lat: null, location: null });
    await thenReplayChangesNothing(scenario, 'UserRegistered');
  });

  it('MemberProfileChanged: the profile and the search fields (place, GeoJSON point, keyword key)', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice', { username: 'alice', displayName: 'Ali' })]);
    await scenario.when(profileChanged('u-alice'));
    expect(await scenario.doc(MEMBER_PROFILES, 'u-alice')).toMatchObject({
      profile: LYON,
      findable: true,
      lat: 45.76,
      lon: 4.84,
      location: { type: 'Point', coordinates: [4.84, 45.76] },
      searchKey: 'alice\nali\nalice martin\nlyon',
    });
    await scenario.when(profileChanged('u-alice', { ...LYON, findable: false }));
    expect(await scenario.doc(MEMBER_PROFILES, 'u-alice')).toMatchObject({ findable: false, lat: null, location: null, searchKey: null });
    await thenReplayChangesNothing(scenario, 'MemberProfileChanged');
  });

  it('FeedbackLeft: listed under its subject, remembered by its author', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice'), userRegistered('u-bob')]);
    await scenario.when(feedbackLeft('u-bob', 'u-alice'));
    expect(await scenario.doc(FEEDBACK, 'f1')).toMatchObject({ authorId: 'u-bob', subjectId: 'u-alice', body: 'Great host', stay: '2024-04' });
    expect(await scenario.doc(MEMBER_PROFILES, 'u-bob')).toMatchObject({ authored: ['f1'] });
    await thenReplayChangesNothing(scenario, 'FeedbackLeft');
  });

  it('UserRemoved: nothing personal stays, not findable, and the feedback they wrote loses its words', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice'), userRegistered('u-bob'), profileChanged('u-bob'), feedbackLeft('u-bob', 'u-alice')]);
    await scenario.when(removed('u-bob'));
    expect(await scenario.doc(MEMBER_PROFILES, 'u-bob')).toMatchObject({ status: 'removed', profile: null, displayName: null, findable: false, searchKey: null });
    expect(await scenario.doc(FEEDBACK, 'f1')).toMatchObject({ body: null, rating: 'positive' });
    await thenReplayChangesNothing(scenario, 'UserRemoved');
  });
});

describe('numeric ids projection', () => {
  it('maps a user’s and a room’s number back to their ids', async () => {
    const scenario = await given(numericIdsProjection);
    await scenario.when(userRegistered('7d4b0a6e-1c2f-4e8a-9b3c-5d6e7f8a9b0c'), roomCreated('0f1e2d3c-4b5a-4968-8776-655443322110'));
    const user = numericId('7d4b0a6e-1c2f-4e8a-9b3c-5d6e7f8a9b0c');
    expect(Number.isSafeInteger(user)).toBe(true);
    expect(await scenario.doc(NUMERIC_IDS, numericKey('user', user))).toMatchObject({ target: '7d4b0a6e-1c2f-4e8a-9b3c-5d6e7f8a9b0c' });
    expect(await scenario.doc(NUMERIC_IDS, numericKey('room', numericId('0f1e2d3c-4b5a-4968-8776-655443322110')))).toMatchObject({
      target: '0f1e2d3c-4b5a-4968-8776-655443322110',
    });
    await thenReplayChangesNothing(scenario, 'RoomCreated');
  });
});

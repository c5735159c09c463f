import type { ParleyEvent } from '../libs/domain/events';
import { EMPTY_MEMBER_PROFILE } from '../libs/domain/community/member-profile.decider';
import { FEEDBACK, MEMBER_BLOCKS, MEMBER_PROFILES, MEMBER_TERM_COUNTS, MEMBER_TERMS, membersProjection, searchTerms } from './members.projection';
import { NUMERIC_IDS, numericId, numericIdsProjection, numericKey } from './numeric-ids.projection';
import { at, roomCreated, userRegistered } from './testing/parley-events';
import { given, thenReplayChangesNothing, type ProjectionScenario } from './testing/projection-harness';

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

describe('members projection: keyword search index (member_terms)', () => {
  const PARIS = { ...LYON, city: 'Paris', latitude: 48.85, longitude: 2.35 };
  const renamed = (userId: string, displayName: string): ParleyEvent => ({
    type: 'ProfileUpdated',
    data: { userId, displayName, updatedBy: userId, updatedAt: at(10) },
  });
  /** A member's index rows, as sorted terms; each row's id names its member and term. */
  const termsOf = async (scenario: ProjectionScenario, userId: string): Promise<string[]> => {
    const rows = (await scenario.docs(MEMBER_TERMS)).filter((row) => row['userId'] === userId);
    for (const row of rows) expect(row.id).toBe(`${userId}:${row['term'] as string}`);
    return rows.map((row) => row['term'] as string).sort();
  };
  /** What the index must hold for a member: every distinct trigram of their search key, once. */
  const expectedTerms = async (scenario: ProjectionScenario, userId: string): Promise<string[]> =>
    searchTerms(((await scenario.doc(MEMBER_PROFILES, userId))?.['searchKey'] as string | null) ?? null).sort();

  it('MemberProfileChanged: a findable member gets one row per distinct trigram of their key, a word’s middle included', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice', { username: 'alice', displayName: 'Ali' }), userRegistered('u-bob')]);
    expect(await termsOf(scenario, 'u-alice')).toEqual([]);
    await scenario.when(profileChanged('u-alice'));
    const terms = await termsOf(scenario, 'u-alice');
    expect(terms).toEqual(await expectedTerms(scenario, 'u-alice'));
    expect(terms).toEqual(expect.arrayContaining(['ali', 'lic', 'ice', 'mar', 'art', 'tin', 'lyo', 'yon']));
    expect(new Set(terms).size).toBe(terms.length);
    expect(await termsOf(scenario, 'u-bob')).toEqual([]);
    await thenReplayChangesNothing(scenario, 'MemberProfileChanged');
  });

  it('MemberProfileChanged: a move to another city drops the old city’s terms and adds the new one’s, nothing stale', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice', { username: 'alice', displayName: 'Ali' }), profileChanged('u-alice')]);
    await scenario.when(profileChanged('u-alice', PARIS));
    const terms = await termsOf(scenario, 'u-alice');
    expect(terms).toEqual(await expectedTerms(scenario, 'u-alice'));
    expect(terms).toEqual(expect.arrayContaining(['par', 'ari', 'ris']));
    expect(terms).not.toContain('lyo');
    expect(terms).not.toContain('yon');
    // A kept term's row carries the new key, which search checks.
    expect(await scenario.doc(MEMBER_TERMS, 'u-alice:ali')).toMatchObject({ term: 'ali', userId: 'u-alice', usernameKey: 'alice', searchKey: 'alice\nali\nalice martin\nparis' });
    await thenReplayChangesNothing(scenario, 'MemberProfileChanged');
  });

  it('ProfileUpdated: a new display name re-indexes the member', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice', { username: 'alice', displayName: 'Ali' }), profileChanged('u-alice')]);
    await scenario.when(renamed('u-alice', 'Zoé'));
    const terms = await termsOf(scenario, 'u-alice');
    expect(terms).toEqual(await expectedTerms(scenario, 'u-alice'));
    expect(terms).toContain('zoé');
    await thenReplayChangesNothing(scenario, 'ProfileUpdated');
  });

  it('MemberProfileChanged: a member who stops being findable leaves no row', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice'), profileChanged('u-alice')]);
    await scenario.when(profileChanged('u-alice', { ...LYON, findable: false }));
    expect(await termsOf(scenario, 'u-alice')).toEqual([]);
    await thenReplayChangesNothing(scenario, 'MemberProfileChanged');
  });

  it('MemberProfileChanged: each term counts the members holding it, and a term nobody holds any more is gone', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice'), userRegistered('u-bob'), profileChanged('u-alice'), profileChanged('u-bob')]);
    expect(await scenario.doc(MEMBER_TERM_COUNTS, 'lyo')).toMatchObject({ members: 2 });
    await scenario.when(profileChanged('u-alice', PARIS));
    expect(await scenario.doc(MEMBER_TERM_COUNTS, 'lyo')).toMatchObject({ members: 1 });
    expect(await scenario.doc(MEMBER_TERM_COUNTS, 'par')).toMatchObject({ members: 1 });
    await thenReplayChangesNothing(scenario, 'MemberProfileChanged');
    await scenario.when(profileChanged('u-bob', PARIS));
    expect(await scenario.doc(MEMBER_TERM_COUNTS, 'lyo')).toBeNull();
    expect(await scenario.doc(MEMBER_TERM_COUNTS, 'par')).toMatchObject({ members: 2 });
    // Every count is the number of rows with that term.
    const rows = await scenario.docs(MEMBER_TERMS);
    for (const count of await scenario.docs(MEMBER_TERM_COUNTS)) {
      expect(rows.filter((row) => row['term'] === count.id).length).toBe(count['members']);
    }
  });

  it('UserRemoved: a removed member leaves no row, and the others keep theirs', async () => {
    const scenario = await given(membersProjection, [userRegistered('u-alice'), userRegistered('u-bob'), profileChanged('u-alice'), profileChanged('u-bob', PARIS)]);
    const bob = await termsOf(scenario, 'u-bob');
    await scenario.when(removed('u-alice'));
    expect(await termsOf(scenario, 'u-alice')).toEqual([]);
    expect(await termsOf(scenario, 'u-bob')).toEqual(bob);
    expect(bob).not.toEqual([]);
    expect(await scenario.doc(MEMBER_TERM_COUNTS, 'lyo')).toBeNull();
    expect(await scenario.doc(MEMBER_TERM_COUNTS, 'par')).toMatchObject({ members: 1 });
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

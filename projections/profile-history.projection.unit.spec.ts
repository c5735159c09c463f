import type { ParleyEvent } from '../libs/domain/events';
import {
  PROFILE_HISTORY,
  PROFILE_HISTORY_USERS,
  profileHistoryProjection,
} from './profile-history.projection';
import { at, userRegistered } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const statusChanged = (userId: string, message: string | null, minute = 6): ParleyEvent => ({
  type: 'StatusMessageChanged',
  data: { userId, message, changedBy: userId, changedAt: at(minute) },
});
const photoChanged = (userId: string, photoUrl: string | null, minute = 7): ParleyEvent => ({
  type: 'ProfilePhotoChanged',
  data: { userId, photoUrl, changedBy: userId, changedAt: at(minute) },
});
const userRemoved = (userId: string): ParleyEvent => ({
  type: 'UserRemoved',
  data: { userId, reason: 'self', feedback: null, removedBy: userId, removedAt: at(30) },
});

describe('profile history projection', () => {
  it('StatusMessageChanged: one entry per change, keyed by the event id, with its place in the user stream', async () => {
    const scenario = await given(profileHistoryProjection, [userRegistered('u-alice')]);
    const [stored] = await scenario.when(statusChanged('u-alice', 'At tea', 6));
    expect(await scenario.docs(PROFILE_HISTORY)).toEqual([
      {
        id: stored!.id,
        userId: 'u-alice',
        kind: 'status',
        value: 'At tea',
        changedAt: at(6),
        revision: 1,
        _position: stored!.position.toString(),
      },
    ]);
    expect(await scenario.doc(PROFILE_HISTORY_USERS, 'u-alice')).toMatchObject({ entries: [stored!.id], removed: false });
    await thenReplayChangesNothing(scenario, 'StatusMessageChanged');
  });

  it('keeps clears (null) and repeated values as their own entries, newest last in the stream', async () => {
    const scenario = await given(profileHistoryProjection, [userRegistered('u-alice')]);
    await scenario.when(statusChanged('u-alice', 'one', 1), statusChanged('u-alice', null, 2), statusChanged('u-alice', 'one', 3));
    const entries = (await scenario.docs(PROFILE_HISTORY)).sort((a, b) => (a['revision'] as number) - (b['revision'] as number));
    expect(entries.map((e) => [e['value'], e['changedAt'], e['revision']])).toEqual([
      ['one', at(1), 1],
      [null, at(2), 2],
      ['one', at(3), 3],
    ]);
    await thenReplayChangesNothing(scenario, 'StatusMessageChanged');
  });

  it('ProfilePhotoChanged: entries of kind photo, apart from status entries', async () => {
    const scenario = await given(profileHistoryProjection, [userRegistered('u-alice'), statusChanged('u-alice', 'hi')]);
    const [stored] = await scenario.when(photoChanged('u-alice', 'https://cdn.example.com/a.png'));
    expect(await scenario.doc(PROFILE_HISTORY, stored!.id)).toMatchObject({
      userId: 'u-alice',
      kind: 'photo',
      value: 'https://cdn.example.com/a.png',
      revision: 2,
    });
    expect((await scenario.docs(PROFILE_HISTORY)).map((e) => e['kind']).sort()).toEqual(['photo', 'status']);
    await thenReplayChangesNothing(scenario, 'ProfilePhotoChanged');
  });

  it('keeps each user apart', async () => {
    const scenario = await given(profileHistoryProjection, [userRegistered('u-alice'), userRegistered('u-bob')]);
    await scenario.when(statusChanged('u-alice', 'a'), statusChanged('u-bob', 'b'));
    const byUser = (await scenario.docs(PROFILE_HISTORY)).map((e) => [e['userId'], e['value']]).sort();
    expect(byUser).toEqual([
      ['u-alice', 'a'],
      ['u-bob', 'b'],
    ]);
  });

  it('UserRemoved: deletes that user history, keeps others, and replays of earlier changes bring nothing back', async () => {
    const scenario = await given(profileHistoryProjection, [
      userRegistered('u-alice'),
      userRegistered('u-bob'),
      statusChanged('u-alice', 'secret plans'),
      photoChanged('u-alice', 'https://cdn.example.com/alice.png'),
      statusChanged('u-bob', 'still here'),
    ]);
    await scenario.when(userRemoved('u-alice'));
    const left = await scenario.docs(PROFILE_HISTORY);
    expect(left.map((e) => [e['userId'], e['value']])).toEqual([['u-bob', 'still here']]);
    expect(await scenario.doc(PROFILE_HISTORY_USERS, 'u-alice')).toMatchObject({ entries: [], removed: true });
    expect(JSON.stringify(await scenario.snapshot())).not.toContain('secret plans');
    await thenReplayChangesNothing(scenario, 'UserRemoved');
    // The whole log again from position 0 also re-delivers the earlier changes: still nothing comes back.
    const { after, delivered } = await scenario.replay('all');
    expect(delivered).toEqual(expect.arrayContaining(['StatusMessageChanged', 'ProfilePhotoChanged', 'UserRemoved']));
    expect(JSON.stringify(after)).not.toContain('secret plans');
  });

  it('UserRemoved of a user without history leaves a removed marker only', async () => {
    const scenario = await given(profileHistoryProjection, [userRegistered('u-alice')]);
    await scenario.when(userRemoved('u-alice'));
    expect(await scenario.docs(PROFILE_HISTORY)).toEqual([]);
    expect(await scenario.doc(PROFILE_HISTORY_USERS, 'u-alice')).toMatchObject({ removed: true });
    await thenReplayChangesNothing(scenario, 'UserRemoved');
  });
});

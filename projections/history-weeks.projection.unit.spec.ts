import type { CommentDeleted, HistoryDeleted } from '../libs/domain/events';
import { HISTORY_ROOMS, HISTORY_WEEKS, historyWeeksProjection } from './history-weeks.projection';
import { commentPosted } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const ROOM = 'room-1';
const deleted = (seq: number): CommentDeleted => ({
  type: 'CommentDeleted',
  data: { commentId: `${ROOM}-c${seq}`, roomId: ROOM, seq, deletedBy: 'u', deletedAt: '2024-06-01T00:00:00.000Z' },
});
const fields = (doc: Record<string, unknown> | null) => doc && { count: doc['count'], deleted: doc['deleted'], revision: doc['revision'], year: doc['year'], week: doc['week'] };

describe('history-weeks projection', () => {
  it('CommentPosted: counts the comment in its ISO week and moves the week’s and the room’s revision', async () => {
    const s = await given(historyWeeksProjection);
    await s.when(
      commentPosted(ROOM, 1, { postedAt: '2016-05-16T08:00:00.000Z' }),
      commentPosted(ROOM, 2, { postedAt: '2016-05-22T23:59:59.000Z' }),
      commentPosted(ROOM, 3, { postedAt: '2016-05-23T00:00:00.000Z' }),
    );
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W20`))).toEqual({ count: 2, deleted: 0, revision: 2, year: 2016, week: 20 });
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W21`))).toEqual({ count: 1, deleted: 0, revision: 1, year: 2016, week: 21 });
    expect((await s.doc(HISTORY_ROOMS, ROOM))?.['revision']).toBe(3);
    await thenReplayChangesNothing(s, 'CommentPosted');
  });

  it('CommentDeleted: the week counts one fewer and its revision moves', async () => {
    const s = await given(historyWeeksProjection, [commentPosted(ROOM, 1, { postedAt: '2016-05-16T08:00:00.000Z' })]);
    await s.when(deleted(1));
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W20`))).toEqual({ count: 0, deleted: 1, revision: 2, year: 2016, week: 20 });
    expect((await s.doc(HISTORY_ROOMS, ROOM))?.['revision']).toBe(2);
    await thenReplayChangesNothing(s, 'CommentDeleted');
  });
});

describe('history-weeks projection: deleted blocks of history', () => {
  const block = (data: Partial<HistoryDeleted['data']>): HistoryDeleted => ({
    type: 'HistoryDeleted',
    data: { roomId: ROOM, scope: 'all', commentIds: [], week: null, fromSeq: 1, throughSeq: 3, deletedBy: 'admin', deletedAt: '2024-06-01T00:00:00.000Z', ...data },
  });
  const posted = () => [
    commentPosted(ROOM, 1, { postedAt: '2016-05-16T08:00:00.000Z' }),
    commentPosted(ROOM, 2, { postedAt: '2016-05-17T08:00:00.000Z' }),
    commentPosted(ROOM, 3, { postedAt: '2016-05-23T08:00:00.000Z' }),
  ];

  it('HistoryDeleted by ids: each named comment leaves its week once, a comment deleted before is not counted twice', async () => {
    const s = await given(historyWeeksProjection, [...posted(), deleted(1)]);
    await s.when(block({ scope: 'comments', commentIds: [`${ROOM}-c1`, `${ROOM}-c2`], fromSeq: 1, throughSeq: 2 }));
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W20`))).toEqual({ count: 0, deleted: 2, revision: 4, year: 2016, week: 20 });
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W21`))).toEqual({ count: 1, deleted: 0, revision: 1, year: 2016, week: 21 });
    await thenReplayChangesNothing(s, 'HistoryDeleted');
  });

  it('HistoryDeleted by week: that week holds nothing any more, the others stay', async () => {
    const s = await given(historyWeeksProjection, posted());
    await s.when(block({ scope: 'week', week: { year: 2016, week: 20, from: '2016-05-16T00:00:00.000Z', until: '2016-05-23T00:00:00.000Z' }, fromSeq: 1, throughSeq: 2 }));
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W20`))).toEqual({ count: 0, deleted: 2, revision: 3, year: 2016, week: 20 });
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W21`))?.count).toBe(1);
    expect((await s.doc(HISTORY_ROOMS, ROOM))?.['revision']).toBe(4);
    await thenReplayChangesNothing(s, 'HistoryDeleted');
  });

  it('HistoryDeleted of all: every week of the room holds nothing', async () => {
    const s = await given(historyWeeksProjection, posted());
    await s.when(block({ scope: 'all' }));
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W20`))?.count).toBe(0);
    expect(fields(await s.doc(HISTORY_WEEKS, `${ROOM}:2016-W21`))?.count).toBe(0);
    await thenReplayChangesNothing(s, 'HistoryDeleted');
  });
});

import { isoWeekOf } from '../libs/domain/history-weeks';
import { ParleyHarness } from './support/parley-app';

describe('history by ISO week (issue #16)', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('lists the weeks with counts and revisions, serves a week, and moves the revision on a deletion', async () => {
    const [ann, bob, eve] = await Promise.all([h.user('ann'), h.user('bob'), h.user('eve')]);
    const room = await h.http().post('/v1/rooms').set(ann.auth).send({ name: 'Weeks', participants: [bob.id] }).expect(201);
    const roomId = room.body.id as string;
    const first = await h.http().post(`/v1/rooms/${roomId}/comments`).set(ann.auth).send({ text: 'one' }).expect(201);
    const second = await h.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'two' }).expect(201);
    const { year, week } = isoWeekOf(second.body.createdAt as string);
    const weeks = await h.http().get(`/v1/rooms/${roomId}/history/weeks`).set(ann.auth).set('X-Min-Position', second.body.position).expect(200);
    expect(weeks.body).toEqual({ roomId, revision: 2, weeks: [{ year, week, count: 2, revision: 2 }] });

    const items = await h.http().get(`/v1/rooms/${roomId}/history/weeks/${year}/${week}`).set(bob.auth).set('X-Min-Position', second.body.position).expect(200);
    expect((items.body.items as { kind: string; text: string }[]).filter((i) => i.kind === 'comment').map((i) => i.text)).toEqual(['one', 'two']);
    const other = await h.http().get(`/v1/rooms/${roomId}/history/weeks/2001/1`).set(bob.auth).expect(200);
    expect(other.body.items).toEqual([]);

    const gone = await h.http().delete(`/v1/rooms/${roomId}/comments/${first.body.id}`).set(ann.auth).expect(200);
    const after = await h.http().get(`/v1/rooms/${roomId}/history/weeks`).set(ann.auth).set('X-Min-Position', gone.body.position).expect(200);
    expect(after.body).toEqual({ roomId, revision: 3, weeks: [{ year, week, count: 1, revision: 3 }] });

    const noWeek = await h.http().get(`/v1/rooms/${roomId}/history/weeks/2021/53`).set(ann.auth).expect(400);
    expect(noWeek.body).toMatchObject({ code: 'HISTORY.WEEK_INVALID', details: [expect.objectContaining({ field: 'week' })] });
    await h.http().get(`/v1/rooms/${roomId}/history/weeks/2021/x`).set(ann.auth).expect(400);
    await h.http().get(`/v1/rooms/${roomId}/history/weeks`).set(eve.auth).expect(404);
  });
});

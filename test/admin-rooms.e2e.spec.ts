import { isoWeekOf } from '../libs/domain/history-weeks';
import { SseClient } from './support/feed-clients';
import { ParleyHarness } from './support/parley-app';

const API_KEY = 'admin-rooms-e2e-key-0123456789abcdef012';
const admin = { 'X-Api-Key': API_KEY };

describe('group chats run by administrators (admin:rooms) and deleting history (issue #16)', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await h.stop();
  });

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  async function refused(send: () => PromiseLike<{ status: number; body: Record<string, unknown> }>, status: number, code: string, field?: string) {
    const before = await head();
    const res = await send();
    expect({ status: res.status, code: res.body['code'] }).toEqual({ status, code });
    if (field !== undefined) expect(res.body['details']).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await head()).toBe(before);
  }

  it('refuses without a key and with a key lacking admin:rooms', async () => {
    await h.http().get('/v1/admin/rooms').expect(401);
    const key = await h.http().post('/v1/admin/api-keys').set(admin).send({ name: 'org only', scopes: ['admin:org'] }).expect(201);
    const res = await h.http().get('/v1/admin/rooms').set({ 'X-Api-Key': key.body.key as string }).expect(403);
    expect(res.body.code).toBe('AUTH.SCOPE_MISSING');
  });

  it('creates a group chat for the organisation, lists it (unlisted too), changes it and its members without being one; deleted rooms leave the list', async () => {
    const [ann, bob] = await Promise.all([h.user('ann'), h.user('bob')]);
    const created = await h.http().post('/v1/admin/rooms').set(admin).send({ name: 'General', topic: 'Welcome', participants: [ann.id], unlisted: true }).expect(201);
    const room = created.body.room as { id: string; createdBy: string; members: { userId: string; role: string }[]; unlisted: boolean };
    expect(room).toMatchObject({ name: 'General', unlisted: true, deleted: false, createdBy: expect.stringMatching(/^apikey:/), memberCount: 1 });
    expect(room.members).toEqual([{ userId: ann.id, role: 'member', muted: false, voice: false }]);
    // The administrator is no member: the room is not theirs to read as a user, but ann's.
    await h.http().get(`/v1/rooms/${room.id}`).set(ann.auth).set('X-Min-Position', created.body.position).expect(200);

    const listed = await h.http().get('/v1/admin/rooms?members=1&limit=100').set(admin).set('X-Min-Position', created.body.position).expect(200);
    expect((listed.body.items as { id: string; members: unknown[] }[]).find((r) => r.id === room.id)?.members).toHaveLength(1);

    const voiced = await h.http().put(`/v1/admin/rooms/${room.id}/members/${bob.id}`).set(admin).send({ voice: true }).expect(200);
    expect(voiced.body.room.members).toContainEqual({ userId: bob.id, role: 'member', muted: false, voice: true });
    const operator = await h.http().put(`/v1/admin/rooms/${room.id}/members/${ann.id}`).set(admin).send({ role: 'operator' }).expect(200);
    expect(operator.body.written).toBe(1);
    const moderated = await h.http().patch(`/v1/admin/rooms/${room.id}`).set(admin).send({ topic: 'Quiet please', permissions: { send: false }, unlisted: false }).expect(200);
    expect(moderated.body.room).toMatchObject({ topic: 'Quiet please', unlisted: false, permissions: { send: false } });

    const members = await h.http().get(`/v1/rooms/${room.id}/members`).set(ann.auth).set('X-Min-Position', moderated.body.position).expect(200);
    expect((members.body as { userId: string; voice: boolean }[]).find((m) => m.userId === bob.id)?.voice).toBe(true);

    const removed = await h.http().delete(`/v1/admin/rooms/${room.id}/members/${bob.id}`).set(admin).expect(200);
    expect(removed.body.room.memberCount).toBe(1);
    const deleted = await h.http().patch(`/v1/admin/rooms/${room.id}`).set(admin).send({ deleted: true }).expect(200);
    expect(deleted.body.room.deleted).toBe(true);
    expect((await h.http().patch(`/v1/admin/rooms/${room.id}`).set(admin).send({ deleted: true }).expect(200)).body.written).toBe(0);
    const after = await h.http().get('/v1/admin/rooms?limit=100').set(admin).set('X-Min-Position', deleted.body.position).expect(200);
    expect((after.body.items as { id: string }[]).map((r) => r.id)).not.toContain(room.id);
    const withDeleted = await h.http().get('/v1/admin/rooms?limit=100&deleted=1').set(admin).expect(200);
    expect((withDeleted.body.items as { id: string }[]).map((r) => r.id)).toContain(room.id);
  });

  it('in a moderated room only voiced members, operators and owners post', async () => {
    const [ann, bob, cid] = await Promise.all([h.user('ann'), h.user('bob'), h.user('cid')]);
    const created = await h.http().post('/v1/admin/rooms').set(admin).send({ name: 'Announcements', participants: [ann.id, bob.id, cid.id], permissions: { send: false } }).expect(201);
    const roomId = created.body.room.id as string;
    await h.http().put(`/v1/admin/rooms/${roomId}/members/${bob.id}`).set(admin).send({ voice: true }).expect(200);
    await h.http().put(`/v1/admin/rooms/${roomId}/members/${cid.id}`).set(admin).send({ role: 'operator' }).expect(200);
    const refusal = await h.http().post(`/v1/rooms/${roomId}/comments`).set(ann.auth).send({ text: 'may I?' }).expect(403);
    expect(refusal.body.code).toBe('ROOM.SEND_NOT_ALLOWED');
    await h.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'voiced' }).expect(201);
    await h.http().post(`/v1/rooms/${roomId}/comments`).set(cid.auth).send({ text: 'operator' }).expect(201);
    // An operator takes the voice back.
    await h.http().patch(`/v1/rooms/${roomId}/members/${bob.id}`).set(cid.auth).send({ voice: false }).expect(200);
    await h.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'again' }).expect(403);
  });

  it('refuses bad input naming the field and writes nothing', async () => {
    const ann = await h.user('ann');
    const created = await h.http().post('/v1/admin/rooms').set(admin).send({ name: 'R', participants: [ann.id] }).expect(201);
    const roomId = created.body.room.id as string;
    await refused(() => h.http().post('/v1/admin/rooms').set(admin).send({ name: '' }), 400, 'REQUEST.VALIDATION_FAILED', 'name');
    await refused(() => h.http().patch(`/v1/admin/rooms/${roomId}`).set(admin).send({ deleted: false }), 400, 'REQUEST.VALIDATION_FAILED', 'deleted');
    await refused(() => h.http().put(`/v1/admin/rooms/${roomId}/members/${ann.id}`).set(admin).send({ voice: 'yes' }), 400, 'REQUEST.VALIDATION_FAILED', 'voice');
    await refused(() => h.http().get('/v1/admin/rooms?members=2').set(admin), 400, 'REQUEST.VALIDATION_FAILED', 'members');
    await refused(() => h.http().patch('/v1/admin/rooms/00000000-0000-4000-8000-000000000000').set(admin).send({ topic: 'x' }), 404, 'ROOM.NOT_FOUND');
  });

  describe('deleting history', () => {
    async function roomWithComments(texts: readonly string[]) {
      const [ann, bob] = await Promise.all([h.user('ann'), h.user('bob')]);
      const created = await h.http().post('/v1/rooms').set(ann.auth).send({ name: 'History', participants: [bob.id] }).expect(201);
      const roomId = created.body.id as string;
      const ids: string[] = [];
      let position = created.body.position as string;
      for (const text of texts) {
        const posted = await h.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text }).expect(201);
        ids.push(posted.body.id as string);
        position = posted.body.position as string;
      }
      return { ann, bob, roomId, ids, position };
    }
    const texts = async (roomId: string, auth: Record<string, string>, position: string) =>
      ((await h.http().get(`/v1/rooms/${roomId}/comments`).set(auth).set('X-Min-Position', position).expect(200)).body.items as { kind?: string; type: string; text: string | null; deleted: boolean }[])
        .filter((item) => item.type === 'text')
        .map((item) => (item.deleted ? null : item.text));

    it('by ids: an operator deletes a block; the comments show as tombstones, the week counts them out, a retry writes nothing', async () => {
      const { ann, bob, roomId, ids, position } = await roomWithComments(['one', 'two', 'three']);
      const res = await h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).set('X-Min-Position', position).send({ commentIds: [ids[0], ids[2]] }).expect(200);
      expect(res.body.written).toBe(1);
      expect(await texts(roomId, bob.auth, res.body.position as string)).toEqual([null, 'two', null]);
      const weeks = await h.http().get(`/v1/rooms/${roomId}/history/weeks`).set(bob.auth).set('X-Min-Position', res.body.position as string).expect(200);
      expect((weeks.body.weeks as { count: number }[]).reduce((sum, w) => sum + w.count, 0)).toBe(1);
      expect((await h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).send({ commentIds: [ids[0]] }).expect(200)).body.written).toBe(0);
      // A comment deleted with a block is gone for a single deletion too.
      await h.http().delete(`/v1/rooms/${roomId}/comments/${ids[0]}`).set(bob.auth).expect(404);
    });

    it('by ids: refuses a plain member, a comment of another room (naming the entry) and an empty or double body; nothing is written', async () => {
      const { ann, bob, roomId, ids } = await roomWithComments(['one']);
      const other = await roomWithComments(['elsewhere']);
      await refused(() => h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(bob.auth).send({ commentIds: ids }), 403, 'HISTORY.DELETE_NOT_ALLOWED');
      await refused(() => h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).send({ commentIds: [ids[0], other.ids[0]] }), 404, 'COMMENT.NOT_FOUND', 'commentIds[1]');
      await refused(() => h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).send({}), 400, 'HISTORY.BLOCK_INVALID', 'commentIds');
      await refused(() => h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).send({ all: true, commentIds: ids }), 400, 'HISTORY.BLOCK_INVALID', 'all');
      await refused(() => h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).send({ week: { year: 2015, week: 54 } }), 400, 'REQUEST.VALIDATION_FAILED', 'week.week');
      await refused(() => h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).send({ week: { year: 2021, week: 53 } }), 400, 'HISTORY.WEEK_INVALID', 'week');
    });

    it('by week and all, as an administrator of a room they are not in: the week empties, everything goes, later posts stand', async () => {
      const { bob, roomId, position } = await roomWithComments(['one', 'two']);
      const week = isoWeekOf(new Date());
      const byWeek = await h.http().post(`/v1/admin/rooms/${roomId}/history/deletions`).set(admin).set('X-Min-Position', position).send({ week }).expect(200);
      expect(byWeek.body.written).toBe(1);
      expect(await texts(roomId, bob.auth, byWeek.body.position as string)).toEqual([null, null]);
      const weeks = await h.http().get(`/v1/rooms/${roomId}/history/weeks`).set(bob.auth).set('X-Min-Position', byWeek.body.position as string).expect(200);
      expect(weeks.body.weeks).toEqual([]);
      const later = await h.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'three' }).expect(201);
      const all = await h.http().post(`/v1/admin/rooms/${roomId}/history/deletions`).set(admin).send({ all: true }).expect(200);
      expect(all.body.written).toBe(1);
      const after = await h.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'four' }).expect(201);
      expect(await texts(roomId, bob.auth, after.body.position as string)).toEqual([null, null, null, 'four']);
      expect(later.body.id).toBeDefined();
    });

    it('the feed replays a deleted block as tombstones; the log keeps the posts for audit', async () => {
      const { ann, bob, roomId, ids, position } = await roomWithComments(['secret']);
      const res = await h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(ann.auth).set('X-Min-Position', position).send({ all: true }).expect(200);
      const client = await SseClient.connect(await h.listen(), bob.token, { from: '0' });
      try {
        await client.waitForPosition(res.body.position as string);
        const posted = client.messages.find((m) => m.type === 'CommentPosted' && (m.data as { commentId?: string }).commentId === ids[0]);
        expect(posted?.data).toMatchObject({ text: null, deleted: true });
        expect(client.messages.map((m) => JSON.stringify(m.data)).join('\n')).not.toContain('secret');
        expect(client.messages.some((m) => m.type === 'HistoryDeleted')).toBe(true);
      } finally {
        client.close();
      }
    });
  });
});

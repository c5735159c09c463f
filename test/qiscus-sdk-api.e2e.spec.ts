import { ParleyHarness } from './support/parley-app';

const APP_ID = 'parley-sdk-api';
const SECRET = 'qiscus-secret-0123456789abcdef';
const KEY = 'qiscus user key 0123';

/**
 * The client SDK's API as qiscus-sdk-core sends it (forms with its
 * `participants[][0]=` nesting, JSON for posts and deletions, the
 * QISCUS-SDK-* headers), through supertest, so every answer is checked
 * against the OpenAPI document; and its refusals.
 */
describe('Qiscus client SDK API (/api/v2/sdk)', () => {
  let parley: ParleyHarness;
  let counter = 0;
  const unique = (name: string) => `${name}.${Date.now().toString(36)}${++counter}@example.com`;
  const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string;
  const as = (token: string) => ({ 'QISCUS-SDK-APP-ID': APP_ID, 'QISCUS-SDK-TOKEN': token, 'QISCUS-SDK-PLATFORM': 'javascript' });
  const login = async (email: string, username: string) => {
    const res = await parley
      .http()
      .post('/api/v2/sdk/login_or_register')
      .set('QISCUS-SDK-APP-ID', APP_ID)
      .type('form')
      .send({ email, password: KEY, username, extras: '' })
      .expect(200);
    return res.body.results.user as { id: number; email: string; token: string; refresh_token: string; last_comment_id: number };
  };

  beforeAll(async () => {
    parley = await ParleyHarness.start({ QISCUS_APP_ID: APP_ID, QISCUS_SDK_SECRET: SECRET });
  });
  afterAll(async () => {
    await parley.stop();
  });

  describe('each operation the SDK calls', () => {
    let alice: Awaited<ReturnType<typeof login>>;
    let bob: Awaited<ReturnType<typeof login>>;
    let carol: Awaited<ReturnType<typeof login>>;
    let groupId: number;

    beforeAll(async () => {
      alice = await login(unique('alice'), 'Alice');
      bob = await login(unique('bob'), 'Bob');
      carol = await login(unique('carol'), 'Carol');
    });

    it('config tells the SDK to sync over HTTP', async () => {
      const res = await parley.http().get('/api/v2/sdk/config').set('QISCUS-SDK-APP-ID', APP_ID).expect(200);
      expect(res.body).toMatchObject({ status: 200, results: { enable_realtime: false, enable_sync: true, sync_interval: 5000 } });
    });

    it('login_or_register signs in again with the same key, and my_profile answers the user', async () => {
      const again = await login(alice.email, 'Alice');
      expect(again.id).toBe(alice.id);
      expect(again.token).not.toBe(alice.token);
      const me = await parley.http().get('/api/v2/sdk/my_profile').set(as(alice.token)).expect(200);
      expect(me.body.results.user).toMatchObject({ id: alice.id, email: alice.email, username: 'Alice' });
    });

    it('create_room reads the SDK’s participants[][0]= form nesting', async () => {
      const form = `name=Team&participants%5B%5D%5B0%5D=${encodeURIComponent(bob.email)}&options=`;
      const res = await parley.http().post('/api/v2/sdk/create_room').set(as(alice.token)).type('form').send(form).expect(200);
      groupId = res.body.results.room.id;
      expect(res.body.results.room).toMatchObject({ room_name: 'Team', chat_type: 'group', last_comment_id: expect.any(Number) });
      expect(res.body.results.room.participants.map((p: { email: string }) => p.email).sort()).toEqual([alice.email, bob.email].sort());
    });

    it('get_or_create_room_with_target answers the same single room twice', async () => {
      const open = () =>
        parley.http().post('/api/v2/sdk/get_or_create_room_with_target').set(as(alice.token)).type('form').send({ emails: bob.email }).expect(200);
      const first = await open();
      const second = await open();
      expect(second.body.results.room.id).toBe(first.body.results.room.id);
      expect(first.body.results.room.chat_type).toBe('single');
    });

    it('post_comment (JSON), load_comments, get_room_by_id and sync agree on the comment', async () => {
      const posted = await parley
        .http()
        .post('/api/v2/sdk/post_comment')
        .set(as(alice.token))
        .send({ comment: 'hello', topic_id: String(groupId), unique_temp_id: 'javascript-abc', type: 'text' })
        .expect(200);
      const comment = posted.body.results.comment;
      expect(comment).toMatchObject({ message: 'hello', room_id: groupId, unique_temp_id: 'javascript-abc', email: alice.email });
      const retry = await parley.http().post('/api/v2/sdk/post_comment').set(as(alice.token)).send({ comment: 'hello', topic_id: String(groupId), unique_temp_id: 'javascript-abc' }).expect(200);
      expect(retry.body.results.comment.id).toBe(comment.id);
      const loaded = await parley.http().get(`/api/v2/sdk/load_comments?topic_id=${groupId}&limit=5`).set(as(bob.token)).expect(200);
      expect(loaded.body.results.comments[0]).toMatchObject({ id: comment.id, message: 'hello' });
      const room = await parley.http().get(`/api/v2/sdk/get_room_by_id?id=${groupId}`).set(as(bob.token)).expect(200);
      expect(room.body.results.room.last_comment_id).toBe(comment.id);
      const sync = await parley.http().get(`/api/v2/sdk/sync?last_received_comment_id=${bob.last_comment_id}`).set(as(bob.token)).expect(200);
      expect(sync.body.results.comments.map((c: { id: number }) => c.id)).toContain(comment.id);
      expect(sync.body.results.meta.last_received_comment_id).toBeGreaterThanOrEqual(comment.id);
      // Carol is in none of those rooms: her sync shows nothing of them.
      const carolSync = await parley.http().get(`/api/v2/sdk/sync?last_received_comment_id=${carol.last_comment_id - 1}`).set(as(carol.token)).expect(200);
      expect(carolSync.body.results.comments.map((c: { id: number }) => c.id)).not.toContain(comment.id);
    });

    it('user_rooms and total_unread_count move with update_comment_status', async () => {
      const rooms = await parley.http().get('/api/v2/sdk/user_rooms?page=1&show_participants=true&limit=10').set(as(bob.token)).expect(200);
      const group = rooms.body.results.rooms_info.find((r: { id: number }) => r.id === groupId);
      expect(group).toMatchObject({ room_name: 'Team', unread_count: 1, last_comment: { message: 'hello' } });
      expect((await parley.http().get('/api/v2/sdk/total_unread_count').set(as(bob.token)).expect(200)).body.results.total_unread_count).toBe(1);
      const read = await parley
        .http()
        .post('/api/v2/sdk/update_comment_status')
        .set(as(bob.token))
        .type('form')
        .send({ room_id: String(groupId), last_comment_read_id: String(group.last_comment.id) })
        .expect(200);
      expect(read.body.results.changed).toBe(true);
      expect((await parley.http().get('/api/v2/sdk/total_unread_count').set(as(bob.token)).expect(200)).body.results.total_unread_count).toBe(0);
    });

    it('load_comments, of the SDK and of the server API, shows a comment with files as Qiscus shows a file, as its webhook does', async () => {
      const form = `name=Files&participants%5B%5D%5B0%5D=${encodeURIComponent(bob.email)}&options=`;
      const filesId = (await parley.http().post('/api/v2/sdk/create_room').set(as(alice.token)).type('form').send(form).expect(200)).body.results.room.id as number;
      const bearer = { Authorization: `Bearer ${alice.token}` };
      const room = ((await parley.http().get('/v1/rooms').set(bearer).expect(200)).body.items as { id: string; name: string }[]).find((r) => r.name === 'Files')!;
      const text = Buffer.from('Departure at nine.\n');
      const plan = (await parley.http().post('/v1/media').set(bearer).send({ data: text.toString('base64'), name: 'plan.txt' }).expect(201)).body as { id: string };
      await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bearer).send({ attachments: [plan.id] }).expect(201);
      await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bearer).send({ text: 'the plan', attachments: [plan.id] }).expect(201);
      const last = await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bearer).send({ text: 'no file' }).expect(201);
      // The Qiscus reads carry no position: the timeline is first seen past the last post (a loaded machine lags).
      await parley.http().get(`/v1/rooms/${room.id}/comments`).set(bearer).set('X-Min-Position', last.body.position).expect(200);
      const file = { url: `/v1/media/${plan.id}`, file_name: 'plan.txt', size: text.length };

      const sdk = (await parley.http().get(`/api/v2/sdk/load_comments?topic_id=${filesId}&limit=3`).set(as(bob.token)).expect(200)).body.results.comments;
      expect(sdk.map((c: { type: string; message: string; payload: unknown }) => ({ type: c.type, message: c.message, payload: c.payload }))).toEqual([
        { type: 'text', message: 'no file', payload: {} },
        { type: 'file_attachment', message: 'the plan', payload: { ...file, caption: 'the plan' } },
        { type: 'file_attachment', message: `[file] ${file.url} [/file]`, payload: { ...file, caption: '' } },
      ]);
      const server = (await parley.http().post('/api/v2/rest/load_comments').set('QISCUS_SDK_SECRET', SECRET).send({ room_id: filesId, limit: 3 }).expect(200)).body.results.comments;
      expect(server.map((c: { type?: string; message: string; payload?: unknown }) => ({ type: c.type ?? 'text', message: c.message, payload: c.payload ?? {} }))).toEqual([
        { type: 'text', message: 'no file', payload: {} },
        { type: 'file_attachment', message: 'the plan', payload: { ...file, caption: 'the plan' } },
        { type: 'file_attachment', message: `[file] ${file.url} [/file]`, payload: { ...file, caption: '' } },
      ]);
    });

    it('add_room_participants and remove_room_participants', async () => {
      const added = await parley.http().post('/api/v2/sdk/add_room_participants').set(as(alice.token)).type('form').send(`room_id=${groupId}&emails%5B%5D%5B0%5D=${encodeURIComponent(carol.email)}`).expect(200);
      expect(added.body.results.participants_added.map((p: { email: string }) => p.email)).toEqual([carol.email]);
      const removed = await parley.http().post('/api/v2/sdk/remove_room_participants').set(as(alice.token)).type('form').send({ room_id: String(groupId), 'emails[]': carol.email }).expect(200);
      expect(removed.body.results.participants_removed).toEqual([carol.email]);
    });

    it('delete_messages deletes by unique_temp_id, and sync_event tells the other member', async () => {
      const start = await parley.http().get('/api/v2/sdk/sync_event?start_event_id=0').set(as(bob.token)).expect(200);
      const cursor = start.body.events.at(-1).id as number;
      await parley.http().post('/api/v2/sdk/post_comment').set(as(alice.token)).send({ comment: 'oops', topic_id: String(groupId), unique_temp_id: 'javascript-oops' }).expect(200);
      const deleted = await parley.http().delete('/api/v2/sdk/delete_messages').set(as(alice.token)).send({ unique_ids: ['javascript-oops'], is_delete_for_everyone: true, is_hard_delete: true }).expect(200);
      expect(deleted.body.results.comments[0]).toMatchObject({ message: 'oops', unique_temp_id: 'javascript-oops' });
      await parley.settled();
      const events = await parley.http().get(`/api/v2/sdk/sync_event?start_event_id=${cursor}`).set(as(bob.token)).expect(200);
      const deletion = events.body.events.find((e: { action_topic: string }) => e.action_topic === 'delete_message');
      expect(deletion.payload.data).toEqual({ deleted_messages: [{ room_id: String(groupId), message_unique_ids: ['javascript-oops'] }], is_hard_delete: true });
      expect(events.body.events.at(-1)).toMatchObject({ action_topic: 'sync_cursor' });
    });

    it('my_profile (PATCH) renames; block_user, get_blocked_users and unblock_user keep Parley\'s block list', async () => {
      const user = await login(unique('erin'), 'Erin');
      const renamed = await parley.http().patch('/api/v2/sdk/my_profile').set(as(user.token)).type('form').send({ name: 'Erin E.', avatar_url: 'https://example.com/erin.png', extras: '' }).expect(200);
      expect(renamed.body.results.user).toMatchObject({ username: 'Erin E.', avatar_url: 'https://example.com/erin.png' });
      const blocked = await parley.http().post('/api/v2/sdk/block_user').set(as(user.token)).type('form').send({ user_email: carol.email }).expect(200);
      expect(blocked.body.results.user.email).toBe(carol.email);
      const list = await parley.http().get('/api/v2/sdk/get_blocked_users?page=1&limit=20').set(as(user.token)).expect(200);
      expect(list.body.results.blocked_users.map((u: { email: string }) => u.email)).toEqual([carol.email]);
      // Parley's own rule: a blocked user cannot open a single room with the one who blocked them.
      const refused = await parley.http().post('/api/v2/sdk/get_or_create_room_with_target').set(as(carol.token)).type('form').send({ emails: user.email });
      expect(refused.status).toBe(403);
      await parley.http().post('/api/v2/sdk/unblock_user').set(as(user.token)).type('form').send({ user_email: carol.email }).expect(200);
      const after = await parley.http().get('/api/v2/sdk/get_blocked_users').set(as(user.token)).expect(200);
      expect(after.body.results.blocked_users).toEqual([]);
    });

    it('refresh_user_token rotates the sign-in; logout ends it', async () => {
      const user = await login(unique('dave'), 'Dave');
      const refreshed = await parley.http().post('/api/v2/sdk/refresh_user_token').set('QISCUS-SDK-APP-ID', APP_ID).type('form').send({ user_id: user.email, refresh_token: user.refresh_token }).expect(200);
      const token = refreshed.body.results.token as string;
      await parley.http().get('/api/v2/sdk/my_profile').set(as(token)).expect(200);
      await parley.http().post('/api/v2/sdk/logout').set(as(token)).type('form').send({ user_id: user.email, token }).expect(200);
      const after = await parley.http().get('/api/v2/sdk/my_profile').set(as(token));
      expect(after.status).toBe(401);
    });

    describe('refusals: the seed’s error answer, nothing written', () => {
      it.each([
        ['a bad token', () => as('not-a-token'), 401, 'AUTH.TOKEN_INVALID'],
        ['no token', () => ({ 'QISCUS-SDK-APP-ID': APP_ID }), 401, 'AUTH.TOKEN_MISSING'],
        ['another app id', () => ({ ...as(alice.token), 'QISCUS-SDK-APP-ID': 'another-app' }), 401, 'QISCUS.APP_ID_INVALID'],
        ['no app id', () => ({ 'QISCUS-SDK-TOKEN': alice.token }), 401, 'QISCUS.APP_ID_MISSING'],
      ])('%s: 401, the code names why', async (_, headers, status, code) => {
        const before = await head();
        const res = await parley.http().post('/api/v2/sdk/post_comment').set(headers()).send({ comment: 'x', topic_id: String(groupId) });
        expect(res.status).toBe(status);
        expect(res.body).toMatchObject({ status, error: { message: expect.any(String) }, code });
        expect(await head()).toBe(before);
      });

      it('an unknown room: 404', async () => {
        const before = await head();
        const res = await parley.http().post('/api/v2/sdk/post_comment').set(as(alice.token)).send({ comment: 'x', topic_id: '999999999' });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ status: 404, code: 'ROOM.NOT_FOUND', error: { message: expect.any(String) } });
        expect(await head()).toBe(before);
      });

      it('another user’s room: 404 for posting, reading and marking read, as if it did not exist', async () => {
        const before = await head();
        const post = await parley.http().post('/api/v2/sdk/post_comment').set(as(carol.token)).send({ comment: 'let me in', topic_id: String(groupId) });
        expect(post.status).toBe(404);
        expect(post.body).toMatchObject({ status: 404, code: 'ROOM.NOT_FOUND' });
        expect((await parley.http().get(`/api/v2/sdk/get_room_by_id?id=${groupId}`).set(as(carol.token))).status).toBe(404);
        expect((await parley.http().get(`/api/v2/sdk/load_comments?topic_id=${groupId}`).set(as(carol.token))).status).toBe(404);
        const read = await parley.http().post('/api/v2/sdk/update_comment_status').set(as(carol.token)).type('form').send({ room_id: String(groupId), last_comment_read_id: String(groupId) });
        expect(read.status).toBe(404);
        expect(await head()).toBe(before);
      });

      it('a wrong key for an existing email: 401, and no account is taken over', async () => {
        const before = await head();
        const res = await parley.http().post('/api/v2/sdk/login_or_register').set('QISCUS-SDK-APP-ID', APP_ID).type('form').send({ email: alice.email, password: 'another key 0123456', username: 'Mallory' });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
        expect(await head()).toBe(before);
      });

      it('a room id that is no number, and deleting a comment that is not one’s own: 400 naming the field', async () => {
        const before = await head();
        const bad = await parley.http().get('/api/v2/sdk/load_comments?topic_id=abc').set(as(alice.token));
        expect(bad.status).toBe(400);
        expect(bad.body.details[0].field).toBe('topic_id');
        const foreign = await parley.http().delete('/api/v2/sdk/delete_messages').set(as(bob.token)).send({ unique_ids: ['javascript-abc'] });
        expect(foreign.status).toBe(400);
        expect(foreign.body.details[0].field).toBe('unique_ids[0]');
        expect(await head()).toBe(before);
      });
    });
  });
});

describe('Qiscus client SDK API without QISCUS_APP_ID and QISCUS_SDK_SECRET', () => {
  it('answers 404, as a route that does not exist', async () => {
    const parley = await ParleyHarness.start();
    try {
      const res = await parley.http().get('/api/v2/sdk/config').set('QISCUS-SDK-APP-ID', 'anything');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROUTE.NOT_FOUND');
    } finally {
      await parley.stop();
    }
  });
});

import { ParleyHarness } from './support/parley-app';
import { QISCUS_SEED, QISCUS_TIMESTAMP, shapeOf } from './fixtures/qiscus-seed';

const APP_ID = 'parley-test';
const SECRET = 'qiscus-secret-0123456789abcdef';
const API_KEY = 'test-admin-key-0123456789-abcdefghijklmnop';

describe('Qiscus server REST API (/api/v2/rest)', () => {
  let parley: ParleyHarness;
  let counter = 0;
  const unique = (name: string) => `${name}.${Date.now().toString(36)}${++counter}@example.com`;
  const rest = (path: string) => parley.http().post(`/api/v2/rest/${path}`).set('QISCUS_SDK_SECRET', SECRET);
  const login = async (email: string, username: string, extra: Record<string, string> = {}) => {
    const res = await rest('login_or_register').send({ email, username, ...extra }).expect(200);
    return res.body.results.user as { id: number; email: string; username: string; token: string };
  };

  beforeAll(async () => {
    parley = await ParleyHarness.start({ QISCUS_APP_ID: APP_ID, QISCUS_SDK_SECRET: SECRET, ADMIN_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await parley.stop();
  });

  describe('each seed example, field by field', () => {
    let abc: string;
    let kotak: string;
    let third: string;
    let groupId: number;

    beforeAll(async () => {
      abc = unique('abc');
      kotak = unique('kotak');
      third = unique('third');
      await login(abc, 'abc', { avatar_url: 'https://example.com/abc.jpg' });
      await login(kotak, 'kotak');
      await login(third, 'third');
    });

    it('login_or_register: creates by email (case-insensitive), answers an integer id and a token', async () => {
      const email = unique('Johnny');
      const res = await rest('login_or_register')
        .send({ email, password: 'correct horse battery', username: 'Johnny Cage', avatar_url: 'https://myimagebucket.com/image.jpg' })
        .expect(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(QISCUS_SEED.login_or_register));
      expect(res.body.results.user).toMatchObject({ email: email.toLowerCase(), username: 'Johnny Cage', avatar_url: 'https://myimagebucket.com/image.jpg' });
      // The same address in other letters is the same user; the name is updated.
      const again = await rest('login_or_register').send({ email: email.toUpperCase(), username: 'Johnny' }).expect(200);
      expect(again.body.results.user.id).toBe(res.body.results.user.id);
      expect(again.body.results.user.username).toBe('Johnny');
    });

    it('create_room', async () => {
      const res = await rest('create_room').send({ name: 'gege', 'participants[]': [abc, kotak], creator: abc }).expect(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(QISCUS_SEED.create_room));
      expect(res.body.results).toMatchObject({ creator: abc, room_name: 'gege', room_type: 'group' });
      expect([...res.body.results.participants].sort()).toEqual([abc, kotak].sort());
      groupId = res.body.results.room_id;
      expect(Number.isSafeInteger(groupId)).toBe(true);
    });

    it('add_room_participants and remove_room_participants answer the updated participants', async () => {
      const added = await rest('add_room_participants').send({ room_id: groupId, emails: [third] }).expect(200);
      expect(shapeOf(added.body)).toEqual(shapeOf(QISCUS_SEED.add_room_participants));
      expect(added.body.results.participants).toContain(third);
      const removed = await rest('remove_room_participants').send({ room_id: String(groupId), emails: [third] }).expect(200);
      expect(shapeOf(removed.body)).toEqual(shapeOf(QISCUS_SEED.remove_room_participants));
      expect(removed.body.results.participants).not.toContain(third);
    });

    it('post_comment: integer ids increasing, comment_before_id chaining, unique_temp_id kept', async () => {
      const first = await rest('post_comment').send({ sender_email: abc, room_id: groupId, message: 'Hello Post 1' }).expect(200);
      const second = await rest('post_comment')
        .send({ sender_email: kotak, room_id: groupId, message: 'Hello Post 2', unique_temp_id: 'CanBeAnything1234321' })
        .expect(200);
      expect(shapeOf(second.body)).toEqual(shapeOf(QISCUS_SEED.post_comment));
      const comment = second.body.results.comment;
      expect(comment).toMatchObject({ message: 'Hello Post 2', email: kotak, username: 'kotak', unique_temp_id: 'CanBeAnything1234321' });
      expect(comment.id).toBeGreaterThan(first.body.results.comment.id);
      expect(comment.comment_before_id).toBe(first.body.results.comment.id);
      expect(comment.timestamp).toMatch(QISCUS_TIMESTAMP);
      // A retry with the same unique_temp_id is the same comment.
      const retry = await rest('post_comment')
        .send({ sender_email: kotak, room_id: groupId, message: 'Hello Post 2', unique_temp_id: 'CanBeAnything1234321' })
        .expect(200);
      expect(retry.body.results.comment.id).toBe(comment.id);
    });

    it('load_comments: newest first, with the room, paged', async () => {
      const res = await rest('load_comments').send({ room_id: groupId, limit: 2 }).expect(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(QISCUS_SEED.load_comments));
      const [newest, before] = res.body.results.comments;
      expect(newest).toMatchObject({ message: 'Hello Post 2', room_id: groupId, room_name: 'gege' });
      expect(before.message).toBe('Hello Post 1');
      expect(newest.comment_before_id).toBe(before.id);
      const page2 = await rest('load_comments').send({ room_id: groupId, limit: 2, page: 2 }).expect(200);
      expect(page2.body.results.comments.length).toBeGreaterThan(0);
      expect(page2.body.results.comments[0].id).toBeLessThan(before.id);
    });

    it('get_or_create_room_with_target: the single room of two emails, the same one again, with its comments', async () => {
      const query = `emails[]=${encodeURIComponent(abc)}&emails[]=${encodeURIComponent(kotak)}`;
      const get = () => parley.http().get(`/api/v2/rest/get_or_create_room_with_target?${query}`).set('QISCUS-SDK-SECRET', SECRET).expect(200);
      const first = await get();
      await rest('post_comment').send({ sender_email: abc, room_id: first.body.results.room.id, message: 'testingasdad asdas dasd' }).expect(200);
      const res = await get();
      expect(shapeOf(res.body)).toEqual(shapeOf(QISCUS_SEED.get_or_create_room_with_target));
      expect(res.body.results.room).toMatchObject({ id: first.body.results.room.id, chat_type: 'single', room_name: [abc, kotak].sort().join(' ') });
      expect(res.body.results.room.last_comment_message).toBe('testingasdad asdas dasd');
      expect(res.body.results.comments[0].id).toBe(res.body.results.room.last_comment_id);
    });

    it('get_rooms_info: last comment and the user\'s unread count per room', async () => {
      const res = await rest('get_rooms_info').send({ 'room_id[]': [String(groupId)], user_email: abc }).expect(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(QISCUS_SEED.get_rooms_info));
      expect(res.body.results.rooms_info[0]).toMatchObject({ room_id: groupId, room_name: 'gege', room_type: 'group', last_comment_message: 'Hello Post 2' });
      // abc posted "Hello Post 1"; kotak's "Hello Post 2" is unread for abc.
      expect(res.body.results.rooms_info[0].unread_count).toBeGreaterThanOrEqual(1);
    });

    it('post_system_event_message: a system_event comment of the room, by the server', async () => {
      const res = await rest('post_system_event_message')
        .send({ system_event_type: 'join_room', room_id: groupId, subject_email: kotak })
        .expect(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(QISCUS_SEED.post_system_event_message));
      expect(res.body.results.comment).toMatchObject({ type: 'system_event', message: 'kotak joined room', room_id: groupId, username: 'System' });
      expect(res.body.results.comment.payload).toMatchObject({ type: 'join_room', subject_email: kotak, subject_username: 'kotak' });
    });

    it('every event the secret wrote records the server as actor and the user as subject (audit)', async () => {
      const res = await rest('post_comment').send({ sender_email: kotak, room_id: groupId, message: 'audited' }).expect(200);
      const room = await rest('get_rooms_info').send({ room_id: [groupId], user_email: kotak }).expect(200);
      expect(room.body.results.rooms_info[0].last_comment_id).toBe(res.body.results.comment.id);
      const log = await parley.http().get('/v1/admin/events').set('X-Api-Key', API_KEY).expect(200);
      const lines = log.text.trim().split('\n').map((line) => JSON.parse(line) as { type?: string; position?: string; data?: { text?: string }; metadata?: Record<string, unknown> });
      const posted = lines.find((line) => line.type === 'CommentPosted' && line.data?.text === 'audited')!;
      // The comment's integer id is its event's position in the log.
      expect(Number(posted.position)).toBe(res.body.results.comment.id);
      expect(posted.metadata).toMatchObject({ actor: 'apikey:qiscus', subject: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      // The email is sealed in the log: the exported line of EmailChanged does not hold it in clear.
      expect(log.text).not.toContain(abc);
    });
  });

  describe('backups: exports and imports onto Parley\'s jobs', () => {
    const finished = async (path: string, id: string) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const res = await parley.http().get(`/api/v2/rest/${path}`).set('QISCUS_SDK_SECRET', SECRET).expect(200);
        const found = path.startsWith('exports/') ? res.body.results.backup_history : res.body.results.backup_histories.find((b: { unique_id: string }) => b.unique_id === id);
        if (found && found.status !== 'started') return { body: res.body, job: found };
        if (Date.now() > deadline) throw new Error(`backup ${id} still started`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    it('exports: request, get, list, download and delete, in the seed\'s shapes', async () => {
      await login(unique('exported'), 'exported');
      const today = new Date().toISOString().slice(0, 10);
      const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const created = await rest('exports').send({ type: 'users', start_date: monthAgo, end_date: tomorrow }).expect(200);
      expect(shapeOf(created.body)).toEqual(shapeOf(QISCUS_SEED.exports_create));
      expect(created.body.results).toMatchObject({ resource_name: 'users', status: 'started', download_url: '' });
      const id = created.body.results.unique_id as string;
      const { body, job } = await finished(`exports/${id}`, id);
      expect(shapeOf(body)).toEqual(shapeOf(QISCUS_SEED.exports_get));
      expect(job).toMatchObject({ status: 'finished', percentage: 100, download_url: `/api/v2/rest/exports/${id}/download` });
      expect(job.total_rows).toBeGreaterThan(0);
      const list = await parley.http().get('/api/v2/rest/exports?page=1').set('QISCUS_SDK_SECRET', SECRET).expect(200);
      expect(shapeOf(list.body)).toEqual(shapeOf(QISCUS_SEED.exports_list));
      expect(list.body.results.backup_histories[0].unique_id).toBe(id);
      const file = await parley.http().get(job.download_url).set('QISCUS_SDK_SECRET', SECRET).expect(200);
      expect(Array.isArray(JSON.parse(file.text))).toBe(true);
      expect(file.text).toContain(today.slice(0, 4));
      const deleted = await parley.http().delete(`/api/v2/rest/exports/${id}`).set('QISCUS_SDK_SECRET', SECRET).expect(200);
      expect(deleted.body.results.backup_history.unique_id).toBe(id);
      expect((await parley.http().get(`/api/v2/rest/exports/${id}`).set('QISCUS_SDK_SECRET', SECRET)).status).toBe(404);
    });

    it('imports: a multipart file of users, in the seed\'s shape, written as Parley users', async () => {
      const email = unique('imported');
      const rows = [{ Email: email, Name: 'Imported', Password: 'imported secret 1', CreateAt: '2017-05-10T11:46:30Z' }];
      const created = await parley
        .http()
        .post('/api/v2/rest/imports')
        .set('QISCUS_SDK_SECRET', SECRET)
        .field('type', 'users')
        .attach('file', Buffer.from(JSON.stringify(rows)), { filename: 'users.json', contentType: 'application/json' })
        .expect(200);
      expect(shapeOf(created.body)).toEqual(shapeOf(QISCUS_SEED.imports_create));
      const id = created.body.results.backup_history.unique_id as string;
      const { job } = await finished('imports', id);
      expect(job).toMatchObject({ status: 'finished', resource_name: 'users', total_rows: 1, errors: { Message: '', Data: null } });
      await parley.settled();
      const token = await parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username: email, password: 'imported secret 1' });
      expect(token.status).toBe(200);
    });

    it('refuses an export of an unknown type and an import without a file: 400 naming the field, nothing written', async () => {
      const before = (await parley.http().get('/health').expect(200)).body.eventStore.head;
      const bad = await rest('exports').send({ type: 'secrets', start_date: '2020-01-01', end_date: '2020-02-01' });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ status: 400, details: [{ field: 'type' }] });
      const noFile = await parley.http().post('/api/v2/rest/imports').set('QISCUS_SDK_SECRET', SECRET).field('type', 'users');
      expect(noFile.status).toBe(400);
      expect(noFile.body.details[0].field).toBe('file');
      expect((await parley.http().get('/health').expect(200)).body.eventStore.head).toBe(before);
    });
  });

  describe('clear_room_messages: the server clears rooms for one user, for them alone', () => {
    let carol: string;
    let dave: string;
    let first: number;
    let second: number;
    const clear = (body: Record<string, unknown>) => parley.http().delete('/api/v2/rest/clear_room_messages').set('QISCUS_SDK_SECRET', SECRET).send(body);
    const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string;
    const info = async (email: string, roomId: number) =>
      (await rest('get_rooms_info').send({ 'room_id[]': [String(roomId)], user_email: email }).expect(200)).body.results.rooms_info[0];

    beforeAll(async () => {
      carol = unique('carol');
      dave = unique('dave');
      await login(carol, 'carol');
      await login(dave, 'dave');
      first = (await rest('create_room').send({ name: 'first', participants: [carol, dave], creator: carol }).expect(200)).body.results.room_id;
      second = (await rest('create_room').send({ name: 'second', participants: [carol, dave], creator: carol }).expect(200)).body.results.room_id;
      for (const room of [first, second]) await rest('post_comment').send({ sender_email: carol, room_id: room, message: `in ${room}` }).expect(200);
    });

    it('clears several rooms (room_channel_ids or room_ids) for the user: their last comment and unread are gone, the others keep theirs', async () => {
      expect(await info(dave, first)).toMatchObject({ last_comment_message: `in ${first}`, unread_count: 1 });
      const res = await clear({ user_id: dave, room_channel_ids: [String(first), String(second)] }).expect(200);
      expect(res.body).toEqual({
        status: 200,
        results: {
          rooms: [
            { creator: carol, participants: expect.any(Array), room_id: first, room_name: 'first', room_type: 'group' },
            { creator: carol, participants: expect.any(Array), room_id: second, room_name: 'second', room_type: 'group' },
          ],
        },
      });
      expect(await info(dave, first)).toMatchObject({ last_comment_id: 0, last_comment_message: '', unread_count: 0 });
      expect(await info(dave, second)).toMatchObject({ last_comment_id: 0, last_comment_message: '' });
      expect(await info(carol, first)).toMatchObject({ last_comment_message: `in ${first}` });
      // Parley's own API agrees: Dave's rooms show nothing before the clearing.
      const token = (await login(dave, 'dave')).token;
      await parley.settled();
      const rooms = await parley.http().get('/v1/rooms').set('Authorization', `Bearer ${token}`).expect(200);
      const mine = rooms.body.items.filter((r: { name: string }) => r.name === 'first' || r.name === 'second');
      expect(mine.map((r: { lastComment: unknown; clearedThroughSeq: number }) => [r.lastComment, r.clearedThroughSeq])).toEqual([
        [null, 1],
        [null, 1],
      ]);
      // Again: nothing new, nothing written.
      const before = await head();
      await clear({ user_id: dave, room_ids: [first] }).expect(200);
      expect(await head()).toBe(before);
    });

    it.each([
      ['no user', { user_id: '', room_ids: [1] }, 400, 'user_id'],
      ['no rooms', {}, 400, 'room_ids'],
      ['a room reference that is neither id', { room_channel_ids: ['nope'] }, 400, 'room_channel_ids[0]'],
      ['an unknown room', { room_ids: [999999999] }, 404, null],
      ['an unknown unique id', { room_channel_ids: ['00000000-0000-4000-8000-000000000000'] }, 404, null],
    ])('%s: %s, nothing written', async (_, body, status, field) => {
      const before = await head();
      const res = await clear({ user_id: dave, ...(body as Record<string, unknown>) });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ status, error: { message: expect.any(String) } });
      if (field !== null) expect(res.body.details[0].field).toBe(field);
      expect(await head()).toBe(before);
    });

    it('a room the user is not in: 404, and no other room of the request is cleared', async () => {
      const erin = unique('erin');
      await login(erin, 'erin');
      const before = await head();
      const res = await clear({ user_id: erin, room_ids: [first] });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROOM.NOT_FOUND');
      const mixed = await clear({ user_id: carol, room_ids: [first, 999999999] });
      expect(mixed.status).toBe(404);
      expect(await head()).toBe(before);
      expect(await info(carol, first)).toMatchObject({ last_comment_message: `in ${first}` });
    });
  });

  describe('bad input: the seed\'s error answers, nothing written', () => {
    let alice: string;
    let roomId: number;
    beforeAll(async () => {
      alice = unique('alice');
      const bob = unique('bob');
      await login(alice, 'alice');
      await login(bob, 'bob');
      roomId = (await rest('create_room').send({ name: 'bad input', participants: [alice, bob], creator: alice }).expect(200)).body.results.room_id;
    });
    const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string;

    it.each([
      ['no secret', {}],
      ['a wrong secret', { QISCUS_SDK_SECRET: 'not-the-secret-0123456789' }],
      ['a wrong secret under the dashed name', { 'QISCUS-SDK-SECRET': 'not-the-secret-0123456789' }],
    ])('%s: 401 { status, error: { message } }', async (_, headers) => {
      const before = await head();
      const res = await parley.http().post('/api/v2/rest/post_comment').set(headers).send({ sender_email: alice, room_id: roomId, message: 'x' });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 401, error: { message: expect.any(String) }, statusCode: 401 });
      expect(await head()).toBe(before);
    });

    it.each([
      ['an email that is not an email', 'login_or_register', { email: 'not-an-email', username: 'x' }, 400, 'email'],
      ['an unknown room id', 'post_comment', { room_id: 999999999, message: 'x' }, 404, null],
      ['a room id that is no number', 'load_comments', { room_id: 'abc' }, 400, 'room_id'],
      ['a room id of 0', 'post_comment', { room_id: 0, message: 'x' }, 400, 'room_id'],
      ['no message', 'post_comment', { message: '' }, 400, 'message'],
      ['participants that are not emails', 'create_room', { name: 'x', participants: ['nope'] }, 400, 'participants[0]'],
    ])('%s: %s answers %s naming the field', async (_, path, body, status, field) => {
      const before = await head();
      const defaults = path === 'post_comment' ? { sender_email: alice, room_id: roomId } : path === 'create_room' ? { creator: alice } : {};
      const res = await rest(path).send({ ...defaults, ...(body as Record<string, unknown>) });
      expect(res.status).toBe(status);
      expect(res.body.status).toBe(status);
      if (field) expect(res.body.details[0].field).toBe(field);
      expect(await head()).toBe(before);
    });

    it('post_comment for a user who is not a participant: 404 (the room is not theirs), nothing written', async () => {
      const outsider = unique('outsider');
      await login(outsider, 'outsider');
      const before = await head();
      const res = await rest('post_comment').send({ sender_email: outsider, room_id: roomId, message: 'let me in' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 404, code: 'ROOM.NOT_FOUND' });
      expect(await head()).toBe(before);
    });

    it('post_comment for an unknown email: 404 USER.NOT_FOUND', async () => {
      const res = await rest('post_comment').send({ sender_email: 'nobody@example.com', room_id: roomId, message: 'x' });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('USER.NOT_FOUND');
    });
  });
});

describe('Qiscus server REST API without QISCUS_APP_ID and QISCUS_SDK_SECRET', () => {
  it('answers 404, as a route that does not exist', async () => {
    const parley = await ParleyHarness.start();
    try {
      const res = await parley.http().post('/api/v2/rest/post_comment').set('QISCUS_SDK_SECRET', 'anything-0123456789').send({});
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROUTE.NOT_FOUND');
    } finally {
      await parley.stop();
    }
  });
});

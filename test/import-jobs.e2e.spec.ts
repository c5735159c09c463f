import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { newId } from '../libs/domain/ids';
import type { EventStore } from '../libs/event-store/event-store.port';
import { ParleyHarness, type TestUser } from './support/parley-app';

const KEY = 'import-key-0123456789-0123456789-abcdef';
const PASSWORD = 'imported secret 1';

interface JobBody {
  id: string;
  status: string;
  percentage: number;
  totalRows: number;
  written: number;
  skipped: number;
  errors: { row: number; field: string; reason: string }[];
  errorCount: number;
  position?: string;
}

describe('Qiscus imports (API key)', () => {
  let parley: ParleyHarness;
  let native: TestUser;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: KEY });
    native = await parley.user('native', 'Native');
  });
  afterAll(async () => {
    await parley.stop();
  });

  const head = async (): Promise<bigint> => BigInt((await parley.http().get('/health').expect(200)).body.eventStore.head ?? '0');

  const upload = (type: string, rows: unknown, filename = `${type}.json`) =>
    parley
      .http()
      .post('/v1/admin/imports')
      .set('X-Api-Key', KEY)
      .field('type', type)
      .attach('file', Buffer.from(JSON.stringify(rows)), { filename, contentType: 'application/json' });

  async function finished(id: string): Promise<JobBody> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await parley.http().get(`/v1/admin/imports/${id}`).set('X-Api-Key', KEY).expect(200);
      if (res.body.status === 'done' || res.body.status === 'failed') return res.body as JobBody;
      if (Date.now() > deadline) throw new Error(`import ${id} still ${res.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function imported(type: string, rows: unknown): Promise<JobBody> {
    const res = await upload(type, rows);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', totalRows: (rows as unknown[]).length, type });
    return finished(res.body.id);
  }

  const signIn = (username: string, password: string) =>
    parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password });

  const users = [
    { Email: 'Ann@Example.com', Name: 'Ann', Password: PASSWORD, AvatarUrl: 'https://placehold.it/20x20', AuthenticationToken: 'x', CreateAt: '2020-01-10T08:00:00Z' },
    { Email: 'ben@example.com', Name: 'Ben', CreateAt: '2020-03-10T08:00:00Z' },
    { Email: 'cyd@example.com', Password: PASSWORD },
  ];

  let annToken: string;
  let groupId: string;
  let firstCommentId: string;

  it('refuses the import API without the key, or with a wrong one', async () => {
    expect((await parley.http().get('/v1/admin/imports')).status).toBe(401);
    const wrong = await parley.http().post('/v1/admin/imports').set('X-Api-Key', 'w'.repeat(40)).send({ type: 'users', rows: [] });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('AUTH.API_KEY_INVALID');
    expect((await parley.http().get('/v1/admin/imports').set(native.auth)).status).toBe(401);
  });

  it('imports users from a multipart file: unique emails become usernames, passwords are hashed', async () => {
    const before = await head();
    const job = await imported('users', users);
    expect(job).toMatchObject({ status: 'done', percentage: 100, written: 3, skipped: 0, errors: [], errorCount: 0 });
    // Per user a username claim and UserRegistered, plus the job's request and completion.
    expect((await head()) - before).toBe(3n * 2n + 2n);

    const ann = await signIn('ann@example.com', PASSWORD);
    expect(ann.status).toBe(200);
    annToken = ann.body.access_token;
    // Ben came without a password: nothing verifies against his hash.
    expect((await signIn('ben@example.com', '')).status).toBe(401);
    expect((await signIn('ben@example.com', 'anything at all')).status).toBe(401);

    const stream = await parley.http().get(`/v1/admin/audit/streams/username-ann@example.com`).set('X-Api-Key', KEY).expect(200);
    const userId = stream.body.events[0].data.userId as string;
    const registered = await parley.http().get(`/v1/admin/audit/streams/user-${userId}`).set('X-Api-Key', KEY).expect(200);
    expect(registered.body.events[0]).toMatchObject({
      type: 'UserRegistered',
      data: { username: 'ann@example.com', displayName: 'Ann', registeredAt: '2020-01-10T08:00:00.000Z' },
      metadata: { actor: 'apikey:admin', importId: job.id },
    });
    // Stored sealed and never shown (the sign-in above proves it was hashed and kept).
    expect(registered.body.events[0].data.passwordHash).toBe('[redacted]');
    // The uploaded copy is removed once the job has finished.
    const dir = join(parley.dataDir, 'imports');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('importing the same file again adds nothing', async () => {
    const before = await head();
    const job = await imported('users', users);
    expect(job).toMatchObject({ status: 'done', written: 0, skipped: 3 });
    expect((await head()) - before).toBe(2n); // the job's own two events only
  });

  it('writes nothing from a file with one bad row, and reports each bad row', async () => {
    const before = await head();
    const job = await imported('users', [
      { Email: 'dee@example.com', Name: 'Dee' },
      { Email: 'not-an-email', Name: 'Eve' },
      { Email: 'DEE@example.com' },
      { Email: 'fay@example.com', Password: 'short' },
      'a string',
    ]);
    expect(job.status).toBe('failed');
    expect(job.written).toBe(0);
    expect(job.errors).toEqual([
      { row: 2, field: 'Email', reason: 'must be an email address' },
      { row: 3, field: 'Email', reason: 'repeats row 1' },
      { row: 4, field: 'Password', reason: 'must be 8 to 200 characters' },
      { row: 5, field: '(row)', reason: 'must be a JSON object' },
    ]);
    expect(job.errorCount).toBe(4);
    expect((await head()) - before).toBe(2n);
    expect((await signIn('dee@example.com', 'whatever')).status).toBe(401);

    // A row already imported by an earlier file is skipped, not refused, even spelt differently.
    const again = await imported('users', [{ Email: 'gus@example.com' }, { Email: ' ANN@example.com ', Password: PASSWORD + 'x' }]);
    expect(again).toMatchObject({ status: 'done', written: 1, skipped: 1 });
    expect((await signIn('ann@example.com', PASSWORD)).status).toBe(200);
  });

  it('refuses a user whose email is already the name of another user', async () => {
    // API usernames cannot hold "@", so the clash is staged in the log: another user owns the name.
    const store = parley.app.get<EventStore>(EVENT_STORE);
    await store.append(
      'username-taken@example.com',
      [{ id: newId(), type: 'UsernameClaimed', version: 1, data: { username: 'taken@example.com', userId: newId() }, metadata: { actor: 'test' } }],
      'no_stream',
    );
    const before = await head();
    const job = await imported('users', [{ Email: 'jo@example.com' }, { Email: 'Taken@example.com' }]);
    expect(job.status).toBe('failed');
    expect(job.errors).toEqual([{ row: 2, field: 'Email', reason: 'is already registered' }]);
    expect((await head()) - before).toBe(2n);
  });

  it('imports rooms whose creator and participants exist, as RoomCreated and MemberAdded', async () => {
    const job = await imported('rooms', [
      {
        Name: 'Qiscus Family',
        Type: 'group',
        Options: '',
        CreatorEmail: 'ann@example.com',
        CreatedAt: '2020-02-01T10:00:00Z',
        AvatarUrl: '',
        UniqueId: 'family-1',
        ParticipantEmails: ['ann@example.com', 'ben@example.com', 'cyd@example.com'],
      },
      {
        Name: 'ignored for single rooms',
        Type: 'single',
        CreatorEmail: 'ann@example.com',
        UniqueId: 'single-ann-cyd',
        ParticipantEmails: ['ann@example.com', 'cyd@example.com'],
      },
    ]);
    expect(job).toMatchObject({ status: 'done', written: 2, skipped: 0 });
    await parley.settled();

    const rooms = await parley.http().get('/v1/rooms').set({ Authorization: `Bearer ${annToken}` }).expect(200);
    const items = rooms.body.items as { id: string; name: string; kind: string; memberCount?: number }[];
    expect(items).toHaveLength(2);
    const group = items.find((r) => r.name === 'Qiscus Family')!;
    expect(group).toBeDefined();
    groupId = group.id;
    const members = await parley.http().get(`/v1/rooms/${groupId}/members`).set({ Authorization: `Bearer ${annToken}` }).expect(200);
    expect((members.body as { role: string }[]).map((m) => m.role).sort()).toEqual(['member', 'member', 'owner']);

    // The single room is the pair's direct room: opening it through the API finds it.
    const cyd = await signIn('cyd@example.com', PASSWORD);
    const annId = (await parley.http().get('/v1/admin/audit/streams/username-ann@example.com').set('X-Api-Key', KEY)).body.events[0].data.userId;
    const direct = await parley.http().post('/v1/rooms/direct').set({ Authorization: `Bearer ${cyd.body.access_token}` }).send({ userId: annId });
    expect(direct.status).toBe(200);
    expect(direct.body.created).toBe(false);

    const created = await parley.http().get(`/v1/admin/audit/streams/room-${groupId}`).set('X-Api-Key', KEY).expect(200);
    expect(created.body.events.map((e: { type: string }) => e.type)).toEqual(['RoomCreated', 'MemberAdded', 'MemberAdded', 'MemberAdded']);
    for (const event of created.body.events) expect(event.metadata).toMatchObject({ actor: 'apikey:admin', importId: job.id });
    expect(created.body.events[0].data).toMatchObject({ name: 'Qiscus Family', kind: 'group', createdAt: '2020-02-01T10:00:00.000Z' });
  });

  it('refuses rooms naming unknown users, and repeated unique ids, writing none', async () => {
    const before = await head();
    const job = await imported('rooms', [
      { Name: 'Fine', Type: 'group', CreatorEmail: 'ann@example.com', UniqueId: 'fine-1', ParticipantEmails: ['ben@example.com'] },
      { Name: 'Ghosts', Type: 'group', CreatorEmail: 'ghost@example.com', UniqueId: 'ghost-1', ParticipantEmails: ['nobody@example.com'] },
      { Name: 'Again', Type: 'group', CreatorEmail: 'ann@example.com', UniqueId: 'fine-1' },
      { Type: 'single', CreatorEmail: 'ann@example.com', UniqueId: 'solo', ParticipantEmails: ['ann@example.com'] },
    ]);
    expect(job.status).toBe('failed');
    expect(job.errors).toEqual([
      { row: 2, field: 'CreatorEmail', reason: 'no user with email ghost@example.com' },
      { row: 2, field: 'ParticipantEmails', reason: 'no user with email nobody@example.com' },
      { row: 3, field: 'UniqueId', reason: 'repeats row 1' },
      { row: 4, field: 'ParticipantEmails', reason: 'a single room has exactly two participants, one of them the creator' },
    ]);
    expect((await head()) - before).toBe(2n);
  });

  it('imports comments with replies to earlier rows and to stored comments, through the normal sequencing', async () => {
    const first = await imported('comments', [
      { Message: 'Halo doc', Type: 'text', UniqueId: 'android_1', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', CreatedAt: '2020-02-05T10:00:00Z', Payload: null, ParentCommentUniqueId: '' },
      {
        Message: 'Maaf mau tanya..',
        Type: 'reply',
        UniqueId: 'android_2',
        CreatorEmail: 'ben@example.com',
        RoomUniqueId: 'family-1',
        CreatedAt: '2020-02-05T10:01:00Z',
        Payload: { text: 'Maaf mau tanya..', replied_comment_id: 1 },
        ParentCommentUniqueId: 'android_1',
      },
    ]);
    expect(first).toMatchObject({ status: 'done', written: 2 });
    // A native post in between: seq stays dense across imported and posted comments.
    await parley.http().post(`/v1/rooms/${groupId}/comments`).set({ Authorization: `Bearer ${annToken}` }).send({ text: 'native' }).expect(201);
    const second = await imported('comments', [
      { Message: 'Jawab', Type: 'reply', UniqueId: 'android_3', CreatorEmail: 'cyd@example.com', RoomUniqueId: groupId, ParentCommentUniqueId: 'android_1' },
      { Message: 'Oke', UniqueId: 'android_4', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', ParentCommentUniqueId: 'android_3' },
    ]);
    expect(second).toMatchObject({ status: 'done', written: 2 });
    await parley.settled();

    const timeline = await parley.http().get(`/v1/rooms/${groupId}/comments`).set({ Authorization: `Bearer ${annToken}` }).expect(200);
    const comments = (timeline.body.items as { kind: string; seq: number; text: string; clientId: string | null; replyTo: string | null; id: string; type: string; createdAt: string }[])
      .filter((c) => c.kind === 'comment');
    expect(comments.map((c) => [c.seq, c.text, c.clientId])).toEqual([
      [1, 'Halo doc', 'android_1'],
      [2, 'Maaf mau tanya..', 'android_2'],
      [3, 'native', null],
      [4, 'Jawab', 'android_3'],
      [5, 'Oke', 'android_4'],
    ]);
    firstCommentId = comments[0]!.id;
    expect(comments[1]).toMatchObject({ type: 'reply', replyTo: firstCommentId, createdAt: '2020-02-05T10:01:00.000Z' });
    expect(comments[3]!.replyTo).toBe(firstCommentId);
    expect(comments[4]!.replyTo).toBe(comments[3]!.id);

    const stream = await parley.http().get(`/v1/admin/audit/streams/comments-${groupId}`).set('X-Api-Key', KEY).expect(200);
    expect(stream.body.events[0].metadata).toMatchObject({ actor: 'apikey:admin', importId: first.id });
    expect(stream.body.events[2].metadata.importId).toBeUndefined();

    const again = await imported('comments', [
      { Message: 'Jawab', Type: 'reply', UniqueId: 'android_3', CreatorEmail: 'cyd@example.com', RoomUniqueId: groupId, ParentCommentUniqueId: 'android_1' },
      { Message: 'Oke', UniqueId: 'android_4', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', ParentCommentUniqueId: 'android_3' },
    ]);
    expect(again).toMatchObject({ status: 'done', written: 0, skipped: 2 });
  });

  it('refuses comments of non-members, unknown rooms and parents that come later, writing none', async () => {
    const before = await head();
    const job = await imported('comments', [
      { Message: 'ok', UniqueId: 'c-1', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1' },
      { Message: 'who?', UniqueId: 'c-2', CreatorEmail: 'gus@example.com', RoomUniqueId: 'family-1' },
      { Message: 'where?', UniqueId: 'c-3', CreatorEmail: 'ann@example.com', RoomUniqueId: 'no-such-room' },
      { Message: 'too early', Type: 'reply', UniqueId: 'c-4', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', ParentCommentUniqueId: 'c-5' },
      { Message: 'later', UniqueId: 'c-5', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1' },
      { Message: 'wrong room', UniqueId: 'c-6', CreatorEmail: 'ann@example.com', RoomUniqueId: 'single-ann-cyd', ParentCommentUniqueId: 'android_1' },
      { Message: '', UniqueId: 'c 7', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', CreatedAt: 'yesterday' },
      { Message: 'x', UniqueId: 'c-8', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', Payload: { blob: 'y'.repeat(70 * 1024) } },
    ]);
    expect(job.status).toBe('failed');
    expect(job.errors).toEqual([
      { row: 2, field: 'CreatorEmail', reason: 'is not a member of the room' },
      { row: 3, field: 'RoomUniqueId', reason: 'no room with this unique id' },
      { row: 4, field: 'ParentCommentUniqueId', reason: 'names row 5; a parent must come earlier in the file' },
      { row: 6, field: 'ParentCommentUniqueId', reason: 'names a comment of another room' },
      { row: 7, field: 'UniqueId', reason: 'must be 1-200 printable ASCII characters' },
      { row: 7, field: 'Message', reason: 'must be a string of 1 to 10000 characters' },
      { row: 7, field: 'CreatedAt', reason: 'must be an ISO 8601 time, e.g. 2017-05-10T11:46:30Z' },
      // Payload's own limits bind before the whole comment's 64 KiB (a Message holds at most 10,000 characters).
      { row: 8, field: 'Payload', reason: 'holds a string longer than 16384 characters' },
    ]);
    expect((await head()) - before).toBe(2n);
  });

  it('refuses a comment row whose Payload a read store could not hold (JSON limits), writing none', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 1; i < 1_000; i++) deep = { a: deep };
    const before = await head();
    const job = await imported('comments', [
      { Message: 'fine', UniqueId: 'limits-1', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', Payload: { a: { b: [1] } } },
      { Message: 'deep', UniqueId: 'limits-2', CreatorEmail: 'ann@example.com', RoomUniqueId: 'family-1', Payload: deep },
    ]);
    expect(job.status).toBe('failed');
    expect(job.errors).toEqual([{ row: 2, field: 'Payload', reason: 'nests deeper than 32 levels' }]);
    // The job's own request and failure, no comment.
    expect((await head()) - before).toBe(2n);
  });

  it('accepts a JSON body { type, rows } as well, and lists imports newest first with their errors', async () => {
    const res = await parley
      .http()
      .post('/v1/admin/imports')
      .set('X-Api-Key', KEY)
      .send({ type: 'users', rows: [{ Email: 'kim@example.com', Name: 'Kim' }], filename: 'kim.json' })
      .expect(202);
    const job = await finished(res.body.id);
    expect(job).toMatchObject({ status: 'done', written: 1 });
    const list = await parley.http().get('/v1/admin/imports').set('X-Api-Key', KEY).set('X-Min-Position', (await head()).toString()).expect(200);
    const items = list.body.items as (JobBody & { filename: string })[];
    expect(items[0]).toMatchObject({ id: res.body.id, filename: 'kim.json', status: 'done', written: 1 });
    const failed = items.find((i) => i.status === 'failed' && i.errors.some((e) => e.field === 'RoomUniqueId'));
    expect(failed?.errorCount).toBe(8);
    expect((await parley.http().get('/v1/admin/imports/00000000-0000-4000-8000-000000000000').set('X-Api-Key', KEY)).status).toBe(404);
  });

  it('answers bad uploads with a 400 naming the field, and a too large file with a 413', async () => {
    const noType = await parley.http().post('/v1/admin/imports').set('X-Api-Key', KEY).attach('file', Buffer.from('[{}]'), 'x.json');
    expect(noType.status).toBe(400);
    expect(noType.body.details).toEqual([{ field: 'type', reason: 'must be users, rooms or comments' }]);
    const badType = await upload('messages', [{}]);
    expect(badType.status).toBe(400);
    expect(badType.body.details[0].field).toBe('type');
    const notJson = await parley.http().post('/v1/admin/imports').set('X-Api-Key', KEY).field('type', 'users').attach('file', Buffer.from('[{'), 'x.json');
    expect(notJson.status).toBe(400);
    expect(notJson.body.details[0].field).toBe('file');
    const notArray = await upload('users', { Email: 'a@b.co' });
    expect(notArray.status).toBe(400);
    expect(notArray.body.details[0]).toEqual({ field: 'file', reason: 'must be a JSON array of rows' });
    const noFile = await parley.http().post('/v1/admin/imports').set('X-Api-Key', KEY).field('type', 'users');
    expect(noFile.status).toBe(400);
    expect(noFile.body.details[0].field).toBe('file');
    const jsonUnknown = await parley.http().post('/v1/admin/imports').set('X-Api-Key', KEY).send({ type: 'users', rows: [{}], extra: 1 });
    expect(jsonUnknown.status).toBe(400);
    expect(jsonUnknown.body.details[0].field).toBe('extra');

    const big = Buffer.from(JSON.stringify([{ Email: 'big@example.com', Name: 'x'.repeat(11 * 1024 * 1024) }]));
    const tooLarge = await parley.http().post('/v1/admin/imports').set('X-Api-Key', KEY).field('type', 'users').attach('file', big, 'big.json');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('IMPORT.TOO_LARGE');
    const tooLargeJson = await parley.http().post('/v1/admin/imports').set('X-Api-Key', KEY).send({ type: 'users', rows: [{ Email: 'big@example.com', Name: 'x'.repeat(11 * 1024 * 1024) }] });
    expect(tooLargeJson.status).toBe(413);
  });
});

describe('Qiscus imports write through the one write path', () => {
  it('registers users and creates rooms as pipeline commands (one append each), which the command metrics count', async () => {
    const parley = await ParleyHarness.start({ ADMIN_API_KEY: KEY });
    try {
      const run = async (type: string, rows: unknown[]) => {
        const res = await parley.http().post('/v1/admin/imports').set('X-Api-Key', KEY).send({ type, rows }).expect(202);
        const deadline = Date.now() + 20_000;
        for (;;) {
          const job = await parley.http().get(`/v1/admin/imports/${res.body.id}`).set('X-Api-Key', KEY).expect(200);
          if (job.body.status !== 'queued' && job.body.status !== 'running') return job.body as JobBody;
          if (Date.now() > deadline) throw new Error(`import ${res.body.id} still ${job.body.status}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      expect(await run('users', [{ Email: 'dee@example.com', Name: 'Dee' }, { Email: 'eve@example.com', Name: 'Eve' }])).toMatchObject({ status: 'done', written: 2 });
      const rooms = [{ Name: 'Pipeline', Type: 'group', CreatorEmail: 'dee@example.com', UniqueId: 'pipeline-1', ParticipantEmails: ['dee@example.com', 'eve@example.com'] }];
      expect(await run('rooms', rooms)).toMatchObject({ status: 'done', written: 1 });
      const metrics = (await parley.http().get('/metrics').set('X-Api-Key', KEY).expect(200)).text;
      const count = (command: string) => Number(new RegExp(`parley_commands_total\\{command="${command}",outcome="appended"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
      // Each user: its username claim, then its registration; the room: one CreateRoom (RoomCreated and its members in one append).
      expect(count('ClaimUsername')).toBe(2);
      expect(count('RegisterUser')).toBe(2);
      expect(count('CreateRoom')).toBe(1);
    } finally {
      await parley.stop();
    }
  });
});

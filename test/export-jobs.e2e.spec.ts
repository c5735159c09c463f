import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { EVENT_VERSIONS } from '../libs/domain/events';
import { newId } from '../libs/domain/ids';
import type { EventStore } from '../libs/event-store/event-store.port';
import { ParleyHarness, type TestUser } from './support/parley-app';

const KEY = 'export-key-0123456789-0123456789-abcdef';
const PASSWORD = 'imported secret 1';

interface ExportBody {
  id: string;
  type: string;
  status: string;
  percentage: number;
  totalRows: number;
  size: number;
  downloadUrl: string | null;
  error: string | null;
  startDate: string;
  endDate: string;
  position?: string;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('Qiscus export jobs (API key)', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  let histRoomId: string;

  const admin = () => ({ 'X-Api-Key': KEY });

  async function importRows(type: string, rows: unknown[]): Promise<void> {
    const res = await parley.http().post('/v1/admin/imports').set(admin()).send({ type, rows }).expect(202);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const job = await parley.http().get(`/v1/admin/imports/${res.body.id}`).set(admin()).expect(200);
      if (job.body.status === 'done') return;
      if (job.body.status === 'failed') throw new Error(`seed import failed: ${JSON.stringify(job.body.errors)}`);
      if (Date.now() > deadline) throw new Error('seed import did not finish');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: KEY });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Now', participants: [bob.id] }).expect(201);
    roomId = room.body.id;
    await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'keep', clientId: 'tmp-keep' }).expect(201);
    const gone = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'gone' }).expect(201);
    await parley.http().delete(`/v1/rooms/${roomId}/comments/${gone.body.id}`).set(bob.auth).expect(200);

    // History from another system, with its own times.
    await importRows('users', [
      { Email: 'old1@example.com', Name: 'Old One', Password: PASSWORD, CreateAt: '2020-01-10T08:00:00Z' },
      { Email: 'old2@example.com', Name: 'Old Two', CreateAt: '2020-03-10T08:00:00Z' },
    ]);
    await importRows('rooms', [
      { Name: 'History', Type: 'group', CreatorEmail: 'old1@example.com', UniqueId: 'hist-1', CreatedAt: '2020-02-01T09:00:00Z', ParticipantEmails: ['old2@example.com'] },
    ]);
    await importRows('comments', [
      { Message: 'first', UniqueId: 'h-1', CreatorEmail: 'old1@example.com', RoomUniqueId: 'hist-1', CreatedAt: '2020-02-05T10:00:00Z' },
      { Message: 'answer', Type: 'reply', UniqueId: 'h-2', CreatorEmail: 'old2@example.com', RoomUniqueId: 'hist-1', CreatedAt: '2020-02-06T10:00:00Z', ParentCommentUniqueId: 'h-1' },
      { Message: 'april', UniqueId: 'h-3', CreatorEmail: 'old2@example.com', RoomUniqueId: 'hist-1', CreatedAt: '2020-04-05T10:00:00Z' },
    ]);
  });
  afterAll(async () => {
    await parley.stop();
  });

  const start = (body: Record<string, unknown>) => parley.http().post('/v1/admin/exports').set(admin()).send(body);

  async function done(id: string): Promise<ExportBody> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await parley.http().get(`/v1/admin/exports/${id}`).set(admin()).expect(200);
      if (res.body.status === 'done' || res.body.status === 'failed') return res.body as ExportBody;
      expect(['queued', 'running']).toContain(res.body.status);
      if (Date.now() > deadline) throw new Error(`export ${id} still ${res.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function exported(type: string, startDate: string, endDate: string): Promise<{ job: ExportBody; rows: Record<string, unknown>[] }> {
    const res = await start({ type, startDate, endDate });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ type, status: 'queued', percentage: 0, downloadUrl: null });
    const job = await done(res.body.id);
    expect(job).toMatchObject({ status: 'done', percentage: 100, error: null, downloadUrl: `/v1/admin/exports/${res.body.id}/download` });
    const file = await parley.http().get(job.downloadUrl!).set(admin()).buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => cb(null, text));
    });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('application/json');
    expect(Number(file.headers['content-length'])).toBe(job.size);
    const rows = JSON.parse(file.body as string) as Record<string, unknown>[];
    expect(job.totalRows).toBe(rows.length);
    return { job, rows };
  }

  it('refuses the export API without the key, or with a wrong one', async () => {
    expect((await parley.http().post('/v1/admin/exports').send({ type: 'users', startDate: '2020-01-01', endDate: '2020-02-01' })).status).toBe(401);
    const wrong = await parley.http().get('/v1/admin/exports').set('X-Api-Key', 'k'.repeat(40));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('AUTH.API_KEY_INVALID');
    expect((await parley.http().get('/v1/admin/exports').set(alice.auth)).status).toBe(401);
  });

  it('answers bad requests with a 400 naming the field, and starts nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'messages', startDate: '2020-01-01', endDate: '2020-02-01' }, 'type'],
      [{ startDate: '2020-01-01', endDate: '2020-02-01' }, 'type'],
      [{ type: 'users', startDate: 'last week', endDate: '2020-02-01' }, 'startDate'],
      [{ type: 'users', startDate: '2020-02-30', endDate: '2020-03-01' }, 'startDate'],
      [{ type: 'users', startDate: '2020-01-01', endDate: '2020-01-01' }, 'endDate'],
      [{ type: 'users', startDate: '2020-02-01', endDate: '2020-01-01' }, 'endDate'],
      [{ type: 'users', startDate: '2020-01-01', endDate: '2021-01-02' }, 'endDate'],
      [{ type: 'users', startDate: '2020-01-01T00:00:00', endDate: '2020-02-01' }, 'startDate'],
      [{ type: 'users', startDate: '2020-01-01' }, 'endDate'],
      [{ type: 'users', startDate: '2020-01-01', endDate: '2020-02-01', format: 'csv' }, 'format'],
    ];
    const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;
    const before = await head();
    for (const [body, field] of cases) {
      const res = await start(body);
      expect([res.status, body]).toEqual([400, body]);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await head()).toBe(before);
    // Exactly one year is allowed, in a leap year too.
    const year = await start({ type: 'users', startDate: '2020-01-01', endDate: '2021-01-01' });
    expect(year.status).toBe(202);
    await done(year.body.id);
  });

  it('exports users whose registration falls in the range, in Qiscus shape', async () => {
    const old = await exported('users', '2020-01-01', '2020-02-01');
    expect(old.rows).toEqual([
      { user_id: expect.any(String), email: 'old1@example.com', username: 'old1@example.com', name: 'Old One', avatar_url: null, created_at: '2020-01-10T08:00:00.000Z' },
    ]);
    const recent = await exported('users', day(-1), day(1));
    expect(recent.rows.map((r) => r['username']).sort()).toEqual([alice.username, bob.username].sort());
    const native = recent.rows.find((r) => r['user_id'] === alice.id)!;
    expect(native).toEqual({ user_id: alice.id, username: alice.username, name: 'Alice', avatar_url: null, created_at: expect.any(String) });
    // Times with an offset work as well; the end is exclusive.
    const exact = await exported('users', '2020-01-10T09:00:00+01:00', '2020-03-10T08:00:00Z');
    expect(exact.rows.map((r) => r['username'])).toEqual(['old1@example.com']);
  });

  it('exports rooms created in the range, with their creator and participants', async () => {
    const { rows } = await exported('rooms', '2020-01-01', '2020-12-31');
    expect(rows).toHaveLength(1);
    const room = rows[0]!;
    histRoomId = room['room_id'] as string;
    expect(room).toMatchObject({
      unique_id: histRoomId,
      room_name: 'History',
      room_type: 'group',
      creator: 'old1@example.com',
      avatar_url: null,
      created_at: '2020-02-01T09:00:00.000Z',
    });
    expect(room['participants']).toEqual([
      { user_id: room['creator_id'], email: 'old1@example.com', username: 'old1@example.com', name: 'Old One', role: 'owner' },
      { user_id: expect.any(String), email: 'old2@example.com', username: 'old2@example.com', name: 'Old Two', role: 'member' },
    ]);
    const now = await exported('rooms', day(-1), day(1));
    expect(now.rows).toEqual([
      expect.objectContaining({ room_id: roomId, room_name: 'Now', room_type: 'group', creator: alice.username, creator_id: alice.id }),
    ]);
    expect((now.rows[0]!['participants'] as { user_id: string }[]).map((p) => p.user_id)).toEqual([alice.id, bob.id]);
  });

  it('exports comments posted in the range, in log order, with replies and without deleted ones', async () => {
    const feb = await exported('comments', '2020-02-01', '2020-03-01');
    expect(feb.rows.map((r) => r['text'])).toEqual(['first', 'answer']);
    const [first, answer] = feb.rows as Record<string, unknown>[];
    expect(first).toMatchObject({
      room_id: histRoomId,
      seq: 1,
      unique_temp_id: 'h-1',
      type: 'text',
      parent_id: null,
      email: 'old1@example.com',
      sender: { user_id: expect.any(String), email: 'old1@example.com', username: 'old1@example.com', name: 'Old One' },
      created_at: '2020-02-05T10:00:00.000Z',
    });
    expect(answer).toMatchObject({ type: 'reply', parent_id: first!['id'], comment_before_id: first!['id'], unique_temp_id: 'h-2', seq: 2 });
    const now = await exported('comments', day(-1), day(1));
    expect(now.rows).toEqual([
      expect.objectContaining({ room_id: roomId, text: 'keep', unique_temp_id: 'tmp-keep', email: null, sender: { user_id: alice.id, username: alice.username, name: 'Alice' } }),
    ]);
    const none = await exported('comments', '2019-01-01', '2019-06-01');
    expect(none.rows).toEqual([]);
    expect(none.job.totalRows).toBe(0);
  });

  it('lists jobs newest first, shows one, and deletes one with its file', async () => {
    const made = await start({ type: 'rooms', startDate: '2020-01-01', endDate: '2020-06-01' }).expect(202);
    const job = await done(made.body.id);
    const head = (await parley.http().get('/health')).body.eventStore.head as string;
    const list = await parley.http().get('/v1/admin/exports').set(admin()).set('X-Min-Position', head).expect(200);
    const items = list.body.items as ExportBody[];
    expect(items[0]).toMatchObject({ id: job.id, type: 'rooms', status: 'done', totalRows: 1, startDate: '2020-01-01T00:00:00.000Z', endDate: '2020-06-01T00:00:00.000Z' });
    expect(items.length).toBeGreaterThan(5);
    const file = join(parley.dataDir, 'exports', `${job.id}.json`);
    expect(existsSync(file)).toBe(true);

    const removed = await parley.http().delete(`/v1/admin/exports/${job.id}`).set(admin());
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: job.id, deleted: true, position: expect.any(String) });
    expect(existsSync(file)).toBe(false);
    expect((await parley.http().get(`/v1/admin/exports/${job.id}`).set(admin())).status).toBe(404);
    expect((await parley.http().get(`/v1/admin/exports/${job.id}/download`).set(admin())).status).toBe(404);
    expect((await parley.http().delete(`/v1/admin/exports/${job.id}`).set(admin())).status).toBe(404);
    const after = await parley.http().get('/v1/admin/exports').set(admin()).set('X-Min-Position', removed.body.position).expect(200);
    expect((after.body.items as ExportBody[]).map((i) => i.id)).not.toContain(job.id);
    expect((await parley.http().get('/v1/admin/exports/not-an-id').set(admin())).status).toBe(400);
  });

  it('deleting a waiting job cancels it', async () => {
    // Two jobs back to back: the second waits behind the first, and goes before it runs or while it does.
    const first = await start({ type: 'comments', startDate: '2020-01-01', endDate: '2020-12-01' }).expect(202);
    const second = await start({ type: 'comments', startDate: '2020-01-01', endDate: '2020-12-01' }).expect(202);
    await parley.http().delete(`/v1/admin/exports/${second.body.id}`).set(admin()).expect(200);
    await done(first.body.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await parley.http().get(`/v1/admin/exports/${second.body.id}`).set(admin())).status).toBe(404);
    expect(existsSync(join(parley.dataDir, 'exports', `${second.body.id}.json`))).toBe(false);
  });
});

describe('export jobs across a restart', () => {
  it('runs a job that was requested but never run when the process stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-export-restart-'));
    try {
      const first = await ParleyHarness.start({ ADMIN_API_KEY: KEY }, dir);
      await first.user('zed', 'Zed');
      // The request is in the log, but this process never queued it (as if it had stopped right after).
      const jobId = newId();
      await first.app.get<EventStore>(EVENT_STORE).append(
        `export-job-${jobId}`,
        [
          {
            id: newId(),
            type: 'ExportJobRequested',
            version: EVENT_VERSIONS.ExportJobRequested,
            data: { jobId, resource: 'users', startDate: '2000-01-01T00:00:00.000Z', endDate: '2000-06-01T00:00:00.000Z', requestedBy: 'apikey:admin', requestedAt: new Date().toISOString() },
            metadata: { actor: 'apikey:admin', correlationId: 'restart-test' },
          },
        ],
        'no_stream',
      );
      await first.settled();
      expect((await first.http().get(`/v1/admin/exports/${jobId}`).set('X-Api-Key', KEY)).body.status).toBe('queued');
      await first.stop();

      const second = await ParleyHarness.start({ ADMIN_API_KEY: KEY }, dir);
      try {
        const deadline = Date.now() + 20_000;
        let status = '';
        while (status !== 'done' && Date.now() < deadline) {
          status = (await second.http().get(`/v1/admin/exports/${jobId}`).set('X-Api-Key', KEY).expect(200)).body.status;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(status).toBe('done');
        const file = await second.http().get(`/v1/admin/exports/${jobId}/download`).set('X-Api-Key', KEY).expect(200);
        expect(JSON.parse(file.text)).toEqual([]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

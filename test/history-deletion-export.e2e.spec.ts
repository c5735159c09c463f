import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');
const ADMIN_KEY = 'history-export-admin-key-0123456789abcdef';

function cli(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

type Item = { id: string; kind: string; deleted?: boolean; text?: string | null; senderId?: string };
type ExportLine = { type?: string; streamId?: string; data?: Record<string, unknown> };

/**
 * A room whose history was partly deleted (decision 0034), exported and
 * restored: the export carries the posts and the HistoryDeleted that covers
 * them, and the restored installation (import, then a rebuild) serves the
 * same timeline, tombstones where the deleted comments stood.
 */
describe('exports after a history deletion (issue #16)', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-history-export-'));
  const source = join(work, 'source');
  const target = join(work, 'target');
  const exported = join(work, 'export.ndjson');
  let roomId = '';
  let deletedIds: string[] = [];
  let standing: string[] = [];
  let year = 0;
  let week = 0;
  let timeline: Item[] = [];
  let streamed = '';
  const admin = { 'X-Api-Key': ADMIN_KEY };
  const weekOf = async (h: ParleyHarness): Promise<Item[]> =>
    (await h.http().get(`/v1/admin/rooms/${roomId}/history/weeks/${year}/${week}`).set(admin).expect(200)).body.items as Item[];

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const h = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }, source);
    try {
      const [alice, bob] = await Promise.all([h.user('alice', 'Alice'), h.user('bob', 'Bob')]);
      roomId = (await h.http().post('/v1/rooms').set(alice.auth).send({ name: 'Minutes', participants: [bob.id] }).expect(201)).body.id;
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        ids.push((await h.http().post(`/v1/rooms/${roomId}/comments`).set(i % 2 ? bob.auth : alice.auth).send({ text: `point ${i}` }).expect(201)).body.id);
      }
      deletedIds = [ids[1]!, ids[4]!];
      standing = ids.filter((id) => !deletedIds.includes(id));
      const deleted = await h.http().post(`/v1/rooms/${roomId}/history/deletions`).set(alice.auth).send({ commentIds: deletedIds }).expect(200);
      expect(deleted.body.written).toBe(1);
      const weeks = await h.http().get(`/v1/admin/rooms/${roomId}/history/weeks`).set(admin).set('X-Min-Position', deleted.body.position as string).expect(200);
      expect(weeks.body.weeks).toHaveLength(1);
      ({ year, week } = weeks.body.weeks[0] as { year: number; week: number });
      expect(weeks.body.weeks[0].count).toBe(4);
      timeline = await weekOf(h);
      streamed = (await h.http().get('/v1/admin/events').set(admin).buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      }).expect(200)).body as string;
    } finally {
      await h.stop();
    }
  }, 240_000);

  it('the served timeline shows tombstones where the deleted comments stood', () => {
    const comments = timeline.filter((item) => item.kind === 'comment');
    expect(comments.map((item) => item.id)).toEqual([...standing.slice(0, 1), deletedIds[0], ...standing.slice(1, 3), deletedIds[1], ...standing.slice(3)]);
    for (const item of comments) {
      if (deletedIds.includes(item.id)) expect(item).toMatchObject({ deleted: true, text: null });
      else expect(item).toMatchObject({ deleted: false, text: expect.stringMatching(/^point \d$/) });
    }
  });

  it('the log export, over HTTP and by the CLI, carries the posts and the HistoryDeleted that covers them', () => {
    expect(cli(source, 'export', '--out', exported).status).toBe(0);
    expect(cli(source, 'verify', exported).status).toBe(0);
    for (const text of [streamed, readFileSync(exported, 'utf8')]) {
      const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ExportLine);
      const deletion = lines.filter((line) => line.type === 'HistoryDeleted');
      expect(deletion).toHaveLength(1);
      expect(deletion[0]).toMatchObject({ streamId: `room-${roomId}`, data: { roomId, scope: 'comments', commentIds: deletedIds } });
      const posted = lines.filter((line) => line.type === 'CommentPosted' && line.data?.['roomId'] === roomId).map((line) => line.data?.['commentId']);
      expect(posted).toEqual(expect.arrayContaining(deletedIds));
    }
  });

  it('import into an empty installation, then a rebuild, serves the same timeline and the same weeks', async () => {
    mkdirSync(target, { recursive: true });
    copyFileSync(join(source, 'personal-data-key'), join(target, 'personal-data-key'));
    const keys = join(work, 'keys.ndjson');
    expect(cli(source, 'personal-data-keys', 'export', '--out', keys).status).toBe(0);
    expect(cli(target, 'personal-data-keys', 'import', keys).status).toBe(0);
    const imported = cli(target, 'import', exported);
    expect(imported.status).toBe(0);
    const check = async () => {
      const h = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }, target);
      try {
        await h.settled();
        expect(await weekOf(h)).toEqual(timeline);
        const weeks = await h.http().get(`/v1/admin/rooms/${roomId}/history/weeks`).set(admin).expect(200);
        expect(weeks.body.weeks).toEqual([expect.objectContaining({ year, week, count: 4 })]);
        // Audit keeps the fact of deletion.
        const audit = await h.http().get(`/v1/admin/audit/streams/room-${roomId}`).set(admin).expect(200);
        expect(audit.body.events.map((e: { type: string }) => e.type)).toContain('HistoryDeleted');
      } finally {
        await h.stop();
      }
    };
    await check();
    expect(cli(target, 'rebuild').status).toBe(0);
    await check();
  }, 240_000);
});

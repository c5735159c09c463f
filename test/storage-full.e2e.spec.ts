import type Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAW_EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');

/** The event store's SQLite connection: its `max_page_count` makes SQLite answer SQLITE_FULL for real. */
const eventsDb = (parley: ParleyHarness): Database.Database => (parley.app.get(RAW_EVENT_STORE) as unknown as { db: Database.Database }).db;

describe('out of storage space', () => {
  it('answers 507 STORAGE.FULL to writes while reads go on, loses nothing acknowledged and recovers by itself', async () => {
    // The writer's own connection, so that its max_page_count binds: inline here. That SQLITE_FULL keeps its
    // code across the writer thread is shown in threaded-sqlite-event-store.int.spec.ts.
    const parley = await ParleyHarness.start({ SQLITE_WRITER: 'inline' });
    try {
      const alice = await parley.user('alice');
      const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Full disk', participants: [] }).expect(201)).body.id as string;
      const acknowledged: string[] = [];
      const post = (text: string) => parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text });
      const before = await post('before the disk filled');
      expect(before.status).toBe(201);
      acknowledged.push('before the disk filled');

      const db = eventsDb(parley);
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      let refused: Awaited<ReturnType<typeof post>> | null = null;
      for (let i = 0; i < 2000 && refused === null; i++) {
        const text = `filling ${i} ${'x'.repeat(2000)}`;
        const res = await post(text);
        if (res.status === 201) acknowledged.push(text);
        else refused = res;
      }
      expect(refused).not.toBeNull();
      expect({ status: refused!.status, body: refused!.body }).toEqual({
        status: 507,
        body: { statusCode: 507, code: 'STORAGE.FULL', message: expect.any(String) },
      });
      // Other writes are refused the same way; reads keep working.
      const registration = await parley.http().post('/v1/users').send({ username: 'latecomer', password: 'correct horse battery' });
      expect(registration.status).toBe(507);
      expect(registration.body.code).toBe('STORAGE.FULL');
      await parley.settled();
      await parley.http().get('/health').expect(200);
      await parley.http().get(`/v1/rooms/${room}`).set(alice.auth).expect(200);

      // Space returns: writes succeed again without a restart.
      db.pragma('max_page_count = 1073741823');
      const after = await post('after space returned');
      expect(after.status).toBe(201);
      acknowledged.push('after space returned');
      // (The refused registration may have claimed `latecomer` first; such a claim is completed by a later try after 10 s.)
      await parley.http().post('/v1/users').send({ username: 'punctual', password: 'correct horse battery' }).expect(201);

      await parley.settled();
      const texts: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { text: string }[]; nextCursor?: string | null } } = await parley
          .http()
          .get(`/v1/rooms/${room}/comments`)
          .query({ limit: 100, ...(cursor ? { cursor } : {}) })
          .set(alice.auth)
          .expect(200);
        for (const item of page.body.items) texts.push(item.text);
        cursor = page.body.nextCursor ?? null;
      } while (cursor);
      const posted = texts.filter((text) => !text.endsWith('created room "Full disk"'));
      expect(new Set(posted)).toEqual(new Set(acknowledged));
      expect(posted).toHaveLength(acknowledged.length);
    } finally {
      await parley.stop();
    }
  });

  it('keeps serving when its log output is on a full disk (stdout to /dev/full)', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'parley-dev-full-'));
    const full = openSync('/dev/full', 'w');
    const stderr: string[] = [];
    const child = spawn(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'api', 'main.ts')], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'debug', SQLITE_SYNCHRONOUS: 'normal' },
      stdio: ['ignore', full, 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    let exited: number | null = null;
    child.on('exit', (code) => (exited = code ?? -1));
    try {
      const base = `http://127.0.0.1:${port}`;
      // Generous: the child transpiles Parley's sources first, on a machine that may be busy.
      const deadline = Date.now() + 180_000;
      for (;;) {
        if (exited !== null) throw new Error(`Parley exited (${exited}): ${stderr.join('')}`);
        const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`Parley did not start: ${stderr.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // Each of these writes debug log lines; none may take the process down.
      const created = await fetch(`${base}/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'fulldisk', password: 'correct horse battery' }),
      });
      expect(created.status).toBe(201);
      for (let i = 0; i < 5; i++) expect((await fetch(`${base}/health`)).status).toBe(200);
      expect(exited).toBeNull();
      expect(stderr.join('')).not.toContain('ENOSPC');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (exited !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

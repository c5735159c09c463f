import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EVENT_STORE, RAW_EVENT_STORE, READ_STORE } from '../apps/api/infrastructure/tokens';
import { ThreadedSqliteEventStore } from '../libs/event-store/threaded-sqlite-event-store';
import { streams } from '../libs/domain/streams';
import type { EventStore } from '../libs/event-store/event-store.port';
import { Projector } from '../libs/projection/projector';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import { parleyProjections } from '../projections';
import { contractChecked, loadContract } from './support/openapi-contract';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');

async function startApi(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'api', 'main.ts')], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`API did not start: ${out}`));
    }, 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
    child.once('exit', (code) => reject(new Error(`API exited with ${code}: ${out}`)));
  });
  return { child, url };
}

describe('a 2xx means durable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-durable-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged comment when the API process is killed right after answering', async () => {
    const api = await startApi(dataDir);
    child = api.child;
    const contract = await loadContract(api.url);
    const http = () => contractChecked(request(api.url), contract);
    await http().post('/v1/users').send({ username: 'durable', password: 'long enough pw' }).expect(201);
    const token = (await http().post('/v1/oauth/token').send({ grant_type: 'password', username: 'durable', password: 'long enough pw' })).body
      .access_token as string;
    const auth = { Authorization: `Bearer ${token}` };
    const room = (await http().post('/v1/rooms').set(auth).send({ name: 'Vault', participants: [] }).expect(201)).body.id as string;
    const acknowledged = await Promise.all(
      Array.from({ length: 40 }, (_, i) => http().post(`/v1/rooms/${room}/comments`).set(auth).send({ text: `kept ${i}` })),
    );
    const failures = acknowledged.filter((r) => r.status !== 201).map((r) => [r.status, r.body]);
    api.child.kill('SIGKILL');
    await new Promise((resolve) => api.child.once('exit', resolve));
    expect(failures).toEqual([]);

    const parley = await ParleyHarness.start({}, dataDir);
    try {
      await parley.settled();
      const login = await parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username: 'durable', password: 'long enough pw' });
      const list = await parley.http().get(`/v1/rooms/${room}/comments?after=0&limit=100`).set('Authorization', `Bearer ${login.body.access_token}`);
      const stored = list.body.items.filter((c: { kind: string }) => c.kind === 'comment').map((c: { id: string }) => c.id);
      expect(stored.sort()).toEqual(acknowledged.map((r) => r.body.id).sort());
    } finally {
      await parley.stop();
    }
  }, 120_000);
});

async function dump(readStore: ReadStore): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const projection of parleyProjections) {
    for (const collection of projection.collections) {
      out[collection.name] = await readStore.find(collection.name, { sort: [{ field: 'id', direction: 'asc' }] });
    }
  }
  return out;
}

describe('a 2xx means durable with the writer and the projector on their own threads', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-durable-threads-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every comment acknowledged before kill -9 while 30 clients post, and projects what a clean rebuild projects', async () => {
    // The defaults under test: SQLITE_WRITER=thread, PROJECTOR=thread, SQLITE_SYNCHRONOUS=full.
    const api = await startApi(dataDir, { LOG_LEVEL: 'error' });
    child = api.child;
    const call = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const clients = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const username = `poster${i}`;
        const created = await call('/v1/users', { username, password: 'long enough pw' });
        expect(created.status).toBe(201);
        const token = await call('/v1/oauth/token', { grant_type: 'password', username, password: 'long enough pw' });
        return { id: created.body['id'] as string, token: token.body['access_token'] as string };
      }),
    );
    const rooms: string[] = [];
    for (let r = 0; r < 3; r++) {
      const members = clients.slice(r * 10, r * 10 + 10);
      const room = await call('/v1/rooms', { name: `Room ${r}`, participants: members.slice(1).map((m) => m.id) }, members[0]!.token);
      expect(room.status).toBe(201);
      rooms.push(room.body['id'] as string);
    }

    const acknowledged: string[] = [];
    let killed = false;
    let reachedTarget!: () => void;
    const target = new Promise<void>((resolve) => (reachedTarget = resolve));
    const posting = clients.map(async (client, i) => {
      const room = rooms[Math.floor(i / 10)]!;
      for (let n = 0; !killed; n++) {
        try {
          const posted = await call(`/v1/rooms/${room}/comments`, { text: `client ${i} comment ${n}` }, client.token);
          if (posted.status === 201) acknowledged.push(posted.body['id'] as string);
          else if (!killed) throw new Error(`post answered ${posted.status}: ${JSON.stringify(posted.body)}`);
          if (acknowledged.length >= 300) reachedTarget();
        } catch (error) {
          if (!killed) throw error;
        }
      }
    });
    await Promise.race([target, Promise.all(posting)]);
    // Killed while the 30 clients still post: some appends are in the writer's queue or mid-commit.
    killed = true;
    api.child.kill('SIGKILL');
    await new Promise((resolve) => api.child.once('exit', resolve));
    await Promise.all(posting);
    const acked = [...acknowledged];
    expect(acked.length).toBeGreaterThanOrEqual(300);

    const parley = await ParleyHarness.start({}, dataDir);
    try {
      await parley.settled();
      const store = parley.app.get<EventStore>(EVENT_STORE);
      const logged = new Set<string>();
      for (const room of rooms) for (const event of await store.readStream(streams.comments(room))) logged.add(event.id);
      expect(acked.filter((id) => !logged.has(id))).toEqual([]);

      const resumed = await dump(parley.app.get<ReadStore>(READ_STORE));
      const clean = new SqliteReadStore({ file: join(dataDir, 'clean.db') });
      try {
        await new Projector(store, clean, parleyProjections, { batchSize: 500 }).rebuild();
        const rebuilt = await dump(clean);
        expect(resumed['timeline']!.length).toBeGreaterThanOrEqual(acked.length);
        for (const name of Object.keys(rebuilt)) expect({ name, docs: resumed[name] }).toEqual({ name, docs: rebuilt[name] });
      } finally {
        await clean.close();
      }
    } finally {
      await parley.stop();
    }
  }, 240_000);
});

describe('the writer thread gone', () => {
  it('answers writes with 503 STORE.UNAVAILABLE instead of hanging, and /health names the writer', async () => {
    const parley = await ParleyHarness.start();
    try {
      const alice = await parley.user('alice');
      const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Kept', participants: [] }).expect(201)).body
        .id as string;
      const store = parley.app.get(RAW_EVENT_STORE);
      expect(store).toBeInstanceOf(ThreadedSqliteEventStore);
      await (store as ThreadedSqliteEventStore).writer.terminate();

      const refused = await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'lost?' });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ statusCode: 503, code: 'STORE.UNAVAILABLE' });
      expect(refused.body.message).toContain('writer thread');
      const health = await parley.http().get('/health');
      expect(health.status).toBe(503);
      expect(health.body.down).toEqual(['SQLite event writer']);
      // Reads go on through the API's own connection.
      await parley.http().get(`/v1/rooms/${room}`).set(alice.auth).expect(200);
    } finally {
      await parley.stop();
    }
  }, 60_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { contractChecked, loadContract } from './support/openapi-contract';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');

async function startApi(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'api', 'main.ts')], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`API did not start: ${out}`)), 60_000);
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

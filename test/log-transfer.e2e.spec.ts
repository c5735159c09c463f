import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');

function cli(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('export, verify and import through the CLI', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-transfer-'));
  const source = join(work, 'source');
  const restored = join(work, 'restored');
  const refused = join(work, 'refused');
  const exported = join(work, 'export.ndjson');
  let roomId: string;

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const parley = await ParleyHarness.start({}, source);
    try {
      const alice = await parley.user('alice', 'Alice');
      const bob = await parley.user('bob', 'Bob');
      roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Archive', participants: [bob.id] })).body.id;
      for (let i = 0; i < 30; i++) {
        await parley.http().post(`/v1/rooms/${roomId}/comments`).set(i % 2 ? bob.auth : alice.auth).send({ text: `line ${i}` }).expect(201);
      }
    } finally {
      await parley.stop();
    }
  });

  it('exports a verifiable file, restores it into an empty installation, and re-exports it byte for byte', async () => {
    const out = cli(source, 'export', '--out', exported);
    expect(out.status).toBe(0);
    const verify = cli(source, 'verify', exported);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^OK: \d+ events/);

    // A restore is the log, the key store and the master key (decision 0008): password hashes
    // are sealed too (decision 0020), so without the keys nobody could sign in.
    mkdirSync(restored, { recursive: true });
    copyFileSync(join(source, 'personal-data-key'), join(restored, 'personal-data-key'));
    const keysFile = join(work, 'keys.ndjson');
    expect(cli(source, 'personal-data-keys', 'export', '--out', keysFile).status).toBe(0);
    expect(cli(restored, 'personal-data-keys', 'import', keysFile).status).toBe(0);

    const imported = cli(restored, 'import', exported);
    expect(imported.stderr + imported.stdout).toMatch(/imported \d+ events, 0 already present/);
    expect(imported.status).toBe(0);
    const again = cli(restored, 'import', exported);
    expect(again.stdout).toMatch(/imported 0 events, \d+ already present/);

    const reexported = join(work, 'again.ndjson');
    expect(cli(restored, 'export', '--out', reexported).status).toBe(0);
    expect(readFileSync(reexported)).toEqual(readFileSync(exported));

    // The restored installation answers from its rebuilt read models; users sign in as before.
    const parley = await ParleyHarness.start({}, restored);
    try {
      const token = await parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username: (JSON.parse(readFileSync(exported, 'utf8').split('\n')[2]!).data.username as string), password: 'correct horse battery' });
      expect(token.status).toBe(200);
      const comments = await parley.http().get(`/v1/rooms/${roomId}/comments?limit=100`).set('Authorization', `Bearer ${token.body.access_token}`);
      expect(comments.body.items.filter((c: { kind: string }) => c.kind === 'comment')).toHaveLength(30);
    } finally {
      await parley.stop();
    }
  }, 180_000);

  it('refuses a tampered file by line, and writes nothing', () => {
    const lines = readFileSync(exported, 'utf8').split('\n');
    // A comment's text, changed in place: the first line that holds one.
    const index = lines.findIndex((line) => line.includes('"text":"line '));
    expect(index).toBeGreaterThan(0);
    lines[index] = lines[index]!.replace('"text":"line ', '"text":"LINE ');
    const tampered = join(work, 'tampered.ndjson');
    writeFileSync(tampered, lines.join('\n'));
    const verify = cli(source, 'verify', tampered);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toContain(`FAILED: line ${index + 1}`);
    const imported = cli(refused, 'import', tampered);
    expect(imported.status).toBe(1);
    expect(imported.stdout).toContain(`REFUSED: line ${index + 1}`);
    const status = cli(refused, 'status');
    expect(status.stdout).toContain('log head: empty');
  }, 120_000);

  it('stops an import that conflicts with the log it goes into, naming the event, and leaves read models that match that log', async () => {
    const occupied = join(work, 'occupied');
    const before = await ParleyHarness.start({}, occupied);
    let carol: { id: string; auth: Record<string, string> };
    try {
      carol = await before.user('carol', 'Carol');
    } finally {
      await before.stop();
    }
    const imported = cli(occupied, 'import', exported);
    expect(imported.status).not.toBe(0);
    expect(imported.stderr + imported.stdout).toMatch(/Event \S+ at position 1: comes before this store's head/);
    // The rebuild that ran beside the import built the read models from the log as it stands: Carol's own.
    const after = await ParleyHarness.start({}, occupied);
    try {
      const me = await after.http().get('/v1/me').set(carol.auth);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: carol.id, displayName: 'Carol' });
      expect((await after.http().get(`/v1/rooms/${roomId}`).set(carol.auth)).status).toBe(404);
    } finally {
      await after.stop();
    }
  }, 120_000);

  it('writes and verifies gzip, and refuses a truncated gzip', () => {
    const gz = join(work, 'export.ndjson.gz');
    expect(cli(source, 'export', '--out', gz).status).toBe(0);
    expect(gunzipSync(readFileSync(gz))).toEqual(readFileSync(exported));
    expect(cli(source, 'verify', gz).status).toBe(0);
    const truncated = join(work, 'truncated.ndjson.gz');
    const bytes = readFileSync(gz);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const verify = cli(source, 'verify', truncated);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(/^FAILED: line \d+: cannot be read: unexpected end of file/);
  }, 120_000);
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');
const ADMIN_KEY = 'restore-admin-key-0123456789abcdefghijklmn';

function cli(dataDir: string, env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * A whole restore: the log's export, the key store's backup and the master
 * key bring every profile back, and an erased user stays erased.
 */
describe('restoring an installation: log, personal-data keys and master key', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-restore-'));
  const source = join(work, 'source');
  const log = join(work, 'log.ndjson');
  const keys = join(work, 'keys.ndjson');
  let aliceId = '';
  let bobId = '';
  let roomId = '';

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }, source);
    try {
      const alice = await parley.user('alice', 'Alice Restored');
      const bob = await parley.user('bob', 'Bob Erased');
      aliceId = alice.id;
      bobId = bob.id;
      roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Archive', participants: [bob.id] }).expect(201)).body.id;
      await parley.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'before I go' }).expect(201);
      await parley.http().post('/v1/me/remove').set(bob.auth).send({}).expect(200);
    } finally {
      await parley.stop();
    }
    expect(cli(source, {}, 'export', '--out', log).status).toBe(0);
    const backup = cli(source, {}, 'personal-data-keys', 'export', '--out', keys);
    expect(backup.status).toBe(0);
    expect(backup.stdout).toMatch(/exported \d+ keys and tombstones/);
  }, 240_000);

  it('brings profiles back with the keys and the master key; the erased user stays erased', async () => {
    const target = join(work, 'target');
    const env = { PERSONAL_DATA_KEY: readFileSync(join(source, 'personal-data-key'), 'utf8').trim() };
    const restoredKeys = cli(target, env, 'personal-data-keys', 'import', keys);
    expect(restoredKeys.status).toBe(0);
    expect(restoredKeys.stdout).toMatch(/restored [1-9]\d* keys; 1 users stay erased/);
    expect(cli(target, env, 'import', log).status).toBe(0);

    const parley = await ParleyHarness.start({ ...env, ADMIN_API_KEY: ADMIN_KEY }, target);
    try {
      await parley.settled();
      const alice = await parley.http().get(`/v1/admin/users/${aliceId}`).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(JSON.stringify(alice.body)).toContain('Alice Restored');
      const bob = await parley.http().get(`/v1/admin/users/${bobId}`).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(JSON.stringify(bob.body)).not.toContain('Bob Erased');
      const history = await parley.http().get(`/v1/admin/audit/rooms/${roomId}`).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(JSON.stringify(history.body)).toContain('before I go');
    } finally {
      await parley.stop();
    }
  }, 240_000);

  it('without the keys, restores the history with every profile blank', async () => {
    const target = join(work, 'no-keys');
    expect(cli(target, {}, 'import', log).status).toBe(0);
    const parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }, target);
    try {
      await parley.settled();
      const alice = await parley.http().get(`/v1/admin/users/${aliceId}`).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(JSON.stringify(alice.body)).not.toContain('Alice Restored');
    } finally {
      await parley.stop();
    }
  }, 240_000);

  it('refuses a key backup under another master key, writing nothing', () => {
    const target = join(work, 'other-master');
    const refused = cli(target, {}, 'personal-data-keys', 'import', keys);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/REFUSED: line \d+: the key does not open under this PERSONAL_DATA_KEY/);
    const backupOfTarget = join(work, 'other-master-keys.ndjson');
    expect(cli(target, {}, 'personal-data-keys', 'export', '--out', backupOfTarget).stdout).toContain('exported 0 keys');
  }, 120_000);
});

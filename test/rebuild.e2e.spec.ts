import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parleyProjections } from '../projections';
import { ParleyHarness, type TestUser } from './support/parley-app';

/** Every answer a client could get for the story, to compare before and after a rebuild. */
async function snapshot(parley: ParleyHarness, users: readonly TestUser[], roomIds: readonly string[]) {
  await parley.settled();
  const answers: Record<string, unknown> = {};
  for (const user of users) {
    answers[`rooms:${user.username}`] = (await parley.http().get('/v1/rooms?limit=100').set(user.auth).expect(200)).body;
    answers[`unread:${user.username}`] = (await parley.http().get('/v1/me/unread').set(user.auth).expect(200)).body;
    for (const roomId of roomIds) {
      const detail = await parley.http().get(`/v1/rooms/${roomId}`).set(user.auth);
      answers[`room:${roomId}:${user.username}`] = [detail.status, detail.body];
      const comments = await parley.http().get(`/v1/rooms/${roomId}/comments?limit=100`).set(user.auth);
      answers[`comments:${roomId}:${user.username}`] = [comments.status, comments.body];
      const members = await parley.http().get(`/v1/rooms/${roomId}/members`).set(user.auth);
      answers[`members:${roomId}:${user.username}`] = [members.status, members.body];
    }
  }
  return answers;
}

describe('read models are disposable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-rebuild-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers exactly as before after the read models are dropped and rebuilt', async () => {
    let parley = await ParleyHarness.start({}, dataDir);
    const alice = await parley.user('alice', 'Alice');
    const bob = await parley.user('bob', 'Bob');
    const carol = await parley.user('carol', 'Carol');
    const users = [alice, bob, carol];
    const group = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Group', participants: [bob.id, carol.id], topic: 'Plans' })).body.id as string;
    const direct = (await parley.http().post('/v1/rooms/direct').set(bob.auth).send({ userId: carol.id })).body.id as string;
    for (let i = 0; i < 15; i++) {
      await parley.http().post(`/v1/rooms/${group}/comments`).set(users[i % 3]!.auth).send({ text: `g${i}` }).expect(201);
    }
    const victim = await parley.http().post(`/v1/rooms/${direct}/comments`).set(bob.auth).send({ text: 'secret' }).expect(201);
    await parley.http().post(`/v1/rooms/${direct}/comments`).set(carol.auth).send({ text: 'reply', replyTo: victim.body.id }).expect(201);
    await parley.http().delete(`/v1/rooms/${direct}/comments/${victim.body.id}`).set(bob.auth).expect(200);
    await parley.http().patch(`/v1/rooms/${group}`).set(alice.auth).send({ name: 'Group 2' }).expect(200);
    await parley.http().patch(`/v1/rooms/${group}/members/${bob.id}`).set(alice.auth).send({ role: 'operator', muted: false }).expect(200);
    await parley.http().post(`/v1/rooms/${group}/read`).set(carol.auth).send({ seq: 7 }).expect(200);
    await parley.http().post(`/v1/rooms/${direct}/read`).set(carol.auth).send({ unread: true }).expect(200);
    await parley.http().post(`/v1/rooms/${group}/leave`).set(carol.auth).expect(200);

    const before = await snapshot(parley, users, [group, direct]);
    await parley.stop();

    // Drop the read models entirely: the next start projects the log from position 0.
    for (const file of ['read.db', 'read.db-wal', 'read.db-shm']) rmSync(join(dataDir, file), { force: true });
    parley = await ParleyHarness.start({}, dataDir);
    const after = await snapshot(parley, users, [group, direct]);
    await parley.stop();
    expect(after).toEqual(before);

    // The operator's command: `npm run rebuild` (apps/cli) over the same files.
    const cli = spawnSync(
      process.execPath,
      ['-r', join(__dirname, 'support', 'ts-register.js'), join(__dirname, '..', 'apps', 'cli', 'main.ts'), 'rebuild'],
      { env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(cli.status).toBe(0);
    const names = parleyProjections.map((projection) => projection.name).join(', ');
    expect(cli.stderr).toMatch(new RegExp(`rebuild ${names}: position \\d+.*done in`));
    parley = await ParleyHarness.start({}, dataDir);
    const rebuilt = await snapshot(parley, users, [group, direct]);
    await parley.stop();
    expect(rebuilt).toEqual(before);
    // The snapshot holds real content, not empty answers.
    expect(JSON.stringify(before)).toContain('Group 2');
    expect(JSON.stringify(before)).toContain('"deleted":true');
    // Three app starts and a CLI run, each starting its threads: more than jest's default 30 s on a busy machine.
  }, 120_000);
});

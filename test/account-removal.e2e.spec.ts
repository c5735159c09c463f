import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyHarness, type TestUser } from './support/parley-app';

const ADMIN_KEY = 'removal-admin-key-0123456789abcdefghijkl';
const ALICE_NAME = 'Alice Kingsleigh-Wonder';
const BOB_NAME = 'Bob Builder-Smith';

/** Every byte SQLite keeps of the log, WAL included. */
function logBytes(dataDir: string): string {
  return ['events.db', 'events.db-wal']
    .map((file) => {
      try {
        return readFileSync(join(dataDir, file)).toString('latin1');
      } catch {
        return '';
      }
    })
    .join('');
}

async function exportLog(parley: ParleyHarness): Promise<string> {
  const res = await parley.http().get('/v1/admin/events').set('X-Api-Key', ADMIN_KEY).buffer(true).parse((response, done) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.on('end', () => done(null, text));
  });
  expect(res.status).toBe(200);
  return res.body as string;
}

describe('account removal erases personal data (crypto-shredding)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-removal-'));
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let room: string;
  let refreshToken: string;

  afterAll(async () => {
    await parley?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps personal fields sealed in the log from the first write', async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }, dataDir);
    alice = await parley.user('alice', ALICE_NAME);
    bob = await parley.user('bob', BOB_NAME);
    const signIn = await parley
      .http()
      .post('/v1/oauth/token')
      .send({ grant_type: 'password', username: alice.username, password: 'correct horse battery' })
      .expect(200);
    refreshToken = signIn.body.refresh_token as string;
    room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Book club', participants: [bob.id] }).expect(201)).body
      .id as string;
    for (let i = 0; i < 3; i++) {
      await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: `alice says ${i}` }).expect(201);
      await parley.http().post(`/v1/rooms/${room}/comments`).set(bob.auth).send({ text: `bob says ${i}` }).expect(201);
    }
    await parley.settled();

    const members = (await parley.http().get(`/v1/rooms/${room}/members`).set(bob.auth).expect(200)).body;
    expect(JSON.stringify(members)).toContain(ALICE_NAME);
    // Readable through the API, never stored in clear: not in the log, not in an export.
    expect(logBytes(dataDir)).not.toContain(ALICE_NAME);
    expect(logBytes(dataDir)).not.toContain(BOB_NAME);
    const exported = await exportLog(parley);
    expect(exported).not.toContain(ALICE_NAME);
    expect(exported).toContain('pii:v1:');
  });

  it('refuses bad input and callers without a token, writing nothing', async () => {
    const head = (await parley.http().get('/health').expect(200)).body.eventStore.head as string;
    const tooLong = await parley.http().post('/v1/me/remove').set(alice.auth).send({ feedback: 'x'.repeat(2001) }).expect(400);
    expect(tooLong.body.code).toBe('REQUEST.VALIDATION_FAILED');
    expect(JSON.stringify(tooLong.body.details)).toContain('feedback');
    await parley.http().post('/v1/me/remove').set(alice.auth).send({ feedback: 1 }).expect(400);
    await parley.http().post('/v1/me/remove').send({}).expect(401);
    expect((await parley.http().get('/health').expect(200)).body.eventStore.head).toBe(head);
  });

  it('removes the account: tokens stop working, the name is gone everywhere, the history stays whole', async () => {
    const before = await exportLog(parley);
    const removed = await parley.http().post('/v1/me/remove').set(alice.auth).send({ feedback: 'moving on' }).expect(200);
    expect(removed.body).toMatchObject({ id: alice.id, removed: true });
    expect(typeof removed.body.position).toBe('string');

    const access = await parley.http().get('/v1/rooms').set(alice.auth).expect(401);
    expect(access.body.code).toBe('AUTH.ACCOUNT_REMOVED');
    const refresh = await parley.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(refresh.status).toBe(401);
    const password = await parley
      .http()
      .post('/v1/oauth/token')
      .send({ grant_type: 'password', username: alice.username, password: 'correct horse battery' })
      .expect(401);
    expect(password.body.code).toBe('AUTH.INVALID_CREDENTIALS');

    // The export of what was there before is byte for byte the same: erasure rewrites nothing.
    const after = await exportLog(parley);
    const linesBefore = before.trimEnd().split('\n');
    const linesAfter = after.trimEnd().split('\n');
    expect(linesAfter.slice(0, linesBefore.length - 1)).toEqual(linesBefore.slice(0, -1));
    expect(after).not.toContain(ALICE_NAME);

    await parley.settled();
    const comments = (await parley.http().get(`/v1/rooms/${room}/comments?limit=100`).set(bob.auth).expect(200)).body;
    const texts = JSON.stringify(comments);
    expect(texts).not.toContain(ALICE_NAME);
    for (let i = 0; i < 3; i++) expect(texts).toContain(`alice says ${i}`);
    const members = JSON.stringify((await parley.http().get(`/v1/rooms/${room}/members`).set(bob.auth).expect(200)).body);
    expect(members).not.toContain(ALICE_NAME);
    expect(members).toContain(BOB_NAME);
  });

  it('shows the same after the read models are dropped and the whole log is projected again', async () => {
    const answers = async () => {
      await parley.settled();
      return {
        comments: (await parley.http().get(`/v1/rooms/${room}/comments?limit=100`).set(bob.auth).expect(200)).body,
        members: (await parley.http().get(`/v1/rooms/${room}/members`).set(bob.auth).expect(200)).body,
      };
    };
    const live = await answers();
    await parley.stop();
    for (const file of ['read.db', 'read.db-wal', 'read.db-shm']) rmSync(join(dataDir, file), { force: true });
    parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }, dataDir);
    const rebuilt = await answers();
    expect(rebuilt).toEqual(live);
    expect(JSON.stringify(rebuilt)).not.toContain(ALICE_NAME);
    const seqs = (rebuilt.comments.items as { seq: number | null; senderId?: string }[])
      .map((item) => item.seq)
      .filter((seq): seq is number => typeof seq === 'number');
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.length).toBeGreaterThanOrEqual(6);
  });

  it('keeps the removed user’s stream readable with the personal fields erased, and other users intact', async () => {
    const stream = await parley.http().get(`/v1/admin/audit/streams/user-${alice.id}`).set('X-Api-Key', ADMIN_KEY).expect(200);
    const events = (stream.body.events ?? stream.body.items ?? stream.body) as { type: string; data: Record<string, unknown> }[];
    const registered = events.find((event) => event.type === 'UserRegistered');
    expect(registered?.data).toMatchObject({ userId: alice.id, displayName: null });
    expect(events.find((event) => event.type === 'UserRemoved')?.data).toMatchObject({ reason: 'self', feedback: 'moving on' });
    const bobStream = await parley.http().get(`/v1/admin/audit/streams/user-${bob.id}`).set('X-Api-Key', ADMIN_KEY).expect(200);
    expect(JSON.stringify(bobStream.body)).toContain(BOB_NAME);
  });

  it('refuses to remove a removed account again, writing nothing', async () => {
    const head = (await parley.http().get('/health').expect(200)).body.eventStore.head as string;
    const again = await parley.http().delete(`/v1/admin/users/${alice.id}`).set('X-Api-Key', ADMIN_KEY).expect(404);
    expect(again.body.code).toBe('USER.REMOVED');
    const unknown = await parley.http().delete('/v1/admin/users/00000000-0000-4000-8000-000000000000').set('X-Api-Key', ADMIN_KEY).expect(404);
    expect(unknown.body.code).toBe('USER.NOT_FOUND');
    expect((await parley.http().get('/health').expect(200)).body.eventStore.head).toBe(head);
  });

  it('keeps the username reserved after removal', async () => {
    const again = await parley.http().post('/v1/users').send({ username: alice.username, password: 'another password' }).expect(409);
    expect(again.body.code).toBe('USER.USERNAME_TAKEN');
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'erasure-files-admin-key-0123456789abcdef';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files under `dir` holding any of the strings (searched as UTF-8 bytes), with the strings found. */
function holding(dir: string, strings: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = readFileSync(file);
    for (const text of strings) if (bytes.includes(Buffer.from(text, 'utf8'))) found.push(`${file}: ${text}`);
  }
  return found;
}

describe('an erasure leaves nothing of the account in any file under DATA_DIR', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  const admin = { 'X-Api-Key': API_KEY };
  // Distinctive strings, one per kind of personal value, none of them in the username.
  const NAME = 'Zyxwvut Quillonova';
  const OLD_STATUS = 'status-aardvark-7731';
  const STATUS = 'status-bumblebee-8842';
  const PHOTO = 'https://cdn.example.com/photo-cormorant-5521.png';
  const PRESENCE = 'presence-dromedary-9931';
  const CONTACT_FIRST = 'Ekwueme';
  const CONTACT_LAST = 'Fennecfox-4411';
  const secrets = [NAME, OLD_STATUS, STATUS, PHOTO, PRESENCE, CONTACT_FIRST, CONTACT_LAST];

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    alice = await parley.user('alice', NAME);
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('read store, its write-ahead log, key store and export files: none holds the removed user’s values', async () => {
    const bob = await parley.user('bob', 'Bob');
    await parley.http().put('/v1/me/status-message').set(alice.auth).send({ message: OLD_STATUS }).expect(200);
    await parley.http().put('/v1/me/status-message').set(alice.auth).send({ message: STATUS }).expect(200);
    await parley.http().put('/v1/me/photo').set(alice.auth).send({ url: PHOTO }).expect(200);
    await parley.http().put('/v1/me/presence').set(alice.auth).send({ status: 'online', message: PRESENCE }).expect(200);
    await parley
      .http()
      .put('/v1/contacts')
      .set(alice.auth)
      .send({ contacts: [{ contactId: '+14155550123', kind: 'phone', firstName: CONTACT_FIRST, lastName: CONTACT_LAST }] })
      .expect(200);
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Kept room', participants: [bob.id] }).expect(201);
    await parley.http().post(`/v1/rooms/${room.body.id}/comments`).set(alice.auth).send({ text: 'history stays' }).expect(201);

    // An export made before the removal names her.
    const day = 24 * 60 * 60 * 1000;
    const requested = await parley
      .http()
      .post('/v1/admin/exports')
      .set(admin)
      .send({ type: 'users', startDate: new Date(Date.now() - day).toISOString(), endDate: new Date(Date.now() + day).toISOString() })
      .expect(202);
    const exportId = requested.body.id as string;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const job = await parley.http().get(`/v1/admin/exports/${exportId}`).set(admin).expect(200);
      if (job.body.status === 'done') break;
      if (Date.now() > deadline) throw new Error(`export stuck: ${JSON.stringify(job.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await parley.settled();
    // The test would prove nothing if the values were not on disk before.
    expect(holding(parley.dataDir, [NAME, STATUS]).length).toBeGreaterThan(0);

    await parley.http().post('/v1/me/remove').set(alice.auth).send({}).expect(200);
    await parley.settled();
    expect(holding(parley.dataDir, secrets)).toEqual([]);

    // The export job says why its file is gone; its download is refused.
    const job = await parley.http().get(`/v1/admin/exports/${exportId}`).set(admin).expect(200);
    expect(job.body).toMatchObject({ status: 'done', downloadUrl: null, purgedAt: expect.any(String) });
    const download = await parley.http().get(`/v1/admin/exports/${exportId}/download`).set(admin);
    expect(download.status).toBe(409);
    expect(download.body.code).toBe('EXPORT.FILE_ERASED');
    // Bob's data and the room's history are untouched.
    const history = await parley.http().get(`/v1/rooms/${room.body.id}/comments`).set(bob.auth).expect(200);
    expect(JSON.stringify(history.body)).toContain('history stays');
  });
});

import { ParleyHarness, type TestUser } from './support/parley-app';

const PASSWORD = 'correct horse battery';
const ADMIN_KEY = 'admin-key-0123456789-0123456789-abcdef';

interface Session {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  grant: string;
  client: string | null;
  current: boolean;
}

describe('sessions: my sign-ins, listed and ended; a password change ends the others', () => {
  let parley: ParleyHarness;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY });
  });
  afterAll(async () => {
    await parley.stop();
  });

  const signIn = async (user: TestUser, agent: string) => {
    const res = await parley
      .http()
      .post('/v1/oauth/token')
      .set('User-Agent', agent)
      .send({ grant_type: 'password', username: user.username, password: PASSWORD })
      .expect(200);
    return { access: res.body.access_token as string, refresh: res.body.refresh_token as string, auth: { Authorization: `Bearer ${res.body.access_token as string}` } };
  };
  const sessions = async (auth: Record<string, string>) => {
    const res = await parley.http().get('/v1/me/sessions').set(auth).expect(200);
    return res.body.items as Session[];
  };
  const rooms = (auth: Record<string, string>) => parley.http().get('/v1/rooms').set(auth);
  const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;

  it('lists each live sign-in with its client and times, the current one marked', async () => {
    const alice = await parley.user('alice');
    const phone = await signIn(alice, 'ParleyPhone/3.2 (Android 14)');
    const laptop = await signIn(alice, 'ParleyDesktop/1.0 (Linux)');
    const listed = await sessions(laptop.auth);
    expect(listed).toHaveLength(3);
    const byClient = new Map(listed.map((s) => [s.client, s]));
    expect(byClient.get('ParleyDesktop/1.0 (Linux)')).toMatchObject({ current: true, grant: 'password' });
    expect(byClient.get('ParleyPhone/3.2 (Android 14)')).toMatchObject({ current: false });
    for (const session of listed) {
      expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(session.createdAt)).not.toBeNaN();
      expect(session.lastUsedAt >= session.createdAt).toBe(true);
    }
    expect(listed.filter((s) => s.current)).toHaveLength(1);

    // A refresh counts as a use.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await parley.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: phone.refresh }).expect(200);
    const after = (await sessions(laptop.auth)).find((s) => s.client === 'ParleyPhone/3.2 (Android 14)')!;
    expect(after.lastUsedAt > after.createdAt).toBe(true);
  });

  it('ends one sign-in: its access token is refused on the next request, the others keep working', async () => {
    const bob = await parley.user('bob');
    const phone = await signIn(bob, 'ParleyPhone/3.2');
    const laptop = await signIn(bob, 'ParleyDesktop/1.0');
    await rooms(phone.auth).expect(200);
    const target = (await sessions(laptop.auth)).find((s) => s.client === 'ParleyPhone/3.2')!;
    const ended = await parley.http().delete(`/v1/me/sessions/${target.id}`).set(laptop.auth).expect(200);
    expect(ended.body).toMatchObject({ id: target.id, status: 'revoked', written: 1, position: expect.any(String) });

    const refused = await rooms(phone.auth);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('AUTH.TOKEN_REVOKED');
    const refresh = await parley.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: phone.refresh });
    expect(refresh.status).toBe(401);
    await rooms(laptop.auth).expect(200);
    expect((await sessions(laptop.auth)).map((s) => s.id)).not.toContain(target.id);

    // Twice changes nothing.
    const again = await parley.http().delete(`/v1/me/sessions/${target.id}`).set(laptop.auth).expect(200);
    expect(again.body).toMatchObject({ written: 0, position: null });
  });

  it("answers 404 for another user's sign-in and an unknown id, 400 for a malformed one, writing nothing", async () => {
    const carol = await parley.user('carol');
    const dave = await parley.user('dave');
    const daves = await sessions(dave.auth);
    const before = await head();
    const foreign = await parley.http().delete(`/v1/me/sessions/${daves[0]!.id}`).set(carol.auth);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ statusCode: 404, code: 'SESSION.NOT_FOUND' });
    const unknown = await parley.http().delete('/v1/me/sessions/00000000-0000-4000-8000-000000000000').set(carol.auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('SESSION.NOT_FOUND');
    const malformed = await parley.http().delete('/v1/me/sessions/nope').set(carol.auth);
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual([{ field: 'id', reason: 'must be a UUID' }]);
    expect(await head()).toBe(before);
    await rooms(dave.auth).expect(200);
    await parley.http().get('/v1/me/sessions').expect(401);
  });

  it('a password change ends every other sign-in at once and keeps the one that changed it', async () => {
    const erin = await parley.user('erin');
    const phone = await signIn(erin, 'ParleyPhone/3.2');
    const tablet = await signIn(erin, 'ParleyTablet/2.0');
    const laptop = await signIn(erin, 'ParleyDesktop/1.0');
    await rooms(phone.auth).expect(200);
    await rooms(tablet.auth).expect(200);

    await parley
      .http()
      .put('/v1/me/password')
      .set(laptop.auth)
      .send({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' })
      .expect(200);

    for (const other of [phone, tablet]) {
      const refused = await rooms(other.auth);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('AUTH.TOKEN_REVOKED');
      expect(refused.body.message).toContain('password');
      const refresh = await parley.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: other.refresh });
      expect(refresh.status).toBe(401);
    }
    await rooms(laptop.auth).expect(200);
    const left = await sessions(laptop.auth);
    expect(left).toEqual([expect.objectContaining({ client: 'ParleyDesktop/1.0', current: true })]);
  });

  it("an administrator's password reset ends every sign-in of the account", async () => {
    const frank = await parley.user('frank');
    const phone = await signIn(frank, 'ParleyPhone/3.2');
    await parley.http().patch(`/v1/admin/users/${frank.id}`).set('X-Api-Key', ADMIN_KEY).send({ password: 'reset by the admin 1' }).expect(200);
    expect((await rooms(phone.auth)).status).toBe(401);
    expect((await rooms(frank.auth)).status).toBe(401);
  });
});

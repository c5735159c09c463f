import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { streams } from '../libs/domain/streams';
import type { EventStore } from '../libs/event-store/event-store.port';
import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'admin-users-e2e-admin-key-0123456789abcdef';
const admin = { 'X-Api-Key': API_KEY };
const PASSWORD = 'correct horse battery';

/** Names no other test of this run shares: a random tag, lower case. */
const tag = () => `t${randomUUID().slice(0, 8)}`;

describe('admin users: list and search, get, create, update', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await h.stop();
  });

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  async function refused(
    send: () => Promise<{ status: number; body: Record<string, unknown> }>,
    status: number,
    code: string,
    field?: string,
  ) {
    const before = await head();
    const res = await send();
    expect({ status: res.status, code: res.body['code'] }).toEqual({ status, code });
    if (field !== undefined) expect(res.body['details']).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await head()).toBe(before);
  }
  const createUser = async (username: string, displayName: string, password = PASSWORD) =>
    (await h.http().post('/v1/admin/users').set(admin).send({ username, password, displayName }).expect(201)).body as {
      id: string;
      username: string;
      displayName: string;
      position: string;
    };
  const list = (query: string, position?: string) => {
    const request = h.http().get(`/v1/admin/users?${query}`).set(admin);
    return position === undefined ? request : request.set('X-Min-Position', position);
  };
  /** DELETE /v1/admin/users/:id; answers the position of the removal. */
  const remove = async (userId: string): Promise<string> =>
    (await h.http().delete(`/v1/admin/users/${userId}`).set(admin).expect(200)).body.position as string;

  describe('who may call', () => {
    it('refuses without a key, with a wrong key, with a user token, and with a key lacking admin:users', async () => {
      const alice = await h.user('alice', 'Alice');
      const routes: [string, string, object?][] = [
        ['get', '/v1/admin/users'],
        ['get', `/v1/admin/users/${alice.id}`],
        ['post', '/v1/admin/users', { username: `x${tag()}`, password: PASSWORD, displayName: 'X' }],
        ['patch', `/v1/admin/users/${alice.id}`, { displayName: 'Hacked' }],
        ['delete', `/v1/admin/users/${alice.id}`],
      ];
      const created = await h.http().post('/v1/admin/api-keys').set(admin).send({ name: 'presence only', scopes: ['admin:presence'] }).expect(201);
      const presenceKey = created.body.key as string;
      for (const [method, path, body] of routes) {
        const call = (headers: Record<string, string>) => () => {
          const request = (h.http() as unknown as Record<string, (p: string) => import('supertest').Test>)[method]!(path).set(headers);
          return body ? request.send(body) : request;
        };
        await refused(call({}), 401, 'AUTH.API_KEY_MISSING');
        await refused(call({ 'X-Api-Key': `${API_KEY}x` }), 401, 'AUTH.API_KEY_INVALID');
        await refused(call(alice.auth), 401, 'AUTH.API_KEY_MISSING');
        await refused(call({ 'X-Api-Key': presenceKey }), 403, 'AUTH.SCOPE_MISSING');
      }
    });
  });

  describe('POST /v1/admin/users', () => {
    it('creates a user who can sign in', async () => {
      const username = `ann${tag()}`;
      const created = await createUser(username, 'Ann Admin');
      expect(created).toEqual({ id: expect.any(String), username, displayName: 'Ann Admin', position: expect.stringMatching(/^\d+$/) });
      await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: PASSWORD }).expect(200);
      const got = await h.http().get(`/v1/admin/users/${created.id}`).set(admin).set('X-Min-Position', created.position).expect(200);
      expect(got.body).toEqual({
        id: created.id,
        username,
        displayName: 'Ann Admin',
        statusMessage: null,
        photoUrl: null,
        privacy: { status_message: 'all', photo: 'all', last_seen: 'all', read_receipts: 'all' },
        status: 'active',
        removed: false,
        registeredAt: expect.any(String),
      });
    });

    it('refuses a taken username (409) and bad fields (400 naming them), writing nothing', async () => {
      const username = `bo${tag()}`;
      await createUser(username, 'Bo');
      const post = (body: object) => () => h.http().post('/v1/admin/users').set(admin).send(body);
      await refused(post({ username: username.toUpperCase(), password: PASSWORD, displayName: 'Other' }), 409, 'USER.USERNAME_TAKEN');
      await refused(post({ username: 'a b', password: PASSWORD, displayName: 'X' }), 400, 'REQUEST.VALIDATION_FAILED', 'username');
      await refused(post({ username: `c${tag()}`, password: 'short', displayName: 'X' }), 400, 'REQUEST.VALIDATION_FAILED', 'password');
      await refused(post({ username: `c${tag()}`, password: PASSWORD, displayName: 'X', admin: true }), 400, 'REQUEST.VALIDATION_FAILED', 'admin');
    });
  });

  describe('GET /v1/admin/users (search)', () => {
    it('matches the keyword in the username or display name, case-insensitive, with totals and offset/limit', async () => {
      const t = tag();
      const zebra = await createUser(`zebra${t}`, 'Plain Name');
      const okapi = await createUser(`okapi${t}`, `Striped ZEBRA${t.toUpperCase()}`);
      const other = await createUser(`other${t}`, 'Nobody Special');
      const last = await createUser(`zz${t}`, `zebra${t} junior`);

      const all = await list(`q=ZEBRA${t.toUpperCase()}`, last.position).expect(200);
      expect(all.body).toEqual({ total: 3, offset: 0, limit: 20, users: expect.any(Array) });
      // Oldest registration first.
      expect(all.body.users.map((u: { id: string }) => u.id)).toEqual([zebra.id, okapi.id, last.id]);
      expect(all.body.users[1]).toMatchObject({ username: `okapi${t}`, displayName: `Striped ZEBRA${t.toUpperCase()}`, status: 'active' });

      const page = await list(`q=zebra${t}&offset=1&limit=1`).expect(200);
      expect(page.body).toMatchObject({ total: 3, offset: 1, limit: 1 });
      expect(page.body.users.map((u: { id: string }) => u.id)).toEqual([okapi.id]);
      const beyond = await list(`q=zebra${t}&offset=3&limit=5`).expect(200);
      expect(beyond.body).toEqual({ total: 3, offset: 3, limit: 5, users: [] });

      const byUsername = await list(`q=${encodeURIComponent(` other${t} `)}`).expect(200);
      expect(byUsername.body.users.map((u: { id: string }) => u.id)).toEqual([other.id]);
      expect((await list(`q=${t}`).expect(200)).body.total).toBe(4);
      expect((await list(`q=nomatch${t}`).expect(200)).body).toEqual({ total: 0, offset: 0, limit: 20, users: [] });
      // Regular-expression characters are plain text.
      expect((await list(`q=${encodeURIComponent('.*')}`).expect(200)).body.total).toBe(0);
    });

    it('lists everyone without a keyword; the total counts them all', async () => {
      const t = tag();
      const created = await createUser(`all${t}`, 'Everyone');
      const res = await list('limit=100', created.position).expect(200);
      expect(res.body.total).toBeGreaterThanOrEqual(1);
      expect(res.body.total).toBeGreaterThanOrEqual(res.body.users.length);
      const pages: string[] = [];
      for (let offset = 0; offset < res.body.total; offset += 7) {
        pages.push(...(await list(`limit=7&offset=${offset}`).expect(200)).body.users.map((u: { id: string }) => u.id));
      }
      expect(pages).toHaveLength(res.body.total);
      expect(new Set(pages).size).toBe(res.body.total);
      expect(pages).toContain(created.id);
    });

    it('lists neither pending phone accounts nor removed users', async () => {
      const t = tag();
      const phone = `+1555${String(Date.now()).slice(-7)}`;
      const pending = await h.http().post('/v1/accounts').send({ phone, nickname: `Pending${t}` }).expect(201);
      const gone = await createUser(`gone${t}`, `Gone${t}`);
      const kept = await createUser(`kept${t}`, `Kept${t}`);
      const position = await remove(gone.id);
      const res = await list(`q=${t}`, position).expect(200);
      expect(res.body.users.map((u: { id: string }) => u.id)).toEqual([kept.id]);
      expect(res.body.total).toBe(1);
      const shown = await h.http().get(`/v1/admin/users/${pending.body.id}`).set(admin).expect(200);
      expect(shown.body).toMatchObject({ status: 'pending', username: null, displayName: `Pending${t}`, removed: false });
      expect(JSON.stringify(shown.body)).not.toContain(phone.slice(1));
    });

    it('refuses bad paging and keywords, naming the field', async () => {
      await refused(() => list('offset=-1'), 400, 'REQUEST.VALIDATION_FAILED', 'offset');
      await refused(() => list('offset=1.5'), 400, 'REQUEST.VALIDATION_FAILED', 'offset');
      await refused(() => list('limit=101'), 400, 'REQUEST.VALIDATION_FAILED', 'limit');
      await refused(() => list('limit=0'), 400, 'REQUEST.VALIDATION_FAILED', 'limit');
      await refused(() => list(`q=${'a'.repeat(101)}`), 400, 'REQUEST.VALIDATION_FAILED', 'q');
      await refused(() => list('q=a%0Ab'), 400, 'REQUEST.VALIDATION_FAILED', 'q');
      await refused(() => list('sort=name'), 400, 'REQUEST.VALIDATION_FAILED', 'sort');
    });
  });

  describe('GET /v1/admin/users/:id', () => {
    it('404 for an unknown user, 400 for an id that is not one', async () => {
      await refused(() => h.http().get(`/v1/admin/users/${randomUUID()}`).set(admin), 404, 'USER.NOT_FOUND');
      await refused(() => h.http().get('/v1/admin/users/alice').set(admin), 400, 'REQUEST.INVALID_ID', 'id');
    });

    it('shows a removed user as "Deleted user", everywhere users are shown; history stays whole', async () => {
      const carol = await h.user('carol', 'Carol');
      const dave = await h.user('dave', 'Dave');
      const room = await h.http().post('/v1/rooms').set(carol.auth).send({ name: 'Tea', participants: [dave.id] }).expect(201);
      await h.http().post(`/v1/rooms/${room.body.id}/comments`).set(dave.auth).send({ text: 'I was here' }).expect(201);
      await h.http().put('/v1/me/status-message').set(dave.auth).send({ message: 'dave status' }).expect(200);
      const position = await remove(dave.id);

      const got = await h.http().get(`/v1/admin/users/${dave.id}`).set(admin).set('X-Min-Position', position).expect(200);
      expect(got.body).toMatchObject({
        id: dave.id,
        username: null,
        displayName: 'Deleted user',
        statusMessage: null,
        photoUrl: null,
        status: 'removed',
        removed: true,
      });
      const members = await h.http().get(`/v1/rooms/${room.body.id}/members`).set(carol.auth).expect(200);
      const shown = members.body.find((m: { userId: string }) => m.userId === dave.id);
      expect(shown).toMatchObject({ username: null, displayName: 'Deleted user', removed: true });
      expect(members.body.find((m: { userId: string }) => m.userId === carol.id)).toMatchObject({ displayName: 'Carol', removed: false });
      const comments = await h.http().get(`/v1/rooms/${room.body.id}/comments`).set(carol.auth).expect(200);
      const posted = comments.body.items.find((c: { kind: string; text: string }) => c.kind === 'comment');
      expect(posted).toMatchObject({ text: 'I was here', senderId: dave.id, sender: { userId: dave.id, username: null, displayName: 'Deleted user', removed: true } });
      const system = comments.body.items.filter((c: { kind: string }) => c.kind === 'system').map((c: { text: string }) => c.text);
      expect(system).toContain('Carol added Deleted user');
      expect(JSON.stringify(comments.body)).not.toContain('dave status');
    });
  });

  describe('PATCH /v1/admin/users/:id', () => {
    const patch = (id: string, body: object) => h.http().patch(`/v1/admin/users/${id}`).set(admin).send(body);

    it('sets the display name and the password; events name the API key as actor', async () => {
      const username = `eve${tag()}`;
      const eve = await createUser(username, 'Eve');
      const res = await patch(eve.id, { displayName: 'Eve Admin-Set', password: 'a brand new password' }).expect(200);
      expect(res.body).toEqual({ id: eve.id, username, displayName: 'Eve Admin-Set', position: expect.stringMatching(/^\d+$/) });
      const old = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: PASSWORD });
      expect(old.status).toBe(401);
      await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: 'a brand new password' }).expect(200);
      const got = await h.http().get(`/v1/admin/users/${eve.id}`).set(admin).set('X-Min-Position', res.body.position).expect(200);
      expect(got.body.displayName).toBe('Eve Admin-Set');
      const events = await h.app.get<EventStore>(EVENT_STORE).readStream(streams.user(eve.id));
      const changes = events.filter((e) => e.type === 'PasswordChanged' || e.type === 'ProfileUpdated');
      expect(changes.map((e) => [e.type, e.metadata.actor, (e.data as { changedBy?: string; updatedBy?: string }).changedBy ?? (e.data as { updatedBy?: string }).updatedBy])).toEqual([
        ['PasswordChanged', 'apikey:admin', 'apikey:admin'],
        ['ProfileUpdated', 'apikey:admin', 'apikey:admin'],
      ]);
      // The same values again: nothing written, the same answer.
      const before = await head();
      expect((await patch(eve.id, { displayName: 'Eve Admin-Set' }).expect(200)).body).toEqual(res.body);
      expect(await head()).toBe(before);
    });

    it('refuses an empty update, bad values (neither is written), unknown and removed users', async () => {
      const frank = await createUser(`frank${tag()}`, 'Frank');
      await refused(() => patch(frank.id, {}), 400, 'ADMIN.USER_UPDATE_EMPTY', 'displayName');
      await refused(() => patch(frank.id, { displayName: 'Frankie', password: 'short' }), 400, 'PROFILE.PASSWORD_TOO_SHORT', 'password');
      await refused(() => patch(frank.id, { displayName: ' ', password: 'long enough now' }), 400, 'PROFILE.DISPLAY_NAME_EMPTY', 'displayName');
      await refused(() => patch(frank.id, { displayName: 5 }), 400, 'REQUEST.VALIDATION_FAILED', 'displayName');
      await refused(() => patch(frank.id, { username: 'renamed' }), 400, 'REQUEST.VALIDATION_FAILED', 'username');
      await refused(() => patch(randomUUID(), { displayName: 'Ghost' }), 404, 'USER.NOT_FOUND');
      await remove(frank.id);
      await refused(() => patch(frank.id, { displayName: 'Back' }), 404, 'USER.REMOVED');
    });

    it('refuses any change to a pending phone account, writing nothing', async () => {
      const phone = `+1556${String(Date.now()).slice(-7)}`;
      const pending = await h.http().post('/v1/accounts').send({ phone, nickname: 'Pat' }).expect(201);
      await refused(() => patch(pending.body.id, { displayName: 'Patricia' }), 403, 'USER.PENDING');
      await refused(() => patch(pending.body.id, { password: 'a long password' }), 403, 'USER.PENDING');
    });
  });

  describe('DELETE /v1/admin/users/:id', () => {
    it('removes the account: sign-in and tokens stop working, personal data reads as erased, a second delete is a 404', async () => {
      const username = `gina${tag()}`;
      const gina = await createUser(username, 'Gina');
      const token = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: PASSWORD }).expect(200);
      const auth = { Authorization: `Bearer ${token.body.access_token as string}` };
      await h.http().put('/v1/me/status-message').set(auth).send({ message: 'gina status' }).expect(200);

      const res = await h.http().delete(`/v1/admin/users/${gina.id}`).set(admin).expect(200);
      expect(res.body).toEqual({ id: gina.id, removed: true, position: expect.stringMatching(/^\d+$/) });
      const me = await h.http().get('/v1/me').set(auth);
      expect({ status: me.status, code: me.body.code }).toEqual({ status: 401, code: 'AUTH.ACCOUNT_REMOVED' });
      const signIn = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: PASSWORD });
      expect(signIn.status).toBe(401);

      const events = await h.app.get<EventStore>(EVENT_STORE).readStream(streams.user(gina.id));
      const removal = events[events.length - 1]!;
      expect(removal).toMatchObject({ type: 'UserRemoved', data: { reason: 'admin', removedBy: 'apikey:admin' }, metadata: { actor: 'apikey:admin' } });
      expect(JSON.stringify(events.map((e) => e.data))).not.toContain('gina status');
      const got = await h.http().get(`/v1/admin/users/${gina.id}`).set(admin).set('X-Min-Position', res.body.position).expect(200);
      expect(got.body).toMatchObject({ displayName: 'Deleted user', removed: true, status: 'removed' });

      await refused(() => h.http().delete(`/v1/admin/users/${gina.id}`).set(admin), 404, 'USER.REMOVED');
      await refused(() => h.http().delete(`/v1/admin/users/${randomUUID()}`).set(admin), 404, 'USER.NOT_FOUND');
      await refused(() => h.http().delete('/v1/admin/users/gina').set(admin), 400, 'REQUEST.INVALID_ID', 'id');
    });
  });
});

describe('admin users read model is disposable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-admin-users-rebuild-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers exactly as before after the read models are dropped and rebuilt', async () => {
    let h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY }, dataDir);
    const users: TestUser[] = [];
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta']) users.push(await h.user(name.toLowerCase(), name));
    await h.http().patch(`/v1/admin/users/${users[1]!.id}`).set(admin).send({ displayName: 'Beta Two' }).expect(200);
    await h.http().put('/v1/me/privacy').set(users[2]!.auth).send({ photo: 'none' }).expect(200);
    await h.http().post('/v1/accounts').send({ phone: '+15557654321', nickname: 'Pending' }).expect(201);
    await h.http().delete(`/v1/admin/users/${users[3]!.id}`).set(admin).expect(200);

    const snapshot = async (parley: ParleyHarness) => {
      await parley.settled();
      const answers: Record<string, unknown> = {};
      for (const query of ['', 'q=beta', 'q=A&offset=1&limit=2', 'q=pending']) {
        answers[query] = (await parley.http().get(`/v1/admin/users?${query}`).set(admin).expect(200)).body;
      }
      for (const user of users) answers[user.id] = (await parley.http().get(`/v1/admin/users/${user.id}`).set(admin).expect(200)).body;
      return answers;
    };
    const before = await snapshot(h);
    await h.stop();
    for (const file of ['read.db', 'read.db-wal', 'read.db-shm']) rmSync(join(dataDir, file), { force: true });
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY }, dataDir);
    const after = await snapshot(h);
    await h.stop();
    expect(after).toEqual(before);
    expect(JSON.stringify(before)).toContain('Beta Two');
    expect(JSON.stringify(before)).toContain('Deleted user');
    expect((before['q=pending'] as { total: number }).total).toBe(0);
  });
});

import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'test-admin-key-presence-0123456789abcdef';
const PHONE = { name: 'Pixel 8', platform: 'android', version: '14' };

describe('presence', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let room: string;

  const admin = { 'X-Api-Key': API_KEY };
  const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string | null;
  const put = (user: TestUser, body: Record<string, unknown>) => parley.http().put('/v1/me/presence').set(user.auth).send(body);
  const mine = (user: TestUser, position?: string) => {
    const req = parley.http().get('/v1/me/presence').set(user.auth);
    return position ? req.set('X-Min-Position', position) : req;
  };
  /** The member list entry of `owner` as `viewer` sees it. */
  const asMember = async (viewer: TestUser, owner: TestUser, roomId = room) => {
    await parley.settled();
    const res = await parley.http().get(`/v1/rooms/${roomId}/members`).set(viewer.auth).expect(200);
    return (res.body as { userId: string; presence: Record<string, unknown> }[]).find((m) => m.userId === owner.id)!;
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Lobby', participants: [bob.id] }).expect(201)).body.id;
  });
  afterAll(async () => {
    await parley.stop();
  });

  describe('PUT and GET /v1/me/presence', () => {
    it('starts offline and never seen', async () => {
      await parley.settled();
      const res = await mine(alice).expect(200);
      expect(res.body).toEqual({ userId: alice.id, status: 'offline', message: null, device: null, lastSeenAt: null, changedAt: null });
    });

    it('sets status, message and device, answers the position, and reads back', async () => {
      const res = await put(alice, { status: 'busy', message: 'In a meeting', device: PHONE });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ userId: alice.id, status: 'busy', message: 'In a meeting', device: PHONE, written: 1 });
      expect(res.body.position).toMatch(/^\d+$/);
      expect(res.body.lastSeenAt).toBe(res.body.changedAt);
      const got = await mine(alice, res.body.position).expect(200);
      expect(got.body).toEqual({
        userId: alice.id,
        status: 'busy',
        message: 'In a meeting',
        device: PHONE,
        lastSeenAt: res.body.changedAt,
        changedAt: res.body.changedAt,
      });
    });

    it('replaces the whole presence: leaving out message and device clears them', async () => {
      const res = await put(alice, { status: 'away' }).expect(200);
      expect(res.body).toMatchObject({ status: 'away', message: null, device: null, written: 1 });
    });

    it('writes an identical update while online: a heartbeat that moves last seen', async () => {
      const first = await put(alice, { status: 'online', message: 'hi' }).expect(200);
      await pause();
      const again = await put(alice, { status: 'online', message: 'hi' }).expect(200);
      expect(again.body.written).toBe(1);
      expect(BigInt(again.body.position)).toBeGreaterThan(BigInt(first.body.position));
      expect(again.body.lastSeenAt > first.body.lastSeenAt).toBe(true);
    });

    it('writes nothing for an identical update while offline, and last seen stays at the moment they left', async () => {
      const left = await put(alice, { status: 'offline' }).expect(200);
      expect(left.body.written).toBe(1);
      const before = await head();
      await pause();
      const again = await put(alice, { status: 'offline' }).expect(200);
      expect(again.body).toMatchObject({ written: 0, position: null, status: 'offline', lastSeenAt: left.body.changedAt });
      expect(await head()).toBe(before);
    });

    it('shows others a fresh presence while online, and offline with last seen while invisible', async () => {
      const online = await put(alice, { status: 'online', message: 'Around', device: PHONE }).expect(200);
      expect((await asMember(bob, alice)).presence).toEqual({
        status: 'online',
        message: 'Around',
        device: PHONE,
        lastSeenAt: online.body.lastSeenAt,
      });
      const hidden = await put(alice, { status: 'invisible', message: 'secret', device: PHONE }).expect(200);
      await pause();
      await put(alice, { status: 'invisible', message: 'still secret', device: PHONE }).expect(200);
      expect((await asMember(bob, alice)).presence).toEqual({ status: 'offline', message: null, device: null, lastSeenAt: hidden.body.changedAt });
      // The owner sees what they set.
      expect((await asMember(alice, alice)).presence).toMatchObject({ status: 'invisible', message: 'still secret' });
      expect((await mine(alice).expect(200)).body).toMatchObject({ status: 'invisible', lastSeenAt: hidden.body.changedAt });
    });

    it('shows offline with last seen while offline', async () => {
      const off = await put(bob, { status: 'online' }).expect(200);
      const left = await put(bob, { status: 'offline', message: 'gone fishing' }).expect(200);
      expect(left.body.lastSeenAt).toBe(left.body.changedAt);
      expect(left.body.lastSeenAt >= off.body.lastSeenAt).toBe(true);
      expect((await asMember(alice, bob)).presence).toEqual({ status: 'offline', message: null, device: null, lastSeenAt: left.body.changedAt });
    });

    it('writes concurrent updates of one user one after another, the last one winning', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => put(bob, { status: (['online', 'away', 'busy'] as const)[i % 3], message: `m${i}` })),
      );
      expect(results.map((r) => r.status)).toEqual(new Array(12).fill(200));
      const positions = results.map((r) => BigInt(r.body.position as string));
      expect(new Set(positions).size).toBe(12);
      const last = results[positions.indexOf(positions.reduce((a, b) => (a > b ? a : b)))]!;
      expect((await mine(bob, last.body.position).expect(200)).body).toMatchObject({
        status: last.body.status,
        message: last.body.message,
      });
    });

    it('refuses bad bodies with 400 naming the field, and writes nothing', async () => {
      const before = await head();
      const cases: [Record<string, unknown>, string][] = [
        [{}, 'status'],
        [{ status: 'sleeping' }, 'status'],
        [{ status: 42 }, 'status'],
        [{ status: 'online', message: 'x'.repeat(501) }, 'message'],
        [{ status: 'online', message: 7 }, 'message'],
        [{ status: 'online', device: { name: 'Pixel', platform: 'android' } }, 'device.version'],
        [{ status: 'online', device: { name: '', platform: 'android', version: '1' } }, 'device.name'],
        [{ status: 'online', device: 'phone' }, 'device'],
        [{ status: 'online', mood: 'happy' }, 'mood'],
      ];
      for (const [body, field] of cases) {
        const res = await put(alice, body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await head()).toBe(before);
    });

    it('needs a token', async () => {
      const res = await parley.http().put('/v1/me/presence').send({ status: 'online' });
      expect(res.status).toBe(401);
      expect((await parley.http().get('/v1/me/presence')).status).toBe(401);
    });
  });

  describe("contacts' presence, status messages and photos", () => {
    let dave: TestUser;
    let erin: TestUser;
    let frank: TestUser;
    const get = (viewer: TestUser, path: string) => parley.http().get(`/v1/contacts${path}`).set(viewer.auth);
    const addContact = (owner: TestUser, contactId: string) =>
      parley.http().post('/v1/contacts').set(owner.auth).send({ contactId, firstName: 'First', lastName: 'Last' }).expect(201);

    beforeAll(async () => {
      dave = await parley.user('dave');
      erin = await parley.user('erin');
      frank = await parley.user('frank');
      await addContact(dave, erin.id);
      await addContact(dave, frank.username);
      await addContact(dave, 'nobody_registered_here');
      for (const message of ['First steps', 'Second thoughts', 'Third time lucky']) {
        await parley.http().put('/v1/me/status-message').set(erin.auth).send({ message }).expect(200);
      }
      for (const url of ['https://example.org/erin-1.png', 'https://example.org/erin-2.png']) {
        await parley.http().put('/v1/me/photo').set(erin.auth).send({ url }).expect(200);
      }
      await put(erin, { status: 'away', message: 'Lunch', device: PHONE }).expect(200);
      await put(frank, { status: 'online' }).expect(200);
      await put(frank, { status: 'offline' }).expect(200);
      await parley.settled();
    });

    it('GET /v1/contacts/:contactId/presence: by user id, and by username as typed', async () => {
      const erinSeen = await get(dave, `/${erin.id}/presence`).expect(200);
      expect(erinSeen.body).toEqual({
        contactId: erin.id,
        userId: erin.id,
        status: 'away',
        message: 'Lunch',
        device: PHONE,
        lastSeenAt: expect.any(String),
      });
      const frankSeen = await get(dave, `/${frank.username}/presence`).expect(200);
      expect(frankSeen.body).toMatchObject({ contactId: frank.username.toLowerCase(), userId: frank.id, status: 'offline', message: null });
      expect(frankSeen.body.lastSeenAt).toEqual(expect.any(String));
    });

    it('GET /v1/contacts/presence: every contact with an account at once', async () => {
      const res = await get(dave, '/presence').expect(200);
      const byUser = new Map((res.body.items as { userId: string }[]).map((item) => [item.userId, item]));
      expect(res.body.items).toHaveLength(2);
      expect(byUser.get(erin.id)).toMatchObject({ contactId: erin.id, status: 'away', message: 'Lunch', device: PHONE });
      expect(byUser.get(frank.id)).toMatchObject({ status: 'offline', message: null, device: null });
      expect((await get(erin, '/presence').expect(200)).body).toEqual({ items: [] });
    });

    it('GET /v1/contacts/:contactId/status-message and /v1/contacts/statuses', async () => {
      expect((await get(dave, `/${erin.id}/status-message`).expect(200)).body).toEqual({
        contactId: erin.id,
        userId: erin.id,
        message: 'Third time lucky',
      });
      const all = await get(dave, '/statuses').expect(200);
      expect(all.body.items).toEqual(
        expect.arrayContaining([
          { contactId: erin.id, userId: erin.id, message: 'Third time lucky' },
          { contactId: frank.username.toLowerCase(), userId: frank.id, message: null },
        ]),
      );
      expect(all.body.items).toHaveLength(2);
    });

    it('GET /v1/contacts/:contactId/status-message/history: newest first, cursor-paged', async () => {
      const first = await get(dave, `/${erin.id}/status-message/history?limit=2`).expect(200);
      expect(first.body.items.map((i: { message: string }) => i.message)).toEqual(['Third time lucky', 'Second thoughts']);
      expect(first.body.items[0].changedAt).toEqual(expect.any(String));
      const second = await get(dave, `/${erin.id}/status-message/history?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body).toEqual({ items: [{ message: 'First steps', changedAt: expect.any(String) }], nextCursor: null });
    });

    it('GET /v1/contacts/:contactId/photo and its history', async () => {
      expect((await get(dave, `/${erin.id}/photo`).expect(200)).body).toEqual({
        contactId: erin.id,
        userId: erin.id,
        url: 'https://example.org/erin-2.png',
      });
      const history = await get(dave, `/${erin.id}/photo/history`).expect(200);
      expect(history.body).toEqual({
        items: [
          { url: 'https://example.org/erin-2.png', changedAt: expect.any(String) },
          { url: 'https://example.org/erin-1.png', changedAt: expect.any(String) },
        ],
        nextCursor: null,
      });
    });

    it('answers 404 for someone not in the caller’s contacts, and for an entry without an account', async () => {
      const paths = ['presence', 'status-message', 'status-message/history', 'photo', 'photo/history'];
      for (const path of paths) {
        const stranger = await get(erin, `/${dave.id}/${path}`);
        expect(stranger.status).toBe(404);
        expect(stranger.body.code).toBe('CONTACT.NOT_FOUND');
        const unregistered = await get(dave, `/nobody_registered_here/${path}`);
        expect(unregistered.status).toBe(404);
        expect(unregistered.body.code).toBe('CONTACT.NOT_REGISTERED');
      }
    });

    it('refuses bad paths and queries with 400 naming the field, and needs a token', async () => {
      const blank = await get(dave, '/%20%20/presence');
      expect(blank.status).toBe(400);
      expect(blank.body.details[0].field).toBe('contactId');
      for (const query of ['limit=0', 'limit=101', 'limit=ten', 'sort=asc']) {
        const res = await get(dave, `/${erin.id}/photo/history?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.details[0].field).toBe(query.split('=')[0]);
      }
      const cursor = await get(dave, `/${erin.id}/status-message/history?cursor=garbage`);
      expect(cursor.status).toBe(400);
      expect(cursor.body.code).toBe('REQUEST.CURSOR_INVALID');
      for (const path of ['/presence', '/statuses', `/${erin.id}/presence`, `/${erin.id}/photo`]) {
        expect((await parley.http().get(`/v1/contacts${path}`)).status).toBe(401);
      }
    });
  });

  it('documents every presence and contact-presence route in OpenAPI', async () => {
    const doc = await parley.http().get('/docs-json').expect(200);
    const paths = Object.keys(doc.body.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/me/presence',
        '/v1/contacts/presence',
        '/v1/contacts/statuses',
        '/v1/contacts/{contactId}/presence',
        '/v1/contacts/{contactId}/status-message',
        '/v1/contacts/{contactId}/status-message/history',
        '/v1/contacts/{contactId}/photo',
        '/v1/contacts/{contactId}/photo/history',
        '/v1/admin/presence',
        '/v1/admin/users/{id}/presence',
      ]),
    );
    expect(doc.body.paths['/v1/me/presence'].put.requestBody).toBeDefined();
  });

  describe('administration', () => {
    it('sets a user’s presence as the API key, keeping the device their client set', async () => {
      const carol = await parley.user('carol');
      await put(carol, { status: 'online', message: 'here', device: PHONE }).expect(200);
      const res = await parley.http().put(`/v1/admin/users/${carol.id}/presence`).set(admin).send({ status: 'busy', message: 'Set by support' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ userId: carol.id, status: 'busy', message: 'Set by support', device: PHONE, written: 1 });
      expect((await mine(carol, res.body.position).expect(200)).body).toMatchObject({ status: 'busy', message: 'Set by support' });
      const list = await parley.http().get('/v1/admin/presence?limit=100&status=busy').set(admin).set('X-Min-Position', res.body.position);
      expect(list.status).toBe(200);
      expect(list.body.items.find((p: { userId: string }) => p.userId === carol.id)).toEqual({
        userId: carol.id,
        status: 'busy',
        message: 'Set by support',
        device: PHONE,
        lastSeenAt: res.body.changedAt,
        changedAt: res.body.changedAt,
        changedBy: 'apikey:admin',
        removed: false,
      });
    });

    it('lists every user’s presence unfiltered (invisible as set), paged by cursor, filtered by status', async () => {
      await put(alice, { status: 'invisible', message: 'shh' }).expect(200);
      await parley.settled();
      const seen: { userId: string; status: string; message: string | null }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { body: { items: typeof seen; nextCursor: string | null } } = await parley
          .http()
          .get(`/v1/admin/presence?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set(admin)
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 50);
      const ids = seen.map((p) => p.userId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toEqual(expect.arrayContaining([alice.id, bob.id]));
      expect(seen.find((p) => p.userId === alice.id)).toMatchObject({ status: 'invisible', message: 'shh' });
      const invisible = await parley.http().get('/v1/admin/presence?status=invisible').set(admin).expect(200);
      expect(invisible.body.items.map((p: { userId: string }) => p.userId)).toEqual([alice.id]);
    });

    it('shows nothing of a removed account, and refuses to set its presence', async () => {
      const gina = await parley.user('gina');
      await parley.http().post(`/v1/rooms/${room}/members`).set(alice.auth).send({ userIds: [gina.id] }).expect(200);
      await put(gina, { status: 'online', message: 'Bye soon', device: PHONE }).expect(200);
      expect((await asMember(bob, gina)).presence).toMatchObject({ status: 'online', message: 'Bye soon' });
      await parley.http().post('/v1/me/remove').set(gina.auth).send({}).expect(200);
      const gone = await asMember(bob, gina);
      expect(gone).toMatchObject({ statusMessage: null, photoUrl: null });
      expect(gone.presence).toEqual({ status: 'offline', message: null, device: null, lastSeenAt: null });
      const list = await parley.http().get('/v1/admin/presence?limit=100').set(admin).expect(200);
      expect(list.body.items.find((p: { userId: string }) => p.userId === gina.id)).toMatchObject({
        status: 'offline',
        message: null,
        device: null,
        removed: true,
      });
      const before = await head();
      const refused = await parley.http().put(`/v1/admin/users/${gina.id}/presence`).set(admin).send({ status: 'online' });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('PRESENCE.USER_REMOVED');
      expect(await head()).toBe(before);
    });

    it('needs the admin:presence scope; a key holding it sets presence as itself', async () => {
      const create = async (scopes: string[]) =>
        (await parley.http().post('/v1/admin/api-keys').set(admin).send({ name: `presence ${scopes.join(' ')}`, scopes }).expect(201)).body as {
          id: string;
          key: string;
        };
      const narrow = await create(['admin:users']);
      for (const res of [
        await parley.http().get('/v1/admin/presence').set('X-Api-Key', narrow.key),
        await parley.http().put(`/v1/admin/users/${bob.id}/presence`).set('X-Api-Key', narrow.key).send({ status: 'away' }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('AUTH.SCOPE_MISSING');
      }
      const presence = await create(['admin:presence']);
      const set = await parley.http().put(`/v1/admin/users/${bob.id}/presence`).set('X-Api-Key', presence.key).send({ status: 'away' });
      expect(set.status).toBe(200);
      await parley.settled();
      const list = await parley.http().get('/v1/admin/presence?limit=100').set('X-Api-Key', presence.key).expect(200);
      expect(list.body.items.find((p: { userId: string }) => p.userId === bob.id)).toMatchObject({
        status: 'away',
        changedBy: `apikey:${presence.id}`,
      });
    });

    it('refuses without a key, with a wrong key, for unknown users and bad input, writing nothing', async () => {
      const before = await head();
      expect((await parley.http().get('/v1/admin/presence')).status).toBe(401);
      expect((await parley.http().get('/v1/admin/presence').set({ 'X-Api-Key': 'wrong-key-wrong-key-wrong-key' })).status).toBe(401);
      // A user's token is not an API key.
      expect((await parley.http().get('/v1/admin/presence').set(alice.auth)).status).toBe(401);
      const unknown = await parley
        .http()
        .put('/v1/admin/users/00000000-0000-4000-8000-000000000000/presence')
        .set(admin)
        .send({ status: 'online' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('PRESENCE.USER_NOT_FOUND');
      const badId = await parley.http().put('/v1/admin/users/not-an-id/presence').set(admin).send({ status: 'online' });
      expect(badId.status).toBe(400);
      expect(badId.body.details[0].field).toBe('id');
      const badStatus = await parley.http().put(`/v1/admin/users/${bob.id}/presence`).set(admin).send({ status: 'asleep' });
      expect(badStatus.status).toBe(400);
      expect(badStatus.body.details.map((d: { field: string }) => d.field)).toEqual(['status']);
      const device = await parley.http().put(`/v1/admin/users/${bob.id}/presence`).set(admin).send({ status: 'online', device: PHONE });
      expect(device.status).toBe(400);
      expect(device.body.details.map((d: { field: string }) => d.field)).toEqual(['device']);
      const badFilter = await parley.http().get('/v1/admin/presence?status=asleep').set(admin);
      expect(badFilter.status).toBe(400);
      expect(badFilter.body.details[0].field).toBe('status');
      const badCursor = await parley.http().get('/v1/admin/presence?cursor=nope').set(admin);
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.code).toBe('REQUEST.CURSOR_INVALID');
      expect(await head()).toBe(before);
    });
  });
});

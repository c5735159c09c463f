import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'blocking-e2e-admin-key-0123456789abcdef';
const admin = { 'X-Api-Key': API_KEY };
let numbers = 0;
const newPhone = () => `+1559${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;

describe('blocking', () => {
  let parley: ParleyHarness;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await parley.stop();
  });

  const head = async (): Promise<string | null> => (await parley.http().get('/health').expect(200)).body.eventStore.head;
  const block = (by: TestUser, contactId: string) => parley.http().post(`/v1/contacts/${encodeURIComponent(contactId)}/block`).set(by.auth);
  const unblock = (by: TestUser, contactId: string) => parley.http().post(`/v1/contacts/${encodeURIComponent(contactId)}/unblock`).set(by.auth);
  const blockedIds = async (user: TestUser): Promise<string[]> =>
    ((await parley.http().get('/v1/blocked').set(user.auth).expect(200)).body.items as { userId: string }[]).map((b) => b.userId);
  const direct = (from: TestUser, to: TestUser) => parley.http().post('/v1/rooms/direct').set(from.auth).send({ userId: to.id });
  const post = (by: TestUser, roomId: string, text = 'hello') => parley.http().post(`/v1/rooms/${roomId}/comments`).set(by.auth).send({ text });
  const group = async (owner: TestUser, participants: TestUser[] = []) =>
    (await parley.http().post('/v1/rooms').set(owner.auth).send({ name: 'Group', participants: participants.map((p) => p.id) }).expect(201)).body
      .id as string;
  /** Expects the refusal and that the log did not move. */
  const refused = async (request: () => PromiseLike<{ status: number; body: { code: string } }>, code: string) => {
    const before = await head();
    const res = await request();
    expect([res.status, res.body.code]).toEqual([403, code]);
    expect(await head()).toBe(before);
    return res;
  };

  describe('the block list', () => {
    it('blocks by username, user id or phone number; once; lists; unblocks', async () => {
      const me = await parley.user('me');
      const bob = await parley.user('bob', 'Bob');
      const carol = await parley.user('carol');
      const phone = newPhone();
      const phoneUser = (await parley.http().post('/v1/accounts').send({ phone, nickname: 'Pat' }).expect(201)).body.id as string;
      const code = (await parley.http().get('/v1/admin/verification-codes').query({ phone }).set(admin).expect(200)).body.items.at(-1).code;
      await parley.http().post('/v1/accounts/verify').send({ phone, code }).expect(200);

      const first = await block(me, bob.username.toUpperCase());
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ userId: bob.id, blocked: true, written: 1, position: expect.any(String) });
      const before = await head();
      expect((await block(me, bob.id)).body).toMatchObject({ userId: bob.id, written: 0, position: null });
      expect(await head()).toBe(before);
      await block(me, carol.id).expect(200);
      expect((await block(me, phone)).body).toMatchObject({ userId: phoneUser, written: 1 });

      const list = await parley.http().get('/v1/blocked').set(me.auth).expect(200);
      expect(list.body.items).toEqual([
        { userId: bob.id, username: bob.username, displayName: 'Bob', blockedAt: expect.any(String) },
        { userId: carol.id, username: carol.username, displayName: expect.any(String), blockedAt: expect.any(String) },
        { userId: phoneUser, username: null, displayName: 'Pat', blockedAt: expect.any(String) },
      ]);

      const off = await unblock(me, bob.username);
      expect(off.body).toEqual({ userId: bob.id, blocked: false, written: 1, position: expect.any(String) });
      expect((await unblock(me, bob.username)).body).toMatchObject({ written: 0 });
      expect(await blockedIds(me)).toEqual([carol.id, phoneUser]);
    });

    it('refuses blocking oneself (400), an unknown account (404) and a malformed id (400), writing nothing', async () => {
      const me = await parley.user('me');
      const before = await head();
      const self = await block(me, me.username);
      expect([self.status, self.body.code]).toEqual([400, 'BLOCK.SELF']);
      const unknown = await block(me, 'nobody-at-all');
      expect([unknown.status, unknown.body.code]).toEqual([404, 'BLOCK.USER_NOT_FOUND']);
      const unknownId = await block(me, '00000000-0000-4000-8000-000000000000');
      expect([unknownId.status, unknownId.body.code]).toEqual([404, 'BLOCK.USER_NOT_FOUND']);
      const pendingPhone = newPhone();
      await parley.http().post('/v1/accounts').send({ phone: pendingPhone, nickname: 'Not yet' }).expect(201);
      const afterAccount = await head();
      const pending = await block(me, pendingPhone);
      expect([pending.status, pending.body.code]).toEqual([404, 'BLOCK.USER_NOT_FOUND']);
      const malformed = await block(me, 'no spaces!');
      expect([malformed.status, malformed.body.code, malformed.body.details[0].field]).toEqual([400, 'CONTACT.INVALID_ID', 'contactId']);
      const unblockUnknown = await unblock(me, 'nobody-at-all');
      expect([unblockUnknown.status, unblockUnknown.body.code]).toEqual([404, 'BLOCK.USER_NOT_FOUND']);
      expect(before).not.toBe(afterAccount);
      expect(await head()).toBe(afterAccount);
    });

    it('replaces the whole list (PUT /v1/blocked), merging repeats; the same set again writes nothing', async () => {
      const me = await parley.user('me');
      const [bob, carol, dave] = [await parley.user('bob'), await parley.user('carol'), await parley.user('dave')];
      await block(me, bob.id).expect(200);
      const replaced = await parley.http().put('/v1/blocked').set(me.auth).send({ users: [carol.id, dave.username, carol.username] });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ count: 2, written: 1 });
      expect(await blockedIds(me)).toEqual([carol.id, dave.id]);

      const before = await head();
      expect((await parley.http().put('/v1/blocked').set(me.auth).send({ users: [dave.id, carol.id] })).body).toMatchObject({ written: 0 });
      const unknown = await parley.http().put('/v1/blocked').set(me.auth).send({ users: [bob.id, 'nobody-at-all'] });
      expect([unknown.status, unknown.body.code, unknown.body.details]).toEqual([
        400,
        'BLOCK.UNKNOWN_USERS',
        [{ field: 'users[1]', reason: 'no account answers to nobody-at-all' }],
      ]);
      const self = await parley.http().put('/v1/blocked').set(me.auth).send({ users: [me.id, bob.id] });
      expect([self.status, self.body.code, self.body.details]).toEqual([400, 'BLOCK.SELF', [{ field: 'users[0]', reason: 'is your own account' }]]);
      const malformed = await parley.http().put('/v1/blocked').set(me.auth).send({ users: [bob.id, 42] });
      expect([malformed.status, malformed.body.details[0].field]).toEqual([400, 'users']);
      expect(await head()).toBe(before);

      expect((await parley.http().put('/v1/blocked').set(me.auth).send({ users: [] })).body).toMatchObject({ count: 0, written: 1 });
      expect(await blockedIds(me)).toEqual([]);
    });
  });

  describe('on the messaging paths', () => {
    let alice: TestUser;
    let bob: TestUser;
    let directId: string;

    beforeAll(async () => {
      alice = await parley.user('alice');
      bob = await parley.user('bob');
      directId = (await direct(alice, bob).expect(201)).body.id as string;
    });
    afterEach(async () => {
      await unblock(alice, bob.id).expect(200);
      await unblock(bob, alice.id).expect(200);
    });

    it('a blocked user cannot open a direct room with the blocker, nor the blocker with them; unblocking restores it', async () => {
      const carol = await parley.user('carol');
      await block(alice, carol.id).expect(200);
      const blocked = await refused(() => direct(carol, alice), 'CONTACT.BLOCKED_DIRECT_ROOM');
      expect(blocked.body).toMatchObject({ statusCode: 403, message: expect.stringContaining('blocked you') });
      await refused(() => direct(alice, carol), 'CONTACT.YOU_BLOCKED');
      // Also an existing direct room is not handed out again.
      await block(alice, bob.id).expect(200);
      await refused(() => direct(bob, alice), 'CONTACT.BLOCKED_DIRECT_ROOM');
      await unblock(alice, carol.id).expect(200);
      expect((await direct(carol, alice)).status).toBe(201);
    });

    it('a blocked user cannot post in the blocker’s direct room, in either direction of the block', async () => {
      await post(bob, directId, 'before').expect(201);
      await block(alice, bob.id).expect(200);
      await refused(() => post(bob, directId), 'CONTACT.BLOCKED_POST');
      await refused(() => post(alice, directId), 'CONTACT.YOU_BLOCKED');
      await unblock(alice, bob.id).expect(200);
      await post(bob, directId, 'after unblock').expect(201);

      await block(bob, alice.id).expect(200);
      await refused(() => post(alice, directId), 'CONTACT.BLOCKED_POST');
      await refused(() => post(bob, directId), 'CONTACT.YOU_BLOCKED');
      await unblock(bob, alice.id).expect(200);
      await post(alice, directId, 'again').expect(201);
    });

    it('a retried post with a client id is refused too while blocked', async () => {
      await block(alice, bob.id).expect(200);
      const keyed = () => parley.http().post(`/v1/rooms/${directId}/comments`).set(bob.auth).send({ text: 'x', clientId: 'blocked-retry-1' });
      await refused(keyed, 'CONTACT.BLOCKED_POST');
      await refused(keyed, 'CONTACT.BLOCKED_POST');
    });

    it('group rooms stay open to both: blocking closes only direct messaging', async () => {
      const roomId = await group(alice, [bob]);
      await block(alice, bob.id).expect(200);
      await post(bob, roomId, 'still in the group').expect(201);
      await post(alice, roomId, 'me too').expect(201);
    });

    it('a blocked user cannot add the blocker to a room (adding or creating); the blocker may add them; unblocking restores it', async () => {
      const carol = await parley.user('carol');
      const bobsRoom = await group(bob, [carol]);
      await block(alice, bob.id).expect(200);

      const add = await refused(
        () => parley.http().post(`/v1/rooms/${bobsRoom}/members`).set(bob.auth).send({ userIds: [carol.id, alice.id] }),
        'CONTACT.BLOCKED_ADD_MEMBER',
      );
      expect(add.body).toMatchObject({ details: [{ field: 'userIds', reason: `${alice.id} has blocked you` }] });
      const created = await refused(
        () => parley.http().post('/v1/rooms').set(bob.auth).send({ name: 'Sneaky', participants: [carol.id, alice.id] }),
        'CONTACT.BLOCKED_ADD_MEMBER',
      );
      expect(created.body).toMatchObject({ details: [{ field: 'participants', reason: `${alice.id} has blocked you` }] });
      // A non-member learns nothing about blocks: the room answers 404 first.
      const outsider = await parley.user('outsider');
      const notMember = await parley.http().post(`/v1/rooms/${bobsRoom}/members`).set(outsider.auth).send({ userIds: [alice.id] });
      expect(notMember.status).toBe(404);

      // The blocker's own choice: Alice may still put Bob in her room.
      const alicesRoom = await group(alice);
      await parley.http().post(`/v1/rooms/${alicesRoom}/members`).set(alice.auth).send({ userIds: [bob.id] }).expect(200);

      await unblock(alice, bob.id).expect(200);
      const allowed = await parley.http().post(`/v1/rooms/${bobsRoom}/members`).set(bob.auth).send({ userIds: [alice.id] });
      expect(allowed.status).toBe(200);
      expect(allowed.body.written).toBe(1);
    });

    it('a block takes effect on the very next request (the block list is read from the log)', async () => {
      for (let i = 0; i < 3; i++) {
        await block(bob, alice.id).expect(200);
        expect((await post(alice, directId)).status).toBe(403);
        await unblock(bob, alice.id).expect(200);
        expect((await post(alice, directId)).status).toBe(201);
      }
    });
  });
});

import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'org-e2e-admin-key-0123456789abcdef0123';
const admin = { 'X-Api-Key': API_KEY };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('organisation: groups, peers, members, policies, directory (issue #16)', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await h.stop();
  });

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  /** The request is refused with this status and code, names the field, and writes nothing. */
  async function refused(send: () => PromiseLike<{ status: number; body: Record<string, unknown> }>, status: number, code: string, field?: string) {
    const before = await head();
    const res = await send();
    expect({ status: res.status, code: res.body['code'] }).toEqual({ status, code });
    if (field !== undefined) expect(res.body['details']).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await head()).toBe(before);
  }
  const group = async (displayName: string, extra: Record<string, unknown> = {}) =>
    (await h.http().post('/v1/admin/groups').set(admin).send({ displayName, ...extra }).expect(201)).body as {
      group: { id: number; peers: number[] };
      position: string;
    };
  const assign = async (groupId: number, user: TestUser) =>
    (await h.http().put(`/v1/admin/groups/${groupId}/members/${user.id}`).set(admin).expect(200)).body as { written: number; position: string };

  it('refuses without a key and with a key lacking admin:org', async () => {
    await h.http().get('/v1/admin/groups').expect(401);
    const key = await h.http().post('/v1/admin/api-keys').set(admin).send({ name: 'users only', scopes: ['admin:users'] }).expect(201);
    const res = await h.http().get('/v1/admin/groups').set({ 'X-Api-Key': key.body.key as string }).expect(403);
    expect(res.body.code).toBe('AUTH.SCOPE_MISSING');
  });

  it('creates, reads, changes and deletes groups; refuses a group made its own ancestor', async () => {
    const parent = await group('Parent', { name: `parent-${Date.now()}` });
    const child = await group('Child', { parentId: parent.group.id, priority: 3 });
    expect(child.group).toMatchObject({ displayName: 'Child', parentId: parent.group.id, priority: 3, policyId: null, ldap: false, peers: [] });
    const got = await h.http().get(`/v1/admin/groups/${child.group.id}`).set(admin).set('X-Min-Position', child.position).expect(200);
    expect(got.body).toEqual(child.group);
    await refused(() => h.http().patch(`/v1/admin/groups/${parent.group.id}`).set(admin).send({ parentId: child.group.id }), 400, 'ORG.GROUP_CYCLE', 'parent');
    await refused(() => h.http().post('/v1/admin/groups').set(admin).send({ displayName: 'X', parentId: 99999 }), 404, 'ORG.GROUP_NOT_FOUND', 'parent');
    await refused(() => h.http().get('/v1/admin/groups/abc').set(admin), 400, 'REQUEST.INVALID_ID', 'groupId');
    await refused(() => h.http().delete(`/v1/admin/groups/${parent.group.id}`).set(admin), 409, 'ORG.GROUP_HAS_CHILDREN');
    const renamed = await h.http().patch(`/v1/admin/groups/${child.group.id}`).set(admin).send({ displayName: 'Renamed', parentId: null }).expect(200);
    expect(renamed.body.group).toMatchObject({ displayName: 'Renamed', parentId: null });
    const gone = await h.http().delete(`/v1/admin/groups/${child.group.id}`).set(admin).expect(200);
    await h.http().get(`/v1/admin/groups/${child.group.id}`).set(admin).set('X-Min-Position', gone.body.position).expect(404);
    const list = await h.http().get('/v1/admin/groups').set(admin).set('X-Min-Position', gone.body.position).expect(200);
    expect((list.body.items as { id: number }[]).map((g) => g.id)).toContain(parent.group.id);
    expect((list.body.items as { id: number }[]).map((g) => g.id)).not.toContain(child.group.id);
  });

  it('peers groups once, themselves included; the directory follows membership and peering, apart from the address book', async () => {
    const [me, ann, bob, cid] = await Promise.all([h.user('me'), h.user('ann', 'Ann'), h.user('bob', 'Bob'), h.user('cid', 'Cid')]);
    const mine = await group('Mine');
    const sales = await group('Sales');
    await assign(mine.group.id, me);
    await assign(sales.group.id, ann);
    await assign(sales.group.id, bob);
    expect((await assign(sales.group.id, bob)).written).toBe(0);
    const peered = await h.http().put(`/v1/admin/groups/${mine.group.id}/peers/${sales.group.id}`).set(admin).expect(200);
    expect(peered.body.group.peers).toEqual([sales.group.id]);
    await refused(() => h.http().put(`/v1/admin/groups/${mine.group.id}/peers/${sales.group.id}`).set(admin), 400, 'ORG.ALREADY_PEERED', 'peer');
    await h.http().put(`/v1/admin/groups/${mine.group.id}/peers/${mine.group.id}`).set(admin).expect(200);
    await refused(() => h.http().put(`/v1/admin/groups/${mine.group.id}/peers/${mine.group.id}`).set(admin), 400, 'ORG.ALREADY_PEERED', 'peer');

    const directory = async (position: string) =>
      ((await h.http().get('/v1/me/directory').set(me.auth).set('X-Min-Position', position).expect(200)).body.items as { userId: string; groups: number[] }[]);
    const dir = await directory((await assign(sales.group.id, ann)).position ?? peered.body.position);
    expect(dir.map((e) => e.userId).sort()).toEqual([ann.id, bob.id].sort());
    // Entries are slim: names and the groups they come through; status, photo and presence are the contact routes'.
    expect(dir.find((e) => e.userId === ann.id)).toEqual({ userId: ann.id, username: ann.username, displayName: 'Ann', groups: [sales.group.id] });

    // The address book is the user's own: replacing it leaves the directory as it is.
    const book = await h.http().put('/v1/contacts').set(me.auth).send({ contacts: [{ contactId: cid.username, firstName: 'Cid' }] }).expect(200);
    expect((await directory(book.body.position)).map((e) => e.userId).sort()).toEqual([ann.id, bob.id].sort());

    // A new member of a peered group appears; one who blocks the caller does not.
    const added = await assign(sales.group.id, cid);
    expect((await directory(added.position)).map((e) => e.userId)).toContain(cid.id);
    const blocked = await h.http().post(`/v1/contacts/${me.id}/block`).set(bob.auth).expect(200);
    expect((await directory(blocked.body.position)).map((e) => e.userId)).not.toContain(bob.id);

    // Unassigning and unpeering take users out again.
    const out = await h.http().delete(`/v1/admin/groups/${sales.group.id}/members/${cid.id}`).set(admin).expect(200);
    expect((await directory(out.body.position)).map((e) => e.userId)).not.toContain(cid.id);
    const unpeered = await h.http().delete(`/v1/admin/groups/${mine.group.id}/peers/${sales.group.id}`).set(admin).expect(200);
    expect(await directory(unpeered.body.position)).toEqual([]);

    const groups = await h.http().get('/v1/me/groups').set(me.auth).set('X-Min-Position', unpeered.body.position).expect(200);
    expect((groups.body.items as { id: number }[]).map((g) => g.id)).toEqual([mine.group.id]);
    await refused(() => h.http().put(`/v1/admin/groups/${mine.group.id}/members/00000000-0000-4000-8000-000000000000`).set(admin), 404, 'USER.NOT_FOUND', 'userId');
  });

  it('defines policies from base64 data or items, refuses bad data, and merges the effective policy', async () => {
    const user = await h.user('pol');
    await refused(() => h.http().post('/v1/admin/policies').set(admin).send({ name: 'bad', data: '%%% not base64' }), 400, 'POLICY.INVALID', 'data');
    await refused(() => h.http().post('/v1/admin/policies').set(admin).send({ name: 'bad', data: b64('a.b 1\nnovalue\n') }), 400, 'POLICY.INVALID', 'data');
    await refused(() => h.http().post('/v1/admin/policies').set(admin).send({ name: 'bad' }), 400, 'REQUEST.VALIDATION_FAILED', 'data');
    const base = await h.http().post('/v1/admin/policies').set(admin).send({ name: 'Base', data: b64('trillian.history.cloud 1\ntrillian.filetransfer server\n') }).expect(201);
    expect(base.body.policy).toMatchObject({ name: 'Base', items: [{ key: 'trillian.history.cloud', value: '1' }, { key: 'trillian.filetransfer', value: 'server' }] });
    expect(base.body.policy.data).toBe(b64('trillian.history.cloud 1\ntrillian.filetransfer server\n'));
    const strict = await h.http().post('/v1/admin/policies').set(admin).send({ name: 'Strict', items: { 'trillian.history.cloud': '0' } }).expect(201);
    const parent = await group('Org', { policyId: base.body.policy.id });
    const child = await group('Team', { parentId: parent.group.id, policyId: strict.body.policy.id });
    await assign(child.group.id, user);
    const policy = await h.http().get('/v1/me/policy').set(user.auth).expect(200);
    expect(policy.body).toEqual({
      items: [
        { key: 'trillian.filetransfer', value: 'server', policyId: base.body.policy.id, groupId: parent.group.id },
        { key: 'trillian.history.cloud', value: '0', policyId: strict.body.policy.id, groupId: child.group.id },
      ],
      cloudHistory: false,
      fileTransfer: true,
    });
    await refused(() => h.http().delete(`/v1/admin/policies/${strict.body.policy.id}`).set(admin), 409, 'ORG.POLICY_IN_USE');
    const changed = await h.http().patch(`/v1/admin/policies/${strict.body.policy.id}`).set(admin).send({ name: 'Lenient', items: { 'trillian.history.cloud': '1' } }).expect(200);
    expect(changed.body.policy).toMatchObject({ name: 'Lenient' });
    const list = await h.http().get('/v1/admin/policies').set(admin).set('X-Min-Position', changed.body.position).expect(200);
    expect((list.body.items as { name: string }[]).map((p) => p.name)).toEqual(expect.arrayContaining(['Base', 'Lenient']));
    expect((await h.http().get('/v1/me/policy').set(user.auth).expect(200)).body.cloudHistory).toBe(true);
  });

  it('trillian.history.cloud 0: the history is served back only from the current sign-in on', async () => {
    const [user, other] = await Promise.all([h.user('cloud'), h.user('other')]);
    const room = await h.http().post('/v1/rooms').set(user.auth).send({ name: 'History', participants: [other.id] }).expect(201);
    const before = await h.http().post(`/v1/rooms/${room.body.id}/comments`).set(other.auth).send({ text: 'before the policy' }).expect(201);
    const texts = async (auth: Record<string, string>, position: string) =>
      ((await h.http().get(`/v1/rooms/${room.body.id}/comments`).set(auth).set('X-Min-Position', position).expect(200)).body.items as { text: string | null; type: string }[])
        .filter((item) => item.type === 'text')
        .map((item) => item.text);
    expect(await texts(user.auth, before.body.position)).toEqual(['before the policy']);

    const off = await h.http().post('/v1/admin/policies').set(admin).send({ name: 'No cloud history', items: { 'trillian.history.cloud': '0' } }).expect(201);
    const team = await group('No history', { policyId: off.body.policy.id });
    await assign(team.group.id, user);
    // A new sign-in starts a new session: what came before it is no longer served.
    const again = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username: user.username, password: 'correct horse battery' }).expect(200);
    const fresh = { Authorization: `Bearer ${again.body.access_token as string}` };
    const after = await h.http().post(`/v1/rooms/${room.body.id}/comments`).set(other.auth).send({ text: 'after the sign-in' }).expect(201);
    expect(await texts(fresh, after.body.position)).toEqual(['after the sign-in']);
    // The other member's history is whole: the policy binds only its own users.
    expect(await texts(other.auth, after.body.position)).toEqual(['before the policy', 'after the sign-in']);
  });

  it('pages the directory by user id: a page reads only its own users, a cursor carries on, a bad one is refused', async () => {
    const [me, ann, bob, cid] = await Promise.all([h.user('me'), h.user('ann'), h.user('bob'), h.user('cid')]);
    const mine = await group('Paged mine');
    const theirs = await group('Paged theirs');
    await assign(mine.group.id, me);
    await Promise.all([ann, bob, cid].map((u) => assign(theirs.group.id, u)));
    const peered = await h.http().put(`/v1/admin/groups/${mine.group.id}/peers/${theirs.group.id}`).set(admin).expect(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await h.http().get(`/v1/me/directory${query}`).set(me.auth).set('X-Min-Position', peered.body.position as string).expect(200);
      expect((page.body.items as unknown[]).length).toBeLessThanOrEqual(2);
      seen.push(...(page.body.items as { userId: string }[]).map((e) => e.userId));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    expect(seen).toEqual([ann.id, bob.id, cid.id].sort());
    await refused(() => h.http().get('/v1/me/directory?limit=0').set(me.auth), 400, 'REQUEST.VALIDATION_FAILED', 'limit');
    await refused(() => h.http().get(`/v1/me/directory?cursor=${Buffer.from('\u0001').toString('base64url')}`).set(me.auth), 400, 'REQUEST.CURSOR_INVALID', 'cursor');
  });
});

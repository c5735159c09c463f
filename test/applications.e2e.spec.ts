import { generateKeyPairSync } from 'node:crypto';
import { applicationToken } from './support/application-tokens';
import { ParleyHarness } from './support/parley-app';

const API_KEY = 'pk_applications_e2e_0123456789abcdef0123456789abcdef';

describe('applications (Parley natively)', () => {
  let parley: ParleyHarness;
  const admin = { 'X-Api-Key': API_KEY };
  let appId: string;
  let privateKey: string;
  const asApp = (claims: Parameters<typeof applicationToken>[2] = {}) => ({ Authorization: `Bearer ${applicationToken(appId, privateKey, claims)}` });

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    const created = await parley.http().post('/v1/admin/applications').set(admin).send({ name: 'Support chat' }).expect(201);
    appId = created.body.id;
    privateKey = created.body.privateKey;
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('registers an application, answering a generated private key once, and lists it without it', async () => {
    expect(privateKey).toContain('BEGIN PRIVATE KEY');
    const listed = await parley.http().get('/v1/admin/applications').set(admin).expect(200);
    const mine = listed.body.items.find((a: { id: string }) => a.id === appId);
    expect(mine).toMatchObject({ name: 'Support chat', keyGenerated: true, status: 'active' });
    expect(JSON.stringify(listed.body)).not.toContain('PRIVATE KEY');
    const own = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const withKey = await parley.http().post('/v1/admin/applications').set(admin).send({ name: 'Own key', publicKey: own }).expect(201);
    expect(withKey.body).toMatchObject({ publicKey: own, privateKey: null });
  });

  it('refuses a registration without the scope, and a key that is not RSA, naming publicKey', async () => {
    await parley.http().post('/v1/admin/applications').send({ name: 'x' }).expect(401);
    const bad = await parley.http().post('/v1/admin/applications').set(admin).send({ name: 'x', publicKey: 'nope' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'APPLICATION.INVALID', details: [{ field: 'publicKey', reason: 'must be a PEM-encoded RSA public key' }] });
  });

  it('creates users without password, rooms without members, member states and event ids', async () => {
    const alice = await parley.http().post('/v1/application/users').set(asApp()).send({ name: 'alice', displayName: 'Alice' }).expect(201);
    const bob = await parley.http().post('/v1/application/users').set(asApp()).send({ name: 'bob' }).expect(201);
    const taken = await parley.http().post('/v1/application/users').set(asApp()).send({ name: 'alice' }).expect(409);
    expect(taken.body.code).toBe('USER.NAME_TAKEN');

    const room = await parley.http().post('/v1/rooms').set(asApp()).send({ name: 'Support', applicationName: 'support', participants: [] }).expect(201);
    expect(room.body).toMatchObject({ name: 'Support', memberCount: 0 });
    const again = await parley.http().post('/v1/rooms').set(asApp()).send({ name: 'Support', applicationName: 'support', participants: [] }).expect(409);
    expect(again.body.code).toBe('ROOM.NAME_TAKEN');
    const roomId = room.body.id as string;

    await parley.http().post(`/v1/rooms/${roomId}/invitations`).set(asApp()).send({ userIds: [alice.body.id] }).expect(200);
    await parley.http().post(`/v1/rooms/${roomId}/members`).set(asApp()).send({ userIds: [bob.body.id] }).expect(200);
    // Alice accepts, acting through the application's token with sub.
    await parley.http().post(`/v1/rooms/${roomId}/invitation/accept`).set(asApp({ sub: 'alice' })).expect(200);
    const posted = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(asApp({ sub: 'bob' })).send({ text: 'hello' }).expect(201);
    const left = await parley.http().post(`/v1/rooms/${roomId}/leave`).set(asApp({ sub: 'bob' })).expect(200);
    const last = BigInt(left.body.position) > BigInt(posted.body.position) ? left.body.position : posted.body.position;

    const states = await parley.http().get(`/v1/rooms/${roomId}/member-states`).set(asApp()).set('X-Min-Position', last).expect(200);
    expect(states.body.items).toEqual([
      expect.objectContaining({ userId: alice.body.id, state: 'joined', invitedBy: `application:${appId}`, invitedAt: expect.any(String), joinedAt: expect.any(String), leftAt: null }),
      expect.objectContaining({ userId: bob.body.id, state: 'left', invitedBy: null, joinedAt: expect.any(String), leftAt: expect.any(String) }),
    ]);
    expect(states.body.items[0].memberId).not.toBe(alice.body.id);

    const timeline = await parley.http().get(`/v1/rooms/${roomId}/comments?after=0&limit=50`).set(asApp()).set('X-Min-Position', last).expect(200);
    const kinds = timeline.body.items.map((i: { kind: string; systemEvent?: { kind: string }; eventId: number }) => [i.eventId, i.systemEvent?.kind ?? i.kind]);
    expect(kinds).toEqual([
      [1, 'room_created'],
      [2, 'member_invited'],
      [3, 'member_added'],
      [4, 'member_joined'],
      [5, 'comment'],
      [6, 'member_left'],
    ]);

    const rooms = await parley.http().get('/v1/application/rooms').set(asApp()).set('X-Min-Position', last).expect(200);
    expect(rooms.body.items).toEqual([expect.objectContaining({ id: roomId, applicationName: 'support', closed: false })]);
    const closed = await parley.http().delete(`/v1/rooms/${roomId}`).set(asApp()).expect(200);
    const refused = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(asApp({ sub: 'alice' })).send({ text: 'late' }).expect(409);
    expect(refused.body.code).toBe('ROOM.CLOSED');
    const after = await parley.http().get('/v1/application/rooms').set(asApp()).set('X-Min-Position', closed.body.position).expect(200);
    expect(after.body.items[0].closed).toBe(true);
  });

  it('pages the application’s users with a cursor', async () => {
    const created = await parley.http().post('/v1/application/users').set(asApp()).send({ name: 'carol' }).expect(201);
    const first = await parley.http().get('/v1/application/users?limit=2').set(asApp()).set('X-Min-Position', created.body.position).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await parley.http().get(`/v1/application/users?limit=2&cursor=${first.body.next}`).set(asApp()).expect(200);
    expect(second.body.next).toBeNull();
    expect([...first.body.items, ...second.body.items].map((u: { name: string }) => u.name)).toEqual(['alice', 'bob', 'carol']);
  });

  it('refuses replayed, expired and foreign tokens, an unknown application and paths outside the acl', async () => {
    const token = applicationToken(appId, privateKey);
    await parley.http().get('/v1/application/users').set('Authorization', `Bearer ${token}`).expect(200);
    const replay = await parley.http().get('/v1/application/users').set('Authorization', `Bearer ${token}`).expect(401);
    expect(replay.body.code).toBe('APPLICATION.TOKEN_REPLAYED');
    const old = Math.floor(Date.now() / 1000) - 1000;
    expect((await parley.http().get('/v1/application/users').set(asApp({ iat: old })).expect(401)).body.code).toBe('APPLICATION.TOKEN_EXPIRED');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const foreign = applicationToken(appId, other);
    expect((await parley.http().get('/v1/application/users').set('Authorization', `Bearer ${foreign}`).expect(401)).body.code).toBe('APPLICATION.TOKEN_INVALID');
    const unknown = applicationToken('00000000-0000-4000-8000-000000000000', privateKey);
    expect((await parley.http().get('/v1/application/users').set('Authorization', `Bearer ${unknown}`).expect(401)).body.code).toBe('APPLICATION.UNKNOWN');
    const narrow = asApp({ acl: { paths: { '/v1/rooms/**': {} } } });
    expect((await parley.http().post('/v1/application/users').set(narrow).send({ name: 'mallory' }).expect(403)).body.code).toBe('APPLICATION.ACL_DENIED');
    const users = await parley.http().get('/v1/application/users?limit=100').set(asApp()).expect(200);
    expect(users.body.items.map((u: { name: string }) => u.name)).not.toContain('mallory');
  });

  it('updates a user it created (display name, image, custom_data) and refuses bad values naming the field, writing nothing', async () => {
    const dora = await parley.http().post('/v1/application/users').set(asApp()).send({ name: 'dora', displayName: 'Dora' }).expect(201);
    const path = `/v1/application/users/${dora.body.id}`;
    const updated = await parley.http().patch(path).set(asApp())
      .send({ displayName: 'Dora D.', imageUrl: 'https://img.example/dora.png', properties: { tier: 'gold', tags: ['a'] } }).expect(200);
    expect(updated.body).toMatchObject({ id: dora.body.id, name: 'dora', displayName: 'Dora D.', imageUrl: 'https://img.example/dora.png', properties: { tier: 'gold', tags: ['a'] } });
    const got = await parley.http().get(path).set(asApp()).set('X-Min-Position', updated.body.position).expect(200);
    expect(got.body).toMatchObject({ displayName: 'Dora D.', imageUrl: 'https://img.example/dora.png', properties: { tier: 'gold', tags: ['a'] } });
    const same = await parley.http().patch(path).set(asApp()).send({ displayName: 'Dora D.' }).expect(200);
    expect(same.body.position).toBe(updated.body.position);
    const cleared = await parley.http().patch(path).set(asApp()).send({ imageUrl: null }).expect(200);
    expect(cleared.body).toMatchObject({ imageUrl: null, displayName: 'Dora D.' });

    const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;
    const before = await head();
    const tooBig = await parley.http().patch(path).set(asApp()).send({ displayName: 'Never', properties: { blob: 'x'.repeat(9000) } }).expect(400);
    expect(tooBig.body).toMatchObject({ code: 'USER.PROPERTIES_INVALID', details: [{ field: 'properties' }] });
    const badUrl = await parley.http().patch(path).set(asApp()).send({ imageUrl: 'javascript:alert(1)' }).expect(400);
    expect(badUrl.body.details).toEqual([{ field: 'imageUrl', reason: expect.any(String) }]);
    const notObject = await parley.http().patch(path).set(asApp()).send({ properties: 'gold' }).expect(400);
    expect(notObject.body.details).toEqual([expect.objectContaining({ field: 'properties' })]);
    await parley.http().patch(path).set(asApp()).send({ name: 'renamed' }).expect(400);
    expect(await head()).toBe(before);
  });

  it('removes a user it created: the user’s tokens stop working and it is gone from its lists; another application cannot touch it', async () => {
    const erin = await parley.http().post('/v1/application/users').set(asApp()).send({ name: 'erin' }).expect(201);
    await parley.http().patch(`/v1/application/users/${erin.body.id}`).set(asApp()).send({ properties: { secret: 'erin-private-note' } }).expect(200);
    await parley.http().get('/v1/rooms').set(asApp({ sub: 'erin' })).expect(200);

    const other = await parley.http().post('/v1/admin/applications').set(admin).send({ name: 'Other' }).expect(201);
    const asOther = () => ({ Authorization: `Bearer ${applicationToken(other.body.id, other.body.privateKey)}` });
    expect((await parley.http().patch(`/v1/application/users/${erin.body.id}`).set(asOther()).send({ displayName: 'Eve' }).expect(404)).body.code).toBe('USER.NOT_FOUND');
    expect((await parley.http().delete(`/v1/application/users/${erin.body.id}`).set(asOther()).expect(404)).body.code).toBe('USER.NOT_FOUND');
    // A user acting through the application's token is not the application.
    expect((await parley.http().delete(`/v1/application/users/${erin.body.id}`).set(asApp({ sub: 'erin' })).expect(403)).body.code).toBe('APPLICATION.REQUIRED');

    const removed = await parley.http().delete(`/v1/application/users/${erin.body.id}`).set(asApp()).expect(200);
    expect(removed.body).toMatchObject({ id: erin.body.id, removed: true });
    expect((await parley.http().get('/v1/rooms').set(asApp({ sub: 'erin' })).expect(401)).body.code).toBe('APPLICATION.UNKNOWN_USER');
    await parley.http().get(`/v1/application/users/${erin.body.id}`).set(asApp()).set('X-Min-Position', removed.body.position).expect(404);
    const users = await parley.http().get('/v1/application/users?limit=100').set(asApp()).expect(200);
    expect(users.body.items.map((u: { name: string }) => u.name)).not.toContain('erin');
    expect(JSON.stringify(users.body)).not.toContain('erin-private-note');
    expect((await parley.http().delete(`/v1/application/users/${erin.body.id}`).set(asApp()).expect(404)).body.code).toBe('USER.REMOVED');
    // The name stays taken, as a removed account's username does.
    await parley.http().post('/v1/application/users').set(asApp()).send({ name: 'erin' }).expect(409);
  });

  it('shows one application and removes it: its tokens are refused from then on', async () => {
    const other = await parley.http().post('/v1/admin/applications').set(admin).send({ name: 'Short-lived' }).expect(201);
    const token = () => ({ Authorization: `Bearer ${applicationToken(other.body.id, other.body.privateKey)}` });
    await parley.http().get('/v1/application/rooms').set(token()).expect(200);
    const one = await parley.http().get(`/v1/admin/applications/${other.body.id}`).set(admin).set('X-Min-Position', other.body.position).expect(200);
    expect(one.body).toMatchObject({ id: other.body.id, name: 'Short-lived', status: 'active' });
    const removed = await parley.http().delete(`/v1/admin/applications/${other.body.id}`).set(admin).expect(200);
    expect(removed.body).toMatchObject({ status: 'removed', written: 1 });
    expect((await parley.http().get('/v1/application/rooms').set(token()).expect(401)).body.code).toBe('APPLICATION.UNKNOWN');
    const after = await parley.http().get(`/v1/admin/applications/${other.body.id}`).set(admin).set('X-Min-Position', removed.body.position).expect(200);
    expect(after.body.status).toBe('removed');
  });

  it('lets exactly one of racing uses of one token id through, and takes distinct ids arriving together once each', async () => {
    const token = applicationToken(appId, privateKey);
    const racing = await Promise.all(
      Array.from({ length: 12 }, () => parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${token}`)),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, ...Array<number>(11).fill(401)]);
    expect(racing.filter((r) => r.status === 401).every((r) => r.body.code === 'APPLICATION.TOKEN_REPLAYED')).toBe(true);
    const distinct = Array.from({ length: 12 }, () => applicationToken(appId, privateKey));
    const first = await Promise.all(distinct.map((t) => parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${t}`)));
    expect(first.map((r) => r.status)).toEqual(Array<number>(12).fill(200));
    const again = await Promise.all(distinct.map((t) => parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${t}`)));
    expect(again.map((r) => r.body.code)).toEqual(Array<string>(12).fill('APPLICATION.TOKEN_REPLAYED'));
  });

  it('lets a new token take the id of one that has expired, once, while the expired one stays refused', async () => {
    const jti = `short-${Date.now()}`;
    const now = Math.floor(Date.now() / 1000);
    // Three seconds of life: `now` is floored, so `now + 1` could end within the millisecond, before the first use.
    const short = applicationToken(appId, privateKey, { jti, iat: now, exp: now + 3 });
    await parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${short}`).expect(200);
    expect((await parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${short}`).expect(401)).body.code).toBe('APPLICATION.TOKEN_REPLAYED');
    // Past the first token's exp (seconds: up to four of them).
    while (Math.floor(Date.now() / 1000) <= now + 3) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${short}`).expect(401)).body.code).toBe('APPLICATION.TOKEN_EXPIRED');
    const renewed = applicationToken(appId, privateKey, { jti });
    const racing = await Promise.all(Array.from({ length: 4 }, () => parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${renewed}`)));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
    expect((await parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${renewed}`).expect(401)).body.code).toBe('APPLICATION.TOKEN_REPLAYED');
  });

  it('remembers used token ids across a restart of the API', async () => {
    const token = applicationToken(appId, privateKey);
    await parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${token}`).expect(200);
    const dir = parley.dataDir;
    await parley.app.close();
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY }, dir);
    const replay = await parley.http().get('/v1/application/rooms').set('Authorization', `Bearer ${token}`).expect(401);
    expect(replay.body.code).toBe('APPLICATION.TOKEN_REPLAYED');
  });
});

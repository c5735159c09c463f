import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'test-admin-key-0123456789-abcdefghijklmnop';

/** A server acting for users on Parley's own API: an API key with act:users and X-Act-As. */
describe('acting for users (act:users, X-Act-As)', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  let actingKey: { id: string; key: string };
  let otherKey: { id: string; key: string };
  const admin = { 'X-Api-Key': API_KEY };
  const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Acted', participants: [bob.id] }).expect(201)).body.id;
    actingKey = (await parley.http().post('/v1/admin/api-keys').set(admin).send({ name: 'chat server', scopes: ['act:users'] }).expect(201)).body;
    otherKey = (await parley.http().post('/v1/admin/api-keys').set(admin).send({ name: 'reports', scopes: ['admin:audit'] }).expect(201)).body;
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('posts as the user; the event records the key as actor and the user as subject, visible in audit', async () => {
    const posted = await parley
      .http()
      .post(`/v1/rooms/${roomId}/comments`)
      .set({ 'X-Api-Key': actingKey.key, 'X-Act-As': bob.id })
      .send({ text: 'sent for Bob' })
      .expect(201);
    expect(posted.body.senderId).toBe(bob.id);
    const audit = await parley.http().get(`/v1/admin/audit/streams/comments-${roomId}`).set(admin).expect(200);
    const event = audit.body.events.find((e: { data: { text?: string } }) => e.data.text === 'sent for Bob');
    expect(event.metadata).toMatchObject({ actor: `apikey:${actingKey.id}`, subject: bob.id });
  });

  it('reads as the user: the rooms Bob is in', async () => {
    const rooms = await parley.http().get('/v1/rooms').set({ 'X-Api-Key': actingKey.key, 'X-Act-As': bob.id });
    expect(rooms.status).toBe(200);
  });

  it('a key without act:users: 403 AUTH.SCOPE_MISSING, nothing written', async () => {
    const before = await head();
    const res = await parley
      .http()
      .post(`/v1/rooms/${roomId}/comments`)
      .set({ 'X-Api-Key': otherKey.key, 'X-Act-As': bob.id })
      .send({ text: 'not allowed' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('AUTH.SCOPE_MISSING');
    expect(await head()).toBe(before);
  });

  it.each([
    ['an unknown user', '00000000-0000-4000-8000-000000000000'],
    ['something that is no user id', 'bob'],
  ])('X-Act-As naming %s: 400 AUTH.ACT_AS_INVALID naming X-Act-As', async (_, actAs) => {
    const res = await parley.http().post(`/v1/rooms/${roomId}/comments`).set({ 'X-Api-Key': actingKey.key, 'X-Act-As': actAs }).send({ text: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'AUTH.ACT_AS_INVALID', details: [{ field: 'X-Act-As' }] });
  });

  it('X-Act-As without a key: 401; a member-only rule still holds for the acted-for user', async () => {
    expect((await parley.http().post(`/v1/rooms/${roomId}/comments`).set({ 'X-Act-As': bob.id }).send({ text: 'x' })).status).toBe(401);
    const stranger = await parley.user('stranger');
    const res = await parley
      .http()
      .post(`/v1/rooms/${roomId}/comments`)
      .set({ 'X-Api-Key': actingKey.key, 'X-Act-As': stranger.id })
      .send({ text: 'x' });
    expect(res.status).toBe(404);
  });

  it('posting a system event message: a key acting for a member may, the member alone may not', async () => {
    const payload = { type: 'join_room', subject_email: '', object_email: '', room_name: 'Acted' };
    const byKey = await parley
      .http()
      .post(`/v1/rooms/${roomId}/comments`)
      .set({ 'X-Api-Key': actingKey.key, 'X-Act-As': bob.id })
      .send({ text: 'Bob joined room', type: 'system_event', payload });
    expect(byKey.status).toBe(201);
    const byMember = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'Bob joined room', type: 'system_event', payload });
    expect(byMember.status).toBe(400);
    expect(byMember.body.code).toBe('COMMENT.SYSTEM_EVENT_FORBIDDEN');
  });
});

import { applicationToken } from './support/application-tokens';
import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'pk_room_properties_e2e_0123456789abcdef0123456789ab';

/**
 * A room's custom_data through Parley's own room routes (what the Vonage and
 * Nexmo surfaces call `properties.custom_data`): set at creation, replaced by
 * an update, shown with the room; refusals name the field and write nothing.
 */
describe('room properties (custom_data) on Parley’s own room routes', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
  });
  afterAll(async () => {
    await parley.stop();
  });

  const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;

  it('sets properties when a user creates a group room, shows them and replaces them by PATCH', async () => {
    const created = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Trip', participants: [bob.id], properties: { budget: 300, cities: ['Lyon'] } }).expect(201);
    expect(created.body.properties).toEqual({ budget: 300, cities: ['Lyon'] });
    const got = await parley.http().get(`/v1/rooms/${created.body.id}`).set(bob.auth).set('X-Min-Position', created.body.position).expect(200);
    expect(got.body.properties).toEqual({ budget: 300, cities: ['Lyon'] });

    const updated = await parley.http().patch(`/v1/rooms/${created.body.id}`).set(alice.auth).send({ properties: { budget: 250 } }).expect(200);
    expect(updated.body.written).toBe(1);
    const after = await parley.http().get(`/v1/rooms/${created.body.id}`).set(alice.auth).set('X-Min-Position', updated.body.position).expect(200);
    expect(after.body.properties).toEqual({ budget: 250 });
    const listed = await parley.http().get('/v1/rooms').set(alice.auth).set('X-Min-Position', updated.body.position).expect(200);
    expect(listed.body.items.find((r: { id: string }) => r.id === created.body.id).properties).toEqual({ budget: 250 });
  });

  it('refuses properties that are not an object or beyond the bounds, naming the field, and a member who is no owner; nothing is written', async () => {
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Bounds', participants: [bob.id] }).expect(201);
    const before = await head();
    const notObject = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Bad', participants: [], properties: [1, 2] }).expect(400);
    expect(notObject.body.details).toEqual([expect.objectContaining({ field: 'properties' })]);
    const tooBig = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Bad', participants: [], properties: { blob: 'x'.repeat(9000) } }).expect(400);
    expect(tooBig.body).toMatchObject({ code: 'ROOM.PROPERTIES_INVALID', details: [{ field: 'properties', reason: expect.stringContaining('4096') }] });
    const deep = await parley.http().patch(`/v1/rooms/${room.body.id}`).set(alice.auth).send({ properties: JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20)) }).expect(400);
    expect(deep.body).toMatchObject({ code: 'ROOM.PROPERTIES_INVALID', details: [{ field: 'properties' }] });
    const notOwner = await parley.http().patch(`/v1/rooms/${room.body.id}`).set(bob.auth).send({ properties: { mine: true } }).expect(403);
    expect(notOwner.body.code).toBe('ROOM.PROPERTIES_NOT_ALLOWED');
    expect(await head()).toBe(before);
  });

  it('lets an application set them on its room and an administrator on a group chat', async () => {
    const app = await parley.http().post('/v1/admin/applications').set('X-Api-Key', API_KEY).send({ name: 'Props app' }).expect(201);
    const asApp = () => ({ Authorization: `Bearer ${applicationToken(app.body.id, app.body.privateKey)}` });
    const owned = await parley.http().post('/v1/rooms').set(asApp()).send({ name: 'Desk', applicationName: 'desk', participants: [], properties: { tier: 'gold' } }).expect(201);
    expect(owned.body.properties).toEqual({ tier: 'gold' });
    const rooms = await parley.http().get('/v1/application/rooms').set(asApp()).set('X-Min-Position', owned.body.position).expect(200);
    expect(rooms.body.items).toEqual([expect.objectContaining({ applicationName: 'desk', properties: { tier: 'gold' } })]);

    const chat = await parley.http().post('/v1/admin/rooms').set('X-Api-Key', API_KEY).send({ name: 'Ops', participants: [alice.id], properties: { desk: 'north' } }).expect(201);
    const seen = await parley.http().get(`/v1/rooms/${chat.body.room.id}`).set(alice.auth).set('X-Min-Position', chat.body.position).expect(200);
    expect(seen.body.properties).toEqual({ desk: 'north' });
  });
});

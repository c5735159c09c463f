import { randomUUID } from 'node:crypto';
import { applicationToken, registerApplication } from './support/application-tokens';
import { ParleyHarness } from './support/parley-app';

const API_KEY = 'pk_app_surfaces_e2e_0123456789abcdef0123456789abcde';

/**
 * The Vonage v1 and Nexmo beta surfaces through supertest: every answer here
 * is checked against the OpenAPI document (test/support/openapi-contract.ts),
 * so the document's schemas for these surfaces are the ones they answer.
 * The real clients' suites (over a socket) prove the wire; this one the
 * contract.
 */
describe('the Vonage and Nexmo beta surfaces answer as the OpenAPI document says', () => {
  let parley: ParleyHarness;
  let appId: string;
  let privateKey: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    ({ id: appId, privateKey } = await registerApplication(parley, API_KEY, 'Surfaces'));
  });
  afterAll(async () => {
    await parley.stop();
  });

  const asApp = () => ({ Authorization: `Bearer ${applicationToken(appId, privateKey)}` });
  const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;

  describe('Vonage v1', () => {
    it('creates, lists and gets users; creates, lists and gets a conversation', async () => {
      const alice = await parley.http().post('/vonage/v1/users').set(asApp()).send({ name: 'v-alice', display_name: 'Alice' }).expect(200);
      await parley.http().post('/vonage/v1/users').set(asApp()).send({ name: 'v-bob' }).expect(200);
      const page = await parley.http().get('/vonage/v1/users?page_size=1').set(asApp()).expect(200);
      expect(page.body._embedded.users).toHaveLength(1);
      expect(page.body._links.next.href).toMatch(/^http:\/\/.+\/vonage\/v1\/users\?page_size=1&cursor=/);
      const cursor = new URL(page.body._links.next.href).searchParams.get('cursor')!;
      const second = await parley.http().get(`/vonage/v1/users?page_size=1&cursor=${encodeURIComponent(cursor)}`).set(asApp()).expect(200);
      expect(second.body._embedded.users.map((u: { name: string }) => u.name)).toEqual(['v-bob']);
      await parley.http().get(`/vonage/v1/users/${alice.body.id}`).set(asApp()).expect(200);

      const conversation = await parley.http().post('/vonage/v1/conversations').set(asApp()).send({ name: 'v-room', display_name: 'Room' }).expect(200);
      await parley.http().get('/vonage/v1/conversations').set(asApp()).expect(200);
      const got = await parley.http().get(`/vonage/v1/conversations/${conversation.body.id}`).set(asApp()).expect(200);
      expect(got.body).toMatchObject({ name: 'v-room', display_name: 'Room', state: 'ACTIVE' });
    });

    it('adds members, sends, lists, gets and deletes events, lets a member leave, deletes the conversation', async () => {
      const carol = await parley.http().post('/vonage/v1/users').set(asApp()).send({ name: 'v-carol' }).expect(200);
      const dave = await parley.http().post('/vonage/v1/users').set(asApp()).send({ name: 'v-dave' }).expect(200);
      const { body: conversation } = await parley.http().post('/vonage/v1/conversations').set(asApp()).send({ name: 'v-chat' }).expect(200);
      const base = `/vonage/v1/conversations/${conversation.id}`;
      const invited = await parley.http().post(`${base}/members`).set(asApp()).send({ state: 'invited', user: { id: carol.body.id }, channel: { type: 'app' } }).expect(201);
      expect(invited.body).toMatchObject({ state: 'INVITED', initiator: { invited: { is_system: true } } });
      await parley.http().patch(`${base}/members/${invited.body.id}`).set(asApp()).send({ state: 'joined' }).expect(200);
      const joined = await parley.http().post(`${base}/members`).set(asApp()).send({ state: 'joined', user: { name: 'v-dave' } }).expect(201);
      expect(joined.body._embedded.user.id).toBe(dave.body.id);
      await parley.http().get(`${base}/members?page_size=1`).set(asApp()).expect(200);
      await parley.http().get(`${base}/members/${joined.body.id}`).set(asApp()).expect(200);

      const sent = await parley.http().post(`${base}/events`).set(asApp()).send({ type: 'message', from: invited.body.id, body: { message_type: 'text', text: 'hi' } }).expect(200);
      expect(sent.body).toMatchObject({ type: 'message', from: invited.body.id, body: { message_type: 'text', text: 'hi' } });
      const events = await parley.http().get(`${base}/events?page_size=2`).set(asApp()).expect(200);
      expect(events.body._links.next.href).toContain('cursor=');
      await parley.http().get(`${base}/events?order=desc`).set(asApp()).expect(200);
      await parley.http().get(`${base}/events/${sent.body.id}`).set(asApp()).expect(200);
      await parley.http().delete(`${base}/events/${sent.body.id}`).set(asApp()).expect(204);
      const deleted = await parley.http().get(`${base}/events/${sent.body.id}`).set(asApp()).expect(200);
      expect(deleted.body).toMatchObject({ state: 'DELETED', body: { text: null } });

      const left = await parley.http().patch(`${base}/members/${joined.body.id}`).set(asApp()).send({ state: 'left' }).expect(200);
      expect(left.body.state).toBe('LEFT');
      await parley.http().delete(base).set(asApp()).expect(204);
      await parley.http().get(base).set(asApp()).expect(404);
    });

    it('keeps custom_data on a conversation (Parley’s room properties) and updates it with the display name by PUT', async () => {
      const created = await parley.http().post('/vonage/v1/conversations').set(asApp())
        .send({ name: 'v-props', display_name: 'Props', properties: { custom_data: { tier: 'gold' } } }).expect(200);
      expect(created.body.properties).toEqual({ custom_data: { tier: 'gold' } });
      const path = `/vonage/v1/conversations/${created.body.id}`;
      const updated = await parley.http().put(path).set(asApp()).send({ display_name: 'Renamed', properties: { custom_data: { tier: 'silver', seats: 3 } } }).expect(200);
      expect(updated.body).toMatchObject({ name: 'v-props', display_name: 'Renamed', properties: { custom_data: { tier: 'silver', seats: 3 } } });
      const rooms = await parley.http().get('/v1/application/rooms').set(asApp()).expect(200);
      expect(rooms.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ applicationName: 'v-props', name: 'Renamed', properties: { tier: 'silver', seats: 3 } })]));

      const before = await head();
      const renamed = await parley.http().put(path).set(asApp()).send({ name: 'other' }).expect(400);
      expect(renamed.body.details).toEqual([{ field: 'name', reason: 'cannot change (use display_name)' }]);
      const tooBig = await parley.http().put(path).set(asApp()).send({ properties: { custom_data: { blob: 'x'.repeat(9000) } } }).expect(400);
      expect(tooBig.body).toMatchObject({ code: 'ROOM.PROPERTIES_INVALID', details: [{ field: 'properties' }] });
      await parley.http().put(path).set(asApp()).send({ properties: { custom_data: [1] } }).expect(400);
      expect(await head()).toBe(before);
    });

    it('sends the application’s own custom:<name> events and lists them beside messages', async () => {
      await parley.http().post('/vonage/v1/users').set(asApp()).send({ name: 'v-erin' }).expect(200);
      const { body: conversation } = await parley.http().post('/vonage/v1/conversations').set(asApp()).send({ name: 'v-custom' }).expect(200);
      const base = `/vonage/v1/conversations/${conversation.id}`;
      const member = await parley.http().post(`${base}/members`).set(asApp()).send({ state: 'joined', user: { name: 'v-erin' } }).expect(201);
      const custom = await parley.http().post(`${base}/events`).set(asApp()).send({ type: 'custom:location', from: member.body.id, body: { lat: 52.5, lon: 13.4 } }).expect(200);
      expect(custom.body).toMatchObject({ type: 'custom:location', from: member.body.id, body: { lat: 52.5, lon: 13.4 } });
      const listed = await parley.http().get(`${base}/events`).set(asApp()).expect(200);
      expect(listed.body._embedded.map((e: { type: string }) => e.type)).toEqual(['conversation:created', 'member:joined', 'custom:location']);
      await parley.http().post(`${base}/events`).set(asApp()).send({ type: 'audio', from: member.body.id, body: {} }).expect(400);
      await parley.http().delete(`${base}/events/${custom.body.id}`).set(asApp()).expect(204);
      const deleted = await parley.http().get(`${base}/events/${custom.body.id}`).set(asApp()).expect(200);
      expect(deleted.body).toMatchObject({ id: custom.body.id, type: 'custom:location', body: {}, state: 'DELETED' });
      expect(JSON.stringify(deleted.body)).not.toContain('52.5');
      const mine = await parley.http().get(`/vonage/v1/users/${member.body._embedded.user.id}/conversations`).set(asApp()).expect(200);
      expect(mine.body._embedded.conversations.map((c: { name: string }) => c.name)).toEqual(['v-custom']);
    });

    it('creates a user with image and custom_data, updates it by PATCH and deletes it', async () => {
      const created = await parley.http().post('/vonage/v1/users').set(asApp())
        .send({ name: 'v-fay', display_name: 'Fay', image_url: 'https://img.example/fay.png', properties: { custom_data: { plan: 'pro' } } }).expect(200);
      expect(created.body).toMatchObject({ image_url: 'https://img.example/fay.png', properties: { custom_data: { plan: 'pro' } } });
      const path = `/vonage/v1/users/${created.body.id}`;
      const updated = await parley.http().patch(path).set(asApp())
        .send({ name: 'v-fay', display_name: 'Fay F.', image_url: null, properties: { custom_data: { plan: 'team', seats: 2 } } }).expect(200);
      expect(updated.body).toMatchObject({ id: created.body.id, name: 'v-fay', display_name: 'Fay F.', properties: { custom_data: { plan: 'team', seats: 2 } } });
      expect(updated.body.image_url).toBeUndefined();
      const got = await parley.http().get(path).set(asApp()).expect(200);
      expect(got.body).toMatchObject({ display_name: 'Fay F.', properties: { custom_data: { plan: 'team', seats: 2 } } });

      const before = await head();
      const renamed = await parley.http().patch(path).set(asApp()).send({ name: 'v-other' }).expect(400);
      expect(renamed.body.invalid_parameters).toEqual([{ name: 'name', reason: 'cannot change (use display_name)' }]);
      const tooBig = await parley.http().patch(path).set(asApp()).send({ properties: { custom_data: { blob: 'x'.repeat(9000) } } }).expect(400);
      expect(tooBig.body).toMatchObject({ title: 'USER.PROPERTIES_INVALID', details: [{ field: 'properties' }] });
      expect(await head()).toBe(before);

      await parley.http().delete(path).set(asApp()).expect(204);
      const gone = await parley.http().get(path).set(asApp()).expect(404);
      expect(gone.body).toMatchObject({ title: 'USER.NOT_FOUND' });
      await parley.http().delete(path).set(asApp()).expect(404);
    });

    it('sends as a member resolved from the room’s own state: one who just left, or of another application’s conversation, is refused and nothing is written', async () => {
      await parley.http().post('/vonage/v1/users').set(asApp()).send({ name: 'v-hal' }).expect(200);
      const { body: conversation } = await parley.http().post('/vonage/v1/conversations').set(asApp()).send({ name: 'v-leaving' }).expect(200);
      const base = `/vonage/v1/conversations/${conversation.id}`;
      const member = await parley.http().post(`${base}/members`).set(asApp()).send({ state: 'joined', user: { name: 'v-hal' } }).expect(201);
      const send = () => parley.http().post(`${base}/events`).set(asApp()).send({ type: 'message', from: member.body.id, body: { message_type: 'text', text: 'still here?' } });
      await send().expect(200);
      await parley.http().patch(`${base}/members/${member.body.id}`).set(asApp()).send({ state: 'left' }).expect(200);
      const before = await head();
      const refused = await send().expect(400);
      expect(refused.body).toMatchObject({ title: 'EVENT.FROM_UNKNOWN', invalid_parameters: [{ name: 'from', reason: 'is not a member of this conversation' }] });

      const other = await parley.http().post('/v1/admin/applications').set('X-Api-Key', API_KEY).send({ name: 'Intruder' }).expect(201);
      const asOther = { Authorization: `Bearer ${applicationToken(other.body.id, other.body.privateKey)}` };
      const { body: open } = await parley.http().post('/vonage/v1/conversations').set(asApp()).send({ name: 'v-guarded' }).expect(200);
      const guardedMember = await parley.http().post(`/vonage/v1/conversations/${open.id}/members`).set(asApp()).send({ state: 'joined', user: { name: 'v-hal' } }).expect(201);
      const afterSetup = await head();
      await parley.http().post(`/vonage/v1/conversations/${open.id}/events`).set(asOther)
        .send({ type: 'message', from: guardedMember.body.id, body: { message_type: 'text', text: 'spoofed' } }).expect(404);
      expect(await head()).toBe(afterSetup);
      expect(BigInt(afterSetup)).toBeGreaterThan(BigInt(before));
    });

    it('refuses in Vonage’s error body, as the document declares it', async () => {
      const missing = await parley.http().get(`/vonage/v1/conversations/CON-${randomUUID()}`).set(asApp()).expect(404);
      expect(missing.body).toMatchObject({ title: 'ROOM.NOT_FOUND', code: 'ROOM.NOT_FOUND', statusCode: 404 });
      const bad = await parley.http().post('/vonage/v1/users').set(asApp()).send({ display_name: 'no name' }).expect(400);
      expect(bad.body).toMatchObject({ details: [{ field: 'name', reason: 'is required' }], invalid_parameters: [{ name: 'name', reason: 'is required' }] });
      await parley.http().get('/vonage/v1/users').expect(401);
      await parley.http().get('/vonage/v1/users?page_size=0').set(asApp()).expect(400);
    });
  });

  describe('Nexmo beta', () => {
    it('creates users and conversations as the seed answers ({ id, href }), lists and gets them', async () => {
      const user = await parley.http().post('/beta/users').set(asApp()).send({ name: 'n-alice', display_name: 'Alice' }).expect(201);
      expect(user.body).toEqual({ id: expect.stringMatching(/^USR-/), href: expect.stringContaining(`/beta/users/${user.body.id}`) });
      await parley.http().post('/beta/users').set(asApp()).send({ name: 'n-bob' }).expect(201);
      const users = await parley.http().get('/beta2/users?page_size=1').set(asApp()).expect(200);
      expect(users.body).toMatchObject({ count: 1, page_size: 1, record_index: 0 });
      expect(users.body._links.next.href).not.toMatch(/USR-/);
      const next = new URL(users.body._links.next.href);
      await parley.http().get(`${next.pathname}${next.search}`).set(asApp()).expect(200);
      await parley.http().get('/beta2/users?page_size=1&record_index=1').set(asApp()).expect(200);
      await parley.http().get(`/beta2/users/${user.body.id}`).set(asApp()).expect(200);

      const conversation = await parley.http().post('/beta/conversations').set(asApp()).send({ name: 'n-room', display_name: 'Room' }).expect(201);
      await parley.http().get('/beta2/conversations').set(asApp()).expect(200);
      const byName = await parley.http().get('/beta2/conversations?name=n-room').set(asApp()).expect(200);
      expect(byName.body._embedded.conversations).toEqual([expect.objectContaining({ uuid: conversation.body.id, display_name: 'Room' })]);
      const got = await parley.http().get(`/beta/conversations/${conversation.body.id}`).set(asApp()).expect(200);
      expect(got.body).toMatchObject({ uuid: conversation.body.id, name: 'n-room', members: [], sequence_number: 1 });
    });

    it('adds members, sends, lists, gets and deletes text events, lets members leave, deletes the conversation', async () => {
      const carol = await parley.http().post('/beta/users').set(asApp()).send({ name: 'n-carol' }).expect(201);
      await parley.http().post('/beta/users').set(asApp()).send({ name: 'n-dave' }).expect(201);
      const { body: conversation } = await parley.http().post('/beta/conversations').set(asApp()).send({ name: 'n-chat' }).expect(201);
      const base = `/beta/conversations/${conversation.id}`;
      const read = `/beta2/conversations/${conversation.id}`;
      const invited = await parley.http().post(`${base}/members`).set(asApp()).send({ action: 'invite', user_id: carol.body.id, channel: { type: 'app' } }).expect(200);
      expect(invited.body).toMatchObject({ state: 'INVITED', initiator: { invited: { is_system: true } } });
      await parley.http().put(`${base}/members/${invited.body.id}`).set(asApp()).send({ action: 'join' }).expect(200);
      const joined = await parley.http().post(`${base}/members`).set(asApp()).send({ action: 'join', user_name: 'n-dave' }).expect(200);
      await parley.http().get(`${read}/members?page_size=1`).set(asApp()).expect(200);
      await parley.http().get(`${read}/members/${joined.body.id}`).set(asApp()).expect(200);

      const sent = await parley.http().post(`${base}/events`).set(asApp()).send({ type: 'text', from: joined.body.id, body: { text: 'hi' } }).expect(200);
      expect(sent.body).toMatchObject({ type: 'text', from: joined.body.id, body: { text: 'hi' } });
      const events = await parley.http().get(`${read}/events?page_size=2`).set(asApp()).expect(200);
      expect(events.body).toMatchObject({ count: 2, record_index: 0 });
      await parley.http().get(`${read}/events/${sent.body.id}`).set(asApp()).expect(200);
      await parley.http().delete(`${base}/events/${sent.body.id}`).set(asApp()).expect(204);
      const detail = await parley.http().get(base).set(asApp()).expect(200);
      expect(detail.body.sequence_number).toBeGreaterThanOrEqual(sent.body.id);

      await parley.http().put(`${base}/members/${joined.body.id}`).set(asApp()).send({ action: 'leave' }).expect(200);
      await parley.http().delete(`${base}/members/${invited.body.id}`).set(asApp()).expect(204);
      await parley.http().delete(base).set(asApp()).expect(204);
      await parley.http().get(base).set(asApp()).expect(404);
    });

    it('updates a conversation by PUT (display name, custom_data) and sends custom:<name> events', async () => {
      await parley.http().post('/beta/users').set(asApp()).send({ name: 'n-erin' }).expect(201);
      const { body: conversation } = await parley.http().post('/beta/conversations').set(asApp()).send({ name: 'n-props', properties: { custom_data: { a: 1 } } }).expect(201);
      const base = `/beta/conversations/${conversation.id}`;
      const updated = await parley.http().put(base).set(asApp()).send({ display_name: 'Props', properties: { custom_data: { a: 2 } } }).expect(200);
      expect(updated.body).toMatchObject({ uuid: conversation.id, name: 'n-props', display_name: 'Props', properties: { custom_data: { a: 2 } } });
      const member = await parley.http().post(`${base}/members`).set(asApp()).send({ action: 'join', user_name: 'n-erin' }).expect(200);
      const custom = await parley.http().post(`${base}/events`).set(asApp()).send({ type: 'custom:typing', from: member.body.id, body: { on: true } }).expect(200);
      expect(custom.body).toMatchObject({ type: 'custom:typing', from: member.body.id, body: { on: true } });
      const events = await parley.http().get(`/beta2/conversations/${conversation.id}/events`).set(asApp()).expect(200);
      expect(events.body._embedded.events.map((e: { type: string }) => e.type)).toEqual(['conversation:created', 'conversation:updated', 'member:joined', 'custom:typing']);
      await parley.http().delete(`${base}/events/${custom.body.id}`).set(asApp()).expect(204);
      const deleted = await parley.http().get(`/beta2/conversations/${conversation.id}/events`).set(asApp()).expect(200);
      expect(deleted.body._embedded.events.at(-1)).toMatchObject({ id: custom.body.id, type: 'custom:typing', body: {}, state: 'DELETED' });
      const mine = await parley.http().get(`/beta2/users/${member.body.user_id}/conversations?page_size=5`).set(asApp()).expect(200);
      expect(mine.body).toMatchObject({ count: 1, _embedded: { conversations: [{ uuid: conversation.id, name: 'n-props' }] } });
      await parley.http().get(`/beta2/users/USR-${randomUUID()}/conversations`).set(asApp()).expect(404);
    });

    it('updates a user by PUT (display name, image, custom_data) and deletes it', async () => {
      const created = await parley.http().post('/beta/users').set(asApp()).send({ name: 'n-gus', display_name: 'Gus' }).expect(201);
      const path = `/beta/users/${created.body.id}`;
      const updated = await parley.http().put(path).set(asApp())
        .send({ display_name: 'Gus G.', image_url: 'https://img.example/gus.png', properties: { custom_data: { vip: true } } }).expect(200);
      expect(updated.body).toMatchObject({ id: created.body.id, name: 'n-gus', display_name: 'Gus G.', image_url: 'https://img.example/gus.png', properties: { custom_data: { vip: true } } });
      const got = await parley.http().get(`/beta2/users/${created.body.id}`).set(asApp()).expect(200);
      expect(got.body).toMatchObject({ display_name: 'Gus G.', properties: { custom_data: { vip: true } } });
      const bad = await parley.http().put(path).set(asApp()).send({ image_url: 'not a url' }).expect(400);
      expect(bad.body).toMatchObject({ code: 'PROFILE.PHOTO_URL_INVALID', details: [{ field: 'imageUrl' }] });
      await parley.http().delete(path).set(asApp()).expect(204);
      expect((await parley.http().get(`/beta2/users/${created.body.id}`).set(asApp()).expect(404)).body.code).toBe('USER.NOT_FOUND');
    });

    it('refuses a text event from a member who just left, writing nothing', async () => {
      await parley.http().post('/beta/users').set(asApp()).send({ name: 'n-ida' }).expect(201);
      const { body: conversation } = await parley.http().post('/beta/conversations').set(asApp()).send({ name: 'n-leaving' }).expect(201);
      const base = `/beta/conversations/${conversation.id}`;
      const member = await parley.http().post(`${base}/members`).set(asApp()).send({ action: 'join', user_name: 'n-ida' }).expect(200);
      await parley.http().put(`${base}/members/${member.body.id}`).set(asApp()).send({ action: 'leave' }).expect(200);
      const before = await head();
      const refused = await parley.http().post(`${base}/events`).set(asApp()).send({ type: 'text', from: member.body.id, body: { text: 'gone' } }).expect(400);
      expect(refused.body).toMatchObject({ code: 'EVENT.FROM_UNKNOWN', details: [{ field: 'from', reason: 'is not a member of this conversation' }] });
      expect(await head()).toBe(before);
    });

    it('refuses conversations.record (voice, which Parley does not carry) in the seed’s error body, writing nothing', async () => {
      const { body: conversation } = await parley.http().post('/beta/conversations').set(asApp()).send({ name: 'n-record' }).expect(201);
      const before = await head();
      const refused = await parley.http().put(`/v1/conversations/${conversation.id}/record`).set(asApp()).send({ action: 'start' }).expect(400);
      expect(refused.body).toMatchObject({ code: 'CONVERSATION.RECORD_UNSUPPORTED', details: [{ field: 'record' }] });
      expect(refused.body.title).toBeUndefined();
      await parley.http().put(`/v1/conversations/CON-${randomUUID()}/record`).set(asApp()).send({}).expect(404);
      expect(await head()).toBe(before);
    });

    it('refuses in the seed’s error body, as the document declares it', async () => {
      const missing = await parley.http().get(`/beta/conversations/CON-${randomUUID()}`).set(asApp()).expect(404);
      expect(missing.body).toEqual({ code: 'ROOM.NOT_FOUND', message: expect.any(String), description: expect.any(String), statusCode: 404 });
      const bad = await parley.http().post('/beta/conversations').set(asApp()).send({}).expect(400);
      expect(bad.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', details: [{ field: 'name', reason: 'is required' }] });
      await parley.http().get('/beta2/users').expect(401);
      await parley.http().get('/beta2/users?record_index=5000').set(asApp()).expect(400);
      await parley.http().get('/beta2/users?cursor=not-hex').set(asApp()).expect(400);
    });
  });
});

import { ParleyHarness, type TestUser } from './support/parley-app';

/*
 * What the document promises about requests holds: null only where a field
 * is nullable, a body is an object, an unsupported method on a known path is
 * 405 with Allow. Every refusal writes nothing.
 */
describe('request rules the OpenAPI document declares', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let roomId: string;

  const head = async (): Promise<string | null> => (await parley.http().get('/health').expect(200)).body.eventStore.head as string | null;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: 'request-rules-admin-key-0123456789abcdef' });
    alice = await parley.user('alice', 'Alice');
    roomId = await room();
  });

  afterAll(async () => {
    await parley.stop();
  });

  describe('null for a field the document does not call nullable', () => {
    it.each([
      ['POST /v1/contacts lastName', () => parley.http().post('/v1/contacts').set(alice.auth).send({ contactId: '+15551230001', lastName: null }), 'lastName'],
      ['PUT /v1/me/privacy photo', () => parley.http().put('/v1/me/privacy').set(alice.auth).send({ photo: null }), 'photo'],
      [
        'POST /v1/accounts/request-code channel',
        () => parley.http().post('/v1/accounts/request-code').send({ phone: '+15551230002', channel: null }),
        'channel',
      ],
      [
        'POST /v1/admin/webhooks format',
        () =>
          parley
            .http()
            .post('/v1/admin/webhooks')
            .set('X-Api-Key', 'request-rules-admin-key-0123456789abcdef')
            .send({ url: 'http://127.0.0.1:9/hook', events: ['CommentPosted'], secret: 'a-long-enough-secret', format: null }),
        'format',
      ],
      ['PATCH /v1/rooms/{id} name', () => parley.http().patch(`/v1/rooms/${roomId}`).set(alice.auth).send({ name: null }), 'name'],
      [
        'PUT /v1/me/presence device.name (nested)',
        () => parley.http().put('/v1/me/presence').set(alice.auth).send({ status: 'online', device: { name: null, platform: 'web', version: '1' } }),
        'device.name',
      ],
    ])('%s: 400 naming the field, nothing written', async (_name, send, field) => {
      const before = await head();
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
      expect(res.body.details).toContainEqual({ field, reason: 'must not be null (leave it out instead)' });
      expect(await head()).toBe(before);
    });

    it('POST /v1/me/remove with {"feedback": null} keeps the account', async () => {
      const bob = await parley.user('bob');
      const res = await parley.http().post('/v1/me/remove').set(bob.auth).send({ feedback: null });
      expect([res.status, res.body.details]).toEqual([400, [{ field: 'feedback', reason: 'must not be null (leave it out instead)' }]]);
      await parley.http().get('/v1/me').set(bob.auth).expect(200);
    });

    it('takes null where the document says nullable: it clears', async () => {
      const id = await room({ topic: 'Plans' });
      const cleared = await parley.http().patch(`/v1/rooms/${id}`).set(alice.auth).send({ topic: null }).expect(200);
      await parley.http().put('/v1/me/status-message').set(alice.auth).send({ message: null }).expect(200);
      await parley.http().put('/v1/me/presence').set(alice.auth).send({ status: 'online', message: null, device: null }).expect(200);
      const after = await parley.http().get(`/v1/rooms/${id}`).set(alice.auth).set('X-Min-Position', cleared.body.position).expect(200);
      expect(after.body.topic).toBeNull();
    });
  });

  describe('a body that is not an object', () => {
    it.each([
      ['null', 'null', 'must be an object, not null'],
      ['an array', '[]', 'must be an object, not an array'],
      ['a string', '"alice"', 'must be an object, not string'],
      ['a number', '42', 'must be an object, not number'],
    ])('%s: 400 REQUEST.BODY_NOT_OBJECT', async (_name, raw, reason) => {
      const before = await head();
      const res = await parley.http().post('/v1/rooms').set(alice.auth).set('Content-Type', 'application/json').send(raw);
      expect([res.status, res.body.code, res.body.details]).toEqual([400, 'REQUEST.BODY_NOT_OBJECT', [{ field: 'body', reason }]]);
      expect(await head()).toBe(before);
    });

    it('a null body to POST /v1/me/remove does not remove the account', async () => {
      const carol = await parley.user('carol');
      const res = await parley.http().post('/v1/me/remove').set(carol.auth).set('Content-Type', 'application/json').send('null');
      expect([res.status, res.body.code]).toEqual([400, 'REQUEST.BODY_NOT_OBJECT']);
      await parley.http().get('/v1/me').set(carol.auth).expect(200);
    });
  });

  describe('an unsupported method on a known path', () => {
    it.each([
      ['DELETE', '/v1/users', 'POST'],
      ['PUT', '/v1/rooms', 'GET, HEAD, POST'],
      ['POST', '/v1/rooms/0b5c5e0e-1111-4222-8333-444455556666/comments/0b5c5e0e-1111-4222-8333-444455556667', 'DELETE, GET, HEAD'],
      ['DELETE', '/health', 'GET, HEAD'],
    ])('%s %s: 405 with Allow: %s', async (method, path, allow) => {
      const res = await parley.http()[method.toLowerCase() as 'delete' | 'put' | 'post'](path).set(alice.auth);
      expect([res.status, res.headers['allow'], res.body.code]).toEqual([405, allow, 'ROUTE.METHOD_NOT_ALLOWED']);
    });

    it('an unknown path is still 404', async () => {
      const res = await parley.http().get('/v1/nowhere').set(alice.auth);
      expect([res.status, res.body.code]).toEqual([404, 'ROUTE.NOT_FOUND']);
    });
  });

  it('changing one room permission keeps the others', async () => {
    const id = await room({ permissions: { rename: false } });
    const created = await parley.http().get(`/v1/rooms/${id}`).set(alice.auth).expect(200);
    expect(created.body.permissions).toEqual({ rename: false, changeTopic: true, addMembers: true, removeMembers: false, send: true });
    const changed = await parley.http().patch(`/v1/rooms/${id}`).set(alice.auth).send({ permissions: { send: false } }).expect(200);
    const after = await parley.http().get(`/v1/rooms/${id}`).set(alice.auth).set('X-Min-Position', changed.body.position).expect(200);
    expect(after.body.permissions).toEqual({ rename: false, changeTopic: true, addMembers: true, removeMembers: false, send: false });
  });

  async function room(extra: Record<string, unknown> = {}): Promise<string> {
    const res = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Rules', participants: [], ...extra }).expect(201);
    await parley.http().get(`/v1/rooms/${res.body.id as string}`).set(alice.auth).set('X-Min-Position', res.body.position).expect(200);
    return res.body.id as string;
  }
});

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { applicationToken, registerApplication } from './support/application-tokens';
import { ParleyHarness } from './support/parley-app';

const API_KEY = 'pk_nexmo_refusals_e2e_0123456789abcdef0123456789abc';

/**
 * Bad credentials through the Nexmo beta surface, over a real socket as the
 * beta client sends them: each is refused with the seed's error body
 * (`{ code, message }`) and writes nothing (the log's head does not move).
 */
describe('the Nexmo beta surface refuses bad application tokens', () => {
  let parley: ParleyHarness;
  let base: string;
  let appId: string;
  let privateKey: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    ({ id: appId, privateKey } = await registerApplication(parley, API_KEY, 'Nexmo refusals'));
    base = await parley.listen();
  });
  afterAll(async () => {
    await parley.stop();
  });

  const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;
  const post = (path: string, token: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const createUser = (token: string, name: string) => post('/beta/users', token, { name });

  async function refused(response: Promise<Response>, status: number, code: string, before: string): Promise<void> {
    const answer = await response;
    expect(answer.status).toBe(status);
    expect(await answer.json()).toEqual(expect.objectContaining({ code, message: expect.any(String), statusCode: status }));
    expect(await head()).toBe(before);
  }

  const refusedCreate = async (token: string, status: number, code: string) => refused(createUser(token, `u-${randomUUID()}`), status, code, await head());

  it('accepts a good token (the baseline the refusals differ from)', async () => {
    const response = await createUser(applicationToken(appId, privateKey), 'good');
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: expect.stringMatching(/^USR-/), href: expect.stringContaining('/beta/users/USR-') });
  });

  it('refuses a token signed with another key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await refusedCreate(applicationToken(appId, other), 401, 'APPLICATION.TOKEN_INVALID');
  });

  it('refuses an unknown application_id', async () => {
    await refusedCreate(applicationToken(randomUUID(), privateKey), 401, 'APPLICATION.UNKNOWN');
  });

  it('refuses an expired token, with exp and without (15 minutes after iat)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedCreate(applicationToken(appId, privateKey, { iat: now - 120, exp: now - 60 }), 401, 'APPLICATION.TOKEN_EXPIRED');
    await refusedCreate(applicationToken(appId, privateKey, { iat: now - 16 * 60 }), 401, 'APPLICATION.TOKEN_EXPIRED');
  });

  it('refuses a replayed jti', async () => {
    const token = applicationToken(appId, privateKey);
    expect((await createUser(token, 'once')).status).toBe(201);
    await refusedCreate(token, 401, 'APPLICATION.TOKEN_REPLAYED');
  });

  it('reads the seed’s acl paths (/v1/…) against the beta’s paths', async () => {
    await refusedCreate(applicationToken(appId, privateKey, { acl: { paths: { '/v1/conversations/**': {} } } }), 403, 'APPLICATION.ACL_DENIED');
    const allowed = await createUser(applicationToken(appId, privateKey, { acl: { paths: { '/v1/users/**': {} } } }), 'in-acl');
    expect(allowed.status).toBe(201);
  });

  it('hides another application’s conversation (404) and writes nothing there', async () => {
    const other = await parley.http().post('/v1/admin/applications').set('X-Api-Key', API_KEY).send({ name: 'Foreign' }).expect(201);
    const foreign = await post('/beta/conversations', applicationToken(other.body.id, other.body.privateKey), { name: 'theirs' });
    expect(foreign.status).toBe(201);
    const conversation = ((await foreign.json()) as { id: string }).id;
    const before = await head();
    const read = await fetch(`${base}/beta/conversations/${conversation}`, { headers: { Authorization: `Bearer ${applicationToken(appId, privateKey)}` } });
    expect(read.status).toBe(404);
    expect(await read.json()).toMatchObject({ code: 'ROOM.NOT_FOUND' });
    await refused(
      post(`/beta/conversations/${conversation}/events`, applicationToken(appId, privateKey), { type: 'text', from: `MEM-${randomUUID()}`, body: { text: 'hi' } }),
      404,
      'ROOM.NOT_FOUND',
      before,
    );
  });

  it('refuses a bad body naming the field, and an unknown conversation, in the seed’s error body', async () => {
    const token = () => applicationToken(appId, privateKey);
    const before = await head();
    const bad = await post('/beta/conversations', token(), { display_name: 'no name' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', details: [{ field: 'name', reason: 'is required' }] });
    await refused(
      fetch(`${base}/beta2/conversations/CON-${randomUUID()}/events`, { headers: { Authorization: `Bearer ${token()}` } }),
      404,
      'ROOM.NOT_FOUND',
      before,
    );
  });
});

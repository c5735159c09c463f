import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { applicationToken, registerApplication } from './support/application-tokens';
import { ParleyHarness } from './support/parley-app';

const API_KEY = 'pk_vonage_refusals_e2e_0123456789abcdef0123456789ab';

/**
 * Bad credentials through the Vonage surface, over a real socket as a Vonage
 * client sends them: each is refused with Vonage's error body and writes
 * nothing (the log's head does not move).
 */
describe('the Vonage surface refuses bad application tokens', () => {
  let parley: ParleyHarness;
  let base: string;
  let appId: string;
  let privateKey: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    ({ id: appId, privateKey } = await registerApplication(parley, API_KEY, 'Refusals'));
    base = `${await parley.listen()}/vonage`;
  });
  afterAll(async () => {
    await parley.stop();
  });

  const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;
  const createUser = (token: string, name: string) =>
    fetch(`${base}/v1/users`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });

  async function refused(token: string, status: number, title: string): Promise<void> {
    const before = await head();
    const response = await createUser(token, `u-${randomUUID()}`);
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body).toEqual(expect.objectContaining({ title, type: expect.stringMatching(/^http/), detail: expect.any(String), instance: '/vonage/v1/users' }));
    expect(await head()).toBe(before);
  }

  it('accepts a good token (the baseline the refusals differ from)', async () => {
    const response = await createUser(applicationToken(appId, privateKey), 'good');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'good' });
  });

  it('refuses a token signed with another key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await refused(applicationToken(appId, other), 401, 'APPLICATION.TOKEN_INVALID');
  });

  it('refuses an unknown application_id', async () => {
    await refused(applicationToken(randomUUID(), privateKey), 401, 'APPLICATION.UNKNOWN');
  });

  it('refuses an expired token, with exp and without (15 minutes after iat)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(applicationToken(appId, privateKey, { iat: now - 120, exp: now - 60 }), 401, 'APPLICATION.TOKEN_EXPIRED');
    await refused(applicationToken(appId, privateKey, { iat: now - 16 * 60 }), 401, 'APPLICATION.TOKEN_EXPIRED');
  });

  it('refuses a replayed jti', async () => {
    const token = applicationToken(appId, privateKey);
    expect((await createUser(token, 'once')).status).toBe(200);
    await refused(token, 401, 'APPLICATION.TOKEN_REPLAYED');
  });

  it('refuses a call outside the token’s acl', async () => {
    await refused(applicationToken(appId, privateKey, { acl: { paths: { '/*/conversations/**': {} } } }), 403, 'APPLICATION.ACL_DENIED');
    const allowed = await createUser(applicationToken(appId, privateKey, { acl: { paths: { '/*/users/**': {} } } }), 'in-acl');
    expect(allowed.status).toBe(200);
  });

  it('answers an unknown conversation and a bad body in Vonage’s error body', async () => {
    const token = () => applicationToken(appId, privateKey);
    const missing = await fetch(`${base}/v1/conversations/CON-${randomUUID()}`, { headers: { Authorization: `Bearer ${token()}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ title: 'ROOM.NOT_FOUND', type: expect.stringContaining('not-found') });
    const before = await head();
    const bad = await fetch(`${base}/v1/conversations`, { method: 'POST', headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ title: 'REQUEST.VALIDATION_FAILED', invalid_parameters: [{ name: 'name', reason: 'is required' }] });
    expect(await head()).toBe(before);
  });
});

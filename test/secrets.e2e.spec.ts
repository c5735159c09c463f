import { randomUUID } from 'node:crypto';
import { hashPassword } from '../libs/auth/password';
import { EVENT_VERSIONS } from '../libs/domain/events';
import { webhookKeyOwner } from '../libs/domain/personal-data';
import { streams } from '../libs/domain/streams';
import type { EventStore } from '../libs/event-store/event-store.port';
import { PersonalDataVault } from '../libs/personal-data/vault';
import { RAW_EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { signatureValid, WebhookReceiver } from './support/webhook-receiver';

const API_KEY = 'test-admin-key-0123456789-abcdefghijklmnop';
const SECRET = 'whsec-secrets-spec-0123456789';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a wholly different passphrase';

describe('secrets and password hashes never leave: sealed in the log, redacted in every view', () => {
  let parley: ParleyHarness;
  let hook: WebhookReceiver;
  let alice: TestUser;
  let webhookId: string;
  const admin = { 'X-Api-Key': API_KEY };

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    hook = await WebhookReceiver.start();
    const registered = await parley
      .http()
      .post('/v1/admin/webhooks')
      .set(admin)
      .send({ url: hook.url, events: ['UserRegistered', 'PasswordChanged'], secret: SECRET })
      .expect(201);
    webhookId = registered.body.id;
    alice = await parley.user('alice', 'Alice');
  });
  afterAll(async () => {
    await parley.stop();
    await hook.close();
  });

  const signIn = (username: string, password: string) =>
    parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password });
  const adminEvents = async () => (await parley.http().get('/v1/admin/events').set(admin).expect(200)).text;
  const auditStream = async (streamId: string) =>
    (await parley.http().get(`/v1/admin/audit/streams/${streamId}`).set(admin).expect(200)).body.events as {
      type: string;
      data: Record<string, unknown>;
    }[];

  it('changes a password: sign-in works with the new one, and neither hash nor secret shows anywhere', async () => {
    const changed = await parley
      .http()
      .put('/v1/me/password')
      .set(alice.auth)
      .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
      .expect(200);
    await signIn(alice.username, NEW_PASSWORD).expect(200);
    expect((await signIn(alice.username, PASSWORD)).status).toBe(401);

    // The backup stream (admin:export) carries the hashes and the secret sealed, never in clear.
    const log = await adminEvents();
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain('scrypt$');
    const lines = log.trim().split('\n').map((line) => JSON.parse(line) as { type?: string; data?: Record<string, unknown> });
    const sealed = (type: string, field: string) =>
      lines.filter((line) => line.type === type).map((line) => String(line.data?.[field]).slice(0, 7));
    expect(sealed('WebhookRegistered', 'secret')).toEqual(['pii:v1:']);
    expect(sealed('UserRegistered', 'passwordHash')).toEqual(['pii:v1:']);
    expect(sealed('PasswordChanged', 'passwordHash')).toEqual(['pii:v1:']);

    // Audit views show that something changed, never what.
    const userEvents = await auditStream(`user-${alice.id}`);
    expect(userEvents.find((e) => e.type === 'UserRegistered')?.data['passwordHash']).toBe('[redacted]');
    expect(userEvents.find((e) => e.type === 'PasswordChanged')?.data['passwordHash']).toBe('[redacted]');
    expect(JSON.stringify(userEvents)).not.toContain('scrypt$');
    expect(JSON.stringify(userEvents)).not.toContain('pii:v1:');
    const webhookEvents = await auditStream(`webhook-${webhookId}`);
    expect(webhookEvents[0]?.data['secret']).toBe('[redacted]');

    // Webhook deliveries are still signed with the secret, and carry no hash.
    await hook.waitForAccepted(changed.body.position);
    const deliveries = hook.accepted.filter((r) => r.headers['x-parley-event'] === 'PasswordChanged' || r.headers['x-parley-event'] === 'UserRegistered');
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    for (const delivery of deliveries) {
      expect(signatureValid(delivery, SECRET)).toBe(true);
      expect(delivery.body).not.toContain('scrypt$');
      expect(delivery.body).not.toContain('pii:v1:');
      expect(JSON.parse(delivery.body).data.passwordHash).toBe('[redacted]');
    }
  });

  it('reads password hashes written in clear before sealing: the account signs in, views still redact', async () => {
    const raw = parley.app.get<EventStore>(RAW_EVENT_STORE);
    const userId = randomUUID();
    const username = `legacy${Date.now().toString(36)}`;
    const passwordHash = await hashPassword(PASSWORD);
    const meta = { actor: 'system', correlationId: randomUUID(), causationId: randomUUID() };
    await raw.append(
      streams.username(username),
      [{ id: randomUUID(), type: 'UsernameClaimed', version: EVENT_VERSIONS.UsernameClaimed, data: { username, userId }, metadata: meta }],
      'no_stream',
    );
    await raw.append(
      streams.user(userId),
      [
        {
          id: randomUUID(),
          type: 'UserRegistered',
          version: EVENT_VERSIONS.UserRegistered,
          data: { userId, username, displayName: 'Legacy', passwordHash, registeredAt: new Date().toISOString() },
          metadata: meta,
        },
      ],
      'no_stream',
    );
    await signIn(username, PASSWORD).expect(200);
    const [registered] = await auditStream(`user-${userId}`);
    expect(registered?.data['passwordHash']).toBe('[redacted]');
  });

  it('removing the webhook destroys the key of its secret', async () => {
    const vault = parley.app.get(PersonalDataVault);
    expect((await vault.keys([webhookKeyOwner(webhookId)], false)).get(webhookKeyOwner(webhookId))).toBeInstanceOf(Buffer);
    await parley.http().delete(`/v1/admin/webhooks/${webhookId}`).set(admin).expect(200);
    expect((await vault.keys([webhookKeyOwner(webhookId)], false)).get(webhookKeyOwner(webhookId))).toBe('destroyed');
    const [registered] = await auditStream(`webhook-${webhookId}`);
    // Erased: the sealed secret no longer opens, so even the write side reads null.
    expect(registered?.data['secret']).toBeNull();
  });
});

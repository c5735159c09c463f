import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyHarness } from './support/parley-app';
import { WebhookReceiver } from './support/webhook-receiver';

const API_KEY = 'test-admin-key-0123456789-abcdefghijklmnop';
const SECRET = 'whsec-0123456789abcdef';
const admin = { 'X-Api-Key': API_KEY };

describe('webhooks never reach into private networks (by default)', () => {
  it('refuses loopback, private, link-local, metadata and other non-public targets at registration: 400 naming url, nothing written', async () => {
    const parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    try {
      const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string | null;
      const before = await head();
      for (const url of [
        'http://127.0.0.1:8080/hook',
        'http://localhost:3000/hook',
        'http://10.0.0.8/hook',
        'http://172.20.1.1/hook',
        'http://192.168.1.10/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://100.64.0.1/hook',
        'http://0.0.0.0/hook',
        'http://224.0.0.251/hook',
        'http://[::1]/hook',
        'http://[::]/hook',
        'http://[fd00::1]/hook',
        'http://[fe80::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://[::ffff:169.254.169.254]/hook',
      ]) {
        const res = await parley.http().post('/v1/admin/webhooks').set(admin).send({ url, events: ['CommentPosted'], secret: SECRET });
        expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 400, code: 'WEBHOOK.INVALID' });
        expect(res.body.details).toEqual([{ field: 'url', reason: expect.stringMatching(/must not point into a private network: .+ is /) }]);
      }
      expect(await head()).toBe(before);

      const ok = await parley
        .http()
        .post('/v1/admin/webhooks')
        .set(admin)
        .send({ url: 'https://hooks.example.com/parley', events: ['CommentPosted'], secret: SECRET })
        .expect(201);
      const moved = await parley.http().patch(`/v1/admin/webhooks/${ok.body.id}`).set(admin).send({ url: 'http://169.254.169.254/' });
      expect(moved.status).toBe(400);
      expect(moved.body.details.map((d: { field: string }) => d.field)).toEqual(['url']);
    } finally {
      await parley.stop();
    }
  });

  it('checks again at delivery: a subscription to a loopback receiver is refused there, recorded as failed, and never sent', async () => {
    const receiver = await WebhookReceiver.start();
    const dir = mkdtempSync(join(tmpdir(), 'parley-ssrf-'));
    const env = { ADMIN_API_KEY: API_KEY, WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_MAX_ATTEMPTS: '2' };
    try {
      // Registered where private networks were allowed; this installation no longer allows them.
      let parley = await ParleyHarness.start({ ...env, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }, dir);
      const hook = (
        await parley.http().post('/v1/admin/webhooks').set(admin).send({ url: receiver.url, events: ['CommentPosted'], secret: SECRET }).expect(201)
      ).body as { id: string };
      await parley.stop();

      parley = await ParleyHarness.start(env, dir);
      try {
        const user = await parley.user('ssrf');
        const room = (await parley.http().post('/v1/rooms').set(user.auth).send({ name: 'Inside', participants: [] }).expect(201)).body.id;
        await parley.http().post(`/v1/rooms/${room}/comments`).set(user.auth).send({ text: 'to nowhere' }).expect(201);
        const deadline = Date.now() + 10_000;
        let view: Record<string, unknown>;
        for (;;) {
          view = (await parley.http().get(`/v1/admin/webhooks/${hook.id}`).set(admin).expect(200)).body;
          if (view['status'] === 'paused') break;
          if (Date.now() > deadline) throw new Error(`not paused: ${JSON.stringify(view)}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(view['lastError']).toMatch(/^refused, not sent: 127\.0\.0\.1 is a loopback address/);
        expect(receiver.receipts).toEqual([]);
      } finally {
        await parley.stop();
      }
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

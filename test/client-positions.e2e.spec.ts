import { HttpStatusError, SseClient } from './support/feed-clients';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { WebhookReceiver } from './support/webhook-receiver';

const API_KEY = 'test-admin-key-0123456789-abcdefghijklmnop';
const admin = { 'X-Api-Key': API_KEY };

/*
 * Positions clients send back (a feed's Last-Event-ID or ?from=, a webhook
 * replay's from, the admin export's from), against a store whose positions
 * have EventStoreDB's packed form (commit << 64 | prepare): sparse, and a read
 * from a position no event has is refused, as EventStoreDB refuses it. What
 * the store cannot have issued is a 400 naming the field; nothing derives one
 * position from another.
 */
describe("clients' positions on a store with EventStoreDB's position form", () => {
  let parley: ParleyHarness;
  let base: string;
  let alice: TestUser;
  let room: string;
  const receivers: WebhookReceiver[] = [];
  const open: SseClient[] = [];

  beforeAll(async () => {
    parley = await ParleyHarness.start({
      EVENT_STORE_URL: 'memory:packed',
      READ_STORE_URL: 'memory:',
      ADMIN_API_KEY: API_KEY,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_BASE_MS: '20',
    });
    base = await parley.listen();
    alice = await parley.user('alice', 'Alice');
    room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Packed', participants: [] }).expect(201)).body.id;
  });

  afterAll(async () => {
    for (const client of open) client.close();
    await Promise.all(receivers.map((r) => r.close()));
    await parley.stop();
  });

  const post = async (text: string) =>
    (await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text }).expect(201)).body as { id: string; position: string };
  /** Just below an event's position: at or before the head, yet no event's on a packed log. */
  const between = (position: string) => (BigInt(position) - 1n).toString();
  const refusal = async (attempt: Promise<unknown>) => {
    const error = (await attempt.then(
      () => null,
      (e: unknown) => e,
    )) as HttpStatusError | null;
    expect(error).toBeInstanceOf(HttpStatusError);
    return { status: (error as HttpStatusError).status, body: JSON.parse((error as HttpStatusError).body) as Record<string, unknown> };
  };

  it('answers positions in the packed form', async () => {
    const comment = await post('hello');
    expect(BigInt(comment.position) >> 64n).toBeGreaterThan(0n);
  });

  it('resumes a feed after a position it sent, and refuses one it cannot have sent with 400 naming the field', async () => {
    const first = await post('one');
    const second = await post('two');
    const resumed = await SseClient.connect(base, alice.token, { from: first.position });
    open.push(resumed);
    await resumed.waitForPosition(second.position);
    expect(resumed.events.map((e) => e.id)).not.toContain(first.position);

    const invalid = await refusal(SseClient.connect(base, alice.token, { lastEventId: between(second.position) }));
    expect(invalid).toMatchObject({ status: 400, body: { code: 'FEED.FROM_INVALID', details: [{ field: 'Last-Event-ID' }] } });
    const ahead = await refusal(SseClient.connect(base, alice.token, { from: (BigInt(second.position) + (1n << 64n)).toString() }));
    expect(ahead).toMatchObject({ status: 400, body: { code: 'FEED.FROM_AHEAD', details: [{ field: 'from' }] } });
    // One past every pair EventStoreDB can hold.
    const huge = await refusal(SseClient.connect(base, alice.token, { from: '9'.repeat(40) }));
    expect(huge).toMatchObject({ status: 400, body: { code: 'FEED.FROM_AHEAD' } });
  });

  it('refuses an export from a position the log never issued before the first line', async () => {
    const comment = await post('exported');
    const res = await parley.http().get(`/v1/admin/events?from=${between(comment.position)}`).set(admin);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'EVENTS.FROM_INVALID', details: [{ field: 'from' }] });
    const ok = await parley.http().get(`/v1/admin/events?from=${comment.position}&limit=1`).set(admin).buffer(true);
    expect(ok.status).toBe(200);
  });

  it('replays a webhook from an event it sent, that event included, and refuses a position no event has', async () => {
    const hook = await WebhookReceiver.start();
    receivers.push(hook);
    const registered = await parley.http().post('/v1/admin/webhooks').set(admin).send({ url: hook.url, events: ['CommentPosted'], secret: 'whsec-0123456789abcdef' });
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    const first = await post('first');
    const second = await post('second');
    await hook.waitForAccepted(second.position);

    const invalid = await parley.http().post(`/v1/admin/webhooks/${id}/replay`).set(admin).send({ from: between(first.position) });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: 'WEBHOOK.REPLAY_INVALID', details: [{ field: 'from' }] });
    const ahead = await parley.http().post(`/v1/admin/webhooks/${id}/replay`).set(admin).send({ from: (BigInt(second.position) + (1n << 64n)).toString() });
    expect(ahead.status).toBe(400);
    expect(ahead.body).toMatchObject({ code: 'WEBHOOK.REPLAY_AHEAD' });

    await parley.http().post(`/v1/admin/webhooks/${id}/replay`).set(admin).send({ from: first.position }).expect(200);
    await hook.waitFor((r) => r.accepted.length === 4, 'the replayed deliveries');
    expect(hook.accepted.map((r) => r.position)).toEqual([first.position, second.position, first.position, second.position]);
    await parley.http().delete(`/v1/admin/webhooks/${id}`).set(admin).expect(200);
  });

  it('reports the read models\' lag as a count of events and in seconds, never as a difference of positions', async () => {
    await post('last');
    await parley.settled();
    const health = await parley.http().get('/health').expect(200);
    expect(health.body.readModels).toMatchObject({ behindBy: '0', secondsBehind: 0 });
  });
});

import { FeedHub } from '../apps/api/feed/feed-hub';
import { SseClient, WsClient, type HttpStatusError } from './support/feed-clients';
import { ParleyHarness } from './support/parley-app';

const refusal = async (connecting: Promise<unknown>): Promise<{ status: number; body: unknown }> => {
  const error = (await connecting.then(
    () => {
      throw new Error('the feed connection was accepted');
    },
    (e: unknown) => e,
  )) as HttpStatusError;
  return { status: error.status, body: JSON.parse(error.body) };
};

describe('feed connections per user', () => {
  let parley: ParleyHarness;
  let base: string;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    parley = await ParleyHarness.start({ FEED_MAX_CONNECTIONS_PER_USER: '3' });
    base = await parley.listen();
  });
  afterAll(async () => {
    for (const client of open) client.close();
    await parley.stop();
  });

  it('refuses a user’s feed beyond the cap with 429 FEED.TOO_MANY_CONNECTIONS, over SSE and WebSocket alike; a closed one frees its slot', async () => {
    const alice = await parley.user('alice');
    const bob = await parley.user('bob');
    const first = await SseClient.connect(base, alice.token);
    open.push(first);
    open.push(await SseClient.connect(base, alice.token));
    open.push(await WsClient.connect(base, { token: alice.token }));

    const tooManySse = await refusal(SseClient.connect(base, alice.token));
    const tooManyWs = await refusal(WsClient.connect(base, { token: alice.token }));
    for (const refused of [tooManySse, tooManyWs]) {
      expect(refused).toEqual({
        status: 429,
        body: { statusCode: 429, code: 'FEED.TOO_MANY_CONNECTIONS', message: expect.stringContaining('3') },
      });
    }
    // The Retry-After header on the SSE refusal.
    const plain = await parley.http().get('/v1/me/feed').set(alice.auth);
    expect(plain.status).toBe(429);
    expect(Number(plain.headers['retry-after'])).toBeGreaterThan(0);

    // Another user is not affected.
    open.push(await SseClient.connect(base, bob.token));

    // Closing a connection gives its slot back (once the server has seen the close).
    first.close();
    const hub = parley.app.get(FeedHub);
    const deadline = Date.now() + 10_000;
    while (hub.connections(alice.id) > 2) {
      if (Date.now() > deadline) throw new Error(`slot not freed: ${hub.connections(alice.id)} held`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    open.push(await WsClient.connect(base, { token: alice.token }));
    await refusal(SseClient.connect(base, alice.token));
  });
});

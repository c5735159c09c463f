import { randomBytes } from 'node:crypto';
import { SseClient } from './support/feed-clients';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { Projector } from '../libs/projection/projector';
import { MemoryReadStore } from '../libs/read-store/memory-read-store';
import { EVENT_STORE, READ_STORE } from '../apps/api/infrastructure/tokens';
import type { EventStore } from '../libs/event-store/event-store.port';
import type { Doc, ReadStore } from '../libs/read-store/read-store.port';
import { parleyProjections } from '../projections';

/*
 * The production profile end to end, against servers named in the
 * environment (`npm run test:production`; README, "Production profile
 * tests"): PARLEY_PRODUCTION_EVENT_STORE_URL (esdb://...) and
 * PARLEY_PRODUCTION_READ_STORE_URL (mongodb://..., a replica set). Without
 * them it skips with one line. Any store URL works, so the scenario itself is
 * also run here on memory:packed + memory:.
 */
const eventStoreUrl = process.env['PARLEY_PRODUCTION_EVENT_STORE_URL'];
const readStoreUrl = process.env['PARLEY_PRODUCTION_READ_STORE_URL'];
const configured = eventStoreUrl !== undefined && eventStoreUrl !== '' && readStoreUrl !== undefined && readStoreUrl !== '';
if (!configured) {
  console.log('[parley] production scenario skipped: set PARLEY_PRODUCTION_EVENT_STORE_URL and PARLEY_PRODUCTION_READ_STORE_URL (npm run test:production)');
}
const withStores = configured ? describe : describe.skip;
const API_KEY = `test-admin-key-${randomBytes(16).toString('hex')}`;

withStores('the production profile, end to end', () => {
  let parley: ParleyHarness;
  let base: string;
  let alice: TestUser;
  let bob: TestUser;
  const env = {
    EVENT_STORE_URL: eventStoreUrl!,
    READ_STORE_URL: readStoreUrl!,
    JWT_SECRET: process.env['JWT_SECRET'] || randomBytes(32).toString('base64'),
    PERSONAL_DATA_KEY: process.env['PERSONAL_DATA_KEY'] || randomBytes(32).toString('base64'),
    ADMIN_API_KEY: API_KEY,
  };

  beforeAll(async () => {
    parley = await ParleyHarness.start(env);
    base = await parley.listen();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
  }, 120_000);

  afterAll(async () => {
    await parley?.stop();
  });

  it('registers, opens a room, takes 50 concurrent posts, feeds them, exports them and rebuilds to the same documents', async () => {
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Production', participants: [bob.id] }).expect(201)).body as {
      id: string;
      position: string;
    };
    const feed = await SseClient.connect(base, bob.token, { from: room.position });
    try {
      const posts = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          parley
            .http()
            .post(`/v1/rooms/${room.id}/comments`)
            .set(i % 2 === 0 ? alice.auth : bob.auth)
            .send({ text: `post ${i}` })
            .expect(201)
            .then((res) => res.body as { id: string; position: string; seq: number }),
        ),
      );
      // Order within the room is total: 50 distinct sequence numbers.
      expect(new Set(posts.map((p) => p.seq)).size).toBe(50);
      const last = posts.reduce((a, b) => (BigInt(a.position) > BigInt(b.position) ? a : b));
      const timeline = await parley.http().get(`/v1/rooms/${room.id}/comments?limit=100`).set(alice.auth).set('X-Min-Position', last.position).expect(200);
      const listed = (timeline.body.items ?? timeline.body.comments ?? timeline.body) as { id: string }[];
      // The room's own items (its creation, members) list beside the comments.
      expect(listed.map((c) => c.id)).toEqual(expect.arrayContaining(posts.map((p) => p.id)));

      await feed.waitForPosition(last.position, 30_000);
      const fed = feed.messages.filter((m) => m.type === 'CommentPosted').map((m) => (m.data as { commentId?: string; id?: string }).commentId ?? (m.data as { id?: string }).id);
      expect(fed).toEqual(expect.arrayContaining(posts.map((p) => p.id)));

      const exported = await parley.http().get(`/v1/admin/events?types=CommentPosted&streamPrefix=comments-${room.id}`).set('X-Api-Key', API_KEY).buffer(true).parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      });
      expect(exported.status).toBe(200);
      const lines = (exported.body as string).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line['type'] === 'CommentPosted')).toHaveLength(50);

      // A rebuild of the read models from the log gives the timeline documents the API serves.
      const rebuilt = new MemoryReadStore();
      try {
        await new Projector(parley.app.get<EventStore>(EVENT_STORE), rebuilt, parleyProjections).catchUp();
        const byId = (docs: readonly Doc[]) => [...docs].sort((a, b) => (a.id < b.id ? -1 : 1));
        const served = byId(await parley.app.get<ReadStore>(READ_STORE).find('timeline', { filter: { roomId: room.id } }));
        expect(byId(await rebuilt.find('timeline', { filter: { roomId: room.id } }))).toEqual(served);
        expect(served.length).toBeGreaterThanOrEqual(50);
      } finally {
        await rebuilt.close();
      }
    } finally {
      feed.close();
    }
  }, 180_000);
});

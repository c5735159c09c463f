import { READ_STORE } from '../apps/api/infrastructure/tokens';
import { aliasOf } from '../libs/domain/aliases';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { ParleyHarness } from './support/parley-app';

const APP_ID = 'parley-lagging';
const SECRET = 'qiscus-secret-lagging-0123456789';

/**
 * A Qiscus client names comments and rooms by integer ids the read models
 * resolve. While the projector is behind past MIN_POSITION_WAIT_MS, an id of
 * a comment that exists is "not yet" (503 READ_MODEL.BEHIND, Retry-After),
 * never "names no comment of this room" (400), and nothing is written; once
 * the projector catches up, the same request succeeds.
 */
describe('Qiscus ids while the read models lag', () => {
  let parley: ParleyHarness;
  const as = (token: string) => ({ 'QISCUS-SDK-APP-ID': APP_ID, 'QISCUS-SDK-TOKEN': token, 'QISCUS-SDK-PLATFORM': 'javascript' });
  const head = async () => (await parley.http().get('/health')).body.eventStore.head as string;
  const login = async (email: string, username: string) =>
    (await parley.http().post('/api/v2/sdk/login_or_register').set('QISCUS-SDK-APP-ID', APP_ID).type('form').send({ email, password: 'key 0123', username, extras: '' }).expect(200))
      .body.results.user as { id: number; email: string; token: string };

  beforeAll(async () => {
    // The in-process projector commits through the app's READ_STORE, which the test can hold.
    parley = await ParleyHarness.start({ EVENT_STORE_URL: 'memory:', READ_STORE_URL: 'memory:', QISCUS_APP_ID: APP_ID, QISCUS_SDK_SECRET: SECRET, MIN_POSITION_WAIT_MS: '300' });
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('answers 503 READ_MODEL.BEHIND for a comment the timeline has not reached, writes nothing, and takes it once it has', async () => {
    const alice = await login('alice.lag@example.com', 'Alice');
    const bob = await login('bob.lag@example.com', 'Bob');
    const form = `name=Lagging&participants%5B%5D%5B0%5D=${encodeURIComponent(bob.email)}&options=`;
    const roomAlias = (await parley.http().post('/api/v2/sdk/create_room').set(as(alice.token)).type('form').send(form).expect(200)).body.results.room.id as number;
    const bearer = { Authorization: `Bearer ${alice.token}` };
    await parley.settled();
    const room = ((await parley.http().get('/v1/rooms').set(bearer).expect(200)).body.items as { id: string; name: string }[]).find((r) => r.name === 'Lagging')!;

    // Hold the projector's commits: the read models stop where they are.
    const readStore = parley.app.get<ReadStore>(READ_STORE);
    const original = readStore.commit.bind(readStore);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = jest.spyOn(readStore, 'commit').mockImplementation(async (...args) => {
      await released;
      return original(...args);
    });
    try {
      const posted = (await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bearer).send({ text: 'read me' }).expect(201)).body as { position: string };
      const commentAlias = aliasOf(BigInt(posted.position));
      const before = await head();
      const lagging = await parley
        .http()
        .post('/api/v2/sdk/update_comment_status')
        .set(as(bob.token))
        .type('form')
        .send({ room_id: String(roomAlias), last_comment_read_id: String(commentAlias) });
      expect(lagging.status).toBe(503);
      expect(lagging.headers['retry-after']).toBe('1');
      expect(JSON.stringify(lagging.body)).toContain('READ_MODEL.BEHIND');
      expect(await head()).toBe(before);

      release();
      await parley.settled();
      const read = await parley
        .http()
        .post('/api/v2/sdk/update_comment_status')
        .set(as(bob.token))
        .type('form')
        .send({ room_id: String(roomAlias), last_comment_read_id: String(commentAlias) })
        .expect(200);
      expect(read.body.results).toMatchObject({ changed: true, last_comment_read_id: commentAlias });
    } finally {
      release();
      held.mockRestore();
    }
  });
});

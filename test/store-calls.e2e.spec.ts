import type { EventStore } from '../libs/event-store/event-store.port';
import { RAW_EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { ParleyHarness, type TestUser } from './support/parley-app';

/*
 * Issue #12's goal for the production profile: one comment post and one
 * keyed reply make one event-store call each (the append), and read only on
 * a cache miss. Counted here with a counting wrapper around the API's own
 * event-store adapter (the store EventStoreDB's adapter would be), on the
 * memory log with EventStoreDB's position form. The subscription that feeds
 * the live log and the in-process projector is one long call, not counted
 * per request (on EventStoreDB the projector is its own process).
 * docs/architecture.md ("Server calls per command") has the count per step.
 */

type Method = 'append' | 'readStream' | 'streamRevision' | 'readAll' | 'headPosition' | 'checkPosition' | 'countAfter';
const COUNTED: readonly Method[] = ['append', 'readStream', 'streamRevision', 'readAll', 'headPosition', 'checkPosition', 'countAfter'];

/** Replaces the adapter's calls with ones that note `method stream` first; answers the notes so far. */
function countCalls(store: EventStore): { calls: string[] } {
  const noted = { calls: [] as string[] };
  const target = store as unknown as Record<Method, (...args: unknown[]) => unknown>;
  for (const method of COUNTED) {
    const real = target[method].bind(store);
    target[method] = (...args: unknown[]) => {
      noted.calls.push(typeof args[0] === 'string' ? `${method} ${args[0]}` : method);
      return real(...args);
    };
  }
  return noted;
}

describe('event-store calls per comment', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  let counter: { calls: string[] };

  beforeAll(async () => {
    parley = await ParleyHarness.start({ EVENT_STORE_URL: 'memory:packed', READ_STORE_URL: 'memory:', KEY_STORE_URL: 'memory:' });
    alice = await parley.user('alice');
    bob = await parley.user('bob');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Counted', participants: [bob.id] }).expect(201)).body.id;
    // Warm: this process reads the room's comment tail once, and each user's state once after its own writes.
    await post(alice, { text: 'warm' }).expect(201);
    await post(bob, { text: 'warm too' }).expect(201);
    await parley.settled();
    counter = countCalls(parley.app.get<EventStore>(RAW_EVENT_STORE));
  }, 60_000);

  afterAll(async () => {
    await parley?.stop();
  });

  const post = (user: TestUser, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    parley.http().post(`/v1/rooms/${roomId}/comments`).set(user.auth).set(headers).send(body);

  it('posts a comment with one call: the append to the room\'s comment stream', async () => {
    counter.calls.length = 0;
    await post(alice, { text: 'one call' }).expect(201);
    expect(counter.calls).toEqual([`append comments-${roomId}`]);
  });

  it('posts a keyed reply with one call, and answers its retry with none', async () => {
    const parent = await post(alice, { text: 'parent' }).expect(201);
    // The reply's target and the key are looked up in the timeline read model: once it passed the room's head, nothing is read.
    await parley.settled();
    counter.calls.length = 0;
    const reply = await post(bob, { text: 'keyed reply', replyTo: parent.body.id }, { 'Idempotency-Key': 'counted-reply-1' }).expect(201);
    expect(counter.calls).toEqual([`append comments-${roomId}`]);

    await parley.settled();
    counter.calls.length = 0;
    const retry = await post(bob, { text: 'keyed reply', replyTo: parent.body.id }, { 'Idempotency-Key': 'counted-reply-1' }).expect(201);
    expect(retry.body.id).toBe(reply.body.id);
    expect(counter.calls).toEqual([]);
  });
});

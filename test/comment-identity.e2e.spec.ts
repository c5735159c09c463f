import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMENT_MAX_BYTES } from '../libs/domain/comments/comment.decider';
import { EVENT_VERSIONS, type CommentPosted } from '../libs/domain/events';
import { idFromKey } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import { MAX_APPEND_BYTES, type EventStore, type NewEvent } from '../libs/event-store/event-store.port';
import { CommentSequencer } from '../apps/api/comments/comment-sequencer';
import { RAW_EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { ParleyHarness, type TestUser } from './support/parley-app';

/*
 * Issue #12: the event store is stream-only, so a comment's identity (its
 * client key) lives in the comments feature, and appends are capped by bytes.
 */

const KiB = 1024;

/** UTF-8 bytes of what an append carries, as the adapters serialise it. */
const appendedBytes = (events: readonly NewEvent[]): number =>
  events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata)), 0);

async function head(parley: ParleyHarness): Promise<string | null> {
  return (await parley.http().get('/health').expect(200)).body.eventStore.head as string | null;
}

describe('comment identity without lookups by event id', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-identity-'));
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start({}, dataDir);
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Busy', participants: [bob.id] }).expect(201)).body.id;
  });
  afterAll(async () => {
    await parley.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (user: TestUser, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    parley.http().post(`/v1/rooms/${roomId}/comments`).set(user.auth).set(headers).send(body);

  /** What a retry must give back: the same comment (its position may be the append's last, see decision 0014). */
  const identity = (body: Record<string, unknown>) => {
    const { position: _position, ...rest } = body;
    return rest;
  };

  it('answers a clientId retry with the original after 10,000 other comments, before and after the read model caught up, and after a restart', async () => {
    const original = await post(bob, { text: 'the first', clientId: 'late-retry-1' }).expect(201);
    const keyed = await post(alice, { text: 'keyed' }, { 'Idempotency-Key': 'late-key-1' }).expect(201);

    // 10,000 comments by another writer of the same log: the sequencer's kept tail is stale, the expected revision says so.
    const store = parley.app.get<EventStore>(RAW_EVENT_STORE);
    const [last] = await store.readStream(streams.comments(roomId), { direction: 'backwards', maxCount: 1 });
    let seq = last!.revision + 1;
    let previousId = (last!.data as CommentPosted['data']).commentId;
    for (let batch = 0; batch < 20; batch++) {
      const events: NewEvent[] = [];
      for (let i = 0; i < 500; i++) {
        const commentId = idFromKey('identity-filler', String(batch), String(i));
        const data: CommentPosted['data'] = {
          commentId, roomId, seq: ++seq, previousId, senderId: alice.id, text: `filler ${seq}`, commentType: 'text',
          payload: null, replyTo: null, clientId: null, postedAt: new Date().toISOString(),
        };
        previousId = commentId;
        events.push({ id: commentId, type: 'CommentPosted', version: EVENT_VERSIONS.CommentPosted, data, metadata: { actor: alice.id } });
      }
      await store.append(streams.comments(roomId), events, seq - 501);
    }
    const before = await head(parley);

    // Right away: the read model may not have seen the filler; the stream after its checkpoint answers.
    const early = await post(bob, { text: 'the first', clientId: 'late-retry-1' }).expect(201);
    expect(identity(early.body)).toEqual(identity(original.body));

    await parley.settled();
    const late = await post(bob, { text: 'the first', clientId: 'late-retry-1' }).expect(201);
    expect(late.body).toEqual(original.body);
    const lateKeyed = await post(alice, { text: 'keyed' }, { 'Idempotency-Key': 'late-key-1' }).expect(201);
    expect(lateKeyed.body).toEqual(keyed.body);
    expect(await head(parley)).toBe(before);

    // The next new comment continues after the filler.
    const next = await post(alice, { text: 'after the crowd' }).expect(201);
    expect(next.body.seq).toBe(seq + 1);
    expect(next.body.previousId).toBe(previousId);

    await parley.stop();
    parley = await ParleyHarness.start({}, dataDir);
    const afterRestart = await post(bob, { text: 'the first', clientId: 'late-retry-1' }).expect(201);
    expect(afterRestart.body).toEqual(original.body);
    const keyedAfterRestart = await post(alice, { text: 'keyed' }, { 'Idempotency-Key': 'late-key-1' }).expect(201);
    expect(keyedAfterRestart.body).toEqual(keyed.body);
    expect(BigInt((await head(parley))!)).toBe(BigInt(next.body.position));
  });

  it('stores one comment when the original and its retries race, among other posts to the room', async () => {
    const before = BigInt((await head(parley))!);
    const racing = Array.from({ length: 12 }, () => post(bob, { text: 'racing', clientId: 'race-identity' }));
    const others = Array.from({ length: 30 }, (_, i) => post(alice, { text: `other ${i}` }));
    const [mine, theirs] = await Promise.all([Promise.all(racing), Promise.all(others)]);
    expect(new Set(mine.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(theirs.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(mine.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(mine.map((r) => r.body.seq)).size).toBe(1);
    const written = await parley.app.get<EventStore>(RAW_EVENT_STORE).readAll({ after: before, maxCount: 1_000 });
    expect(written.filter((e) => e.type === 'CommentPosted')).toHaveLength(31);
    expect(written.filter((e) => (e.data as CommentPosted['data']).clientId === 'race-identity')).toHaveLength(1);
  });

  it('threads a keyed reply and deletes a comment found in the room, whether projected yet or not', async () => {
    const parent = await post(alice, { text: 'parent' }).expect(201);
    // Straight away: the reply target may not be projected yet.
    const reply = await post(bob, { text: 'reply', replyTo: parent.body.id, clientId: 'reply-1' }).expect(201);
    expect(reply.body.replyTo).toBe(parent.body.id);
    const again = await post(bob, { text: 'reply', replyTo: parent.body.id, clientId: 'reply-1' }).expect(201);
    expect(again.body.id).toBe(reply.body.id);
    const fresh = await post(bob, { text: 'delete me' }).expect(201);
    await parley.http().delete(`/v1/rooms/${roomId}/comments/${fresh.body.id}`).set(bob.auth).expect(200);
    await parley.settled();
    await parley.http().delete(`/v1/rooms/${roomId}/comments/${reply.body.id}`).set(bob.auth).expect(200);
    await parley.http().delete(`/v1/rooms/${roomId}/comments/${reply.body.id}`).set(bob.auth).expect(404);
  });
});

describe('comment size', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let roomId: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Big', participants: [] }).expect(201)).body.id;
  });
  afterAll(async () => {
    await parley.stop();
  });

  const post = (body: Record<string, unknown>) => parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send(body);

  it('refuses a comment of 70 KiB with 413 COMMENT.TOO_LARGE, writes nothing, and fails no other comment of its turn', async () => {
    const before = BigInt((await head(parley))!);
    const [big, split, ...others] = await Promise.all([
      post({ text: 'x'.repeat(70 * KiB) }),
      post({ text: 'x'.repeat(40 * KiB), payload: { blob: 'y'.repeat(30 * KiB) } }),
      ...Array.from({ length: 8 }, (_, i) => post({ text: `small ${i}` })),
    ]);
    for (const refused of [big!, split!]) {
      expect(refused.status).toBe(413);
      expect(refused.body).toMatchObject({ statusCode: 413, code: 'COMMENT.TOO_LARGE' });
      expect(refused.body.details[0].field).toMatch(/text/);
    }
    expect(others.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(BigInt((await head(parley))!) - before).toBe(8n);
    // The text field's own limit lets the byte rule speak: 60 KiB of text is a comment.
    const sixty = await post({ text: 'z'.repeat(60 * KiB) });
    expect(sixty.status).toBe(201);
    expect(sixty.body.text).toHaveLength(60 * KiB);
    expect(Buffer.byteLength('é'.repeat(COMMENT_MAX_BYTES / 2 + 1))).toBeGreaterThan(COMMENT_MAX_BYTES);
    expect((await post({ text: 'é'.repeat(COMMENT_MAX_BYTES / 2 + 1) })).status).toBe(413);
  });

  it('lands 256 comments of 60 KiB posted at once to one room, in appends under 1 MiB each', async () => {
    const store = parley.app.get<EventStore>(RAW_EVENT_STORE);
    const appends: { streamId: string; count: number; bytes: number }[] = [];
    const original = store.append.bind(store);
    const spy = jest.spyOn(store, 'append').mockImplementation((streamId, events, expected) => {
      appends.push({ streamId, count: events.length, bytes: appendedBytes(events) });
      return original(streamId, events, expected);
    });
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Huge', participants: [] }).expect(201)).body.id as string;
    try {
      const text = (i: number) => `${String(i).padStart(4, '0')}${'w'.repeat(60 * KiB - 4)}`;
      const results = await Promise.all(
        Array.from({ length: 256 }, (_, i) => parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: text(i) })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(256).fill(201));
      expect(new Set(results.map((r) => r.body.seq))).toEqual(new Set(Array.from({ length: 256 }, (_, i) => i + 1)));
    } finally {
      spy.mockRestore();
    }
    const turns = appends.filter((a) => a.streamId === streams.comments(room));
    expect(turns.reduce((sum, a) => sum + a.count, 0)).toBe(256);
    for (const turn of turns) expect(turn.bytes).toBeLessThan(MAX_APPEND_BYTES);
    // 256 × 60 KiB is 15 MiB: at least 16 appends (how many more depends on how the requests arrive).
    expect(turns.length).toBeGreaterThanOrEqual(16);
    const stream = await store.readStream(streams.comments(room));
    expect(stream.map((e) => (e.data as CommentPosted['data']).text.slice(0, 4)).sort()).toEqual(
      Array.from({ length: 256 }, (_, i) => String(i).padStart(4, '0')),
    );
  });

  it('splits one queue of 256 comments of 60 KiB into turns under 1 MiB, each as full as the cap allows', async () => {
    const store = parley.app.get<EventStore>(RAW_EVENT_STORE);
    const sequencer = parley.app.get(CommentSequencer);
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Queue', participants: [] }).expect(201)).body.id as string;
    const appends: { streamId: string; count: number; bytes: number }[] = [];
    const original = store.append.bind(store);
    const spy = jest.spyOn(store, 'append').mockImplementation((streamId, events, expected) => {
      appends.push({ streamId, count: events.length, bytes: appendedBytes(events) });
      return original(streamId, events, expected);
    });
    try {
      // Queued in one go, as a busy room's posts are while an append is in flight.
      const posted = await Promise.all(
        Array.from({ length: 256 }, (_, i) =>
          sequencer.post(
            {
              type: 'PostComment', commentId: idFromKey('queued', room, String(i)), roomId: room, actor: alice.id,
              text: `${String(i).padStart(4, '0')}${'q'.repeat(60 * KiB - 4)}`, commentType: 'text', payload: null,
              replyTo: null, clientId: null, now: new Date().toISOString(),
            },
            { actor: alice.id, correlationId: `queued-${i}`, causationId: `queued-${i}` },
            false,
          ),
        ),
      );
      expect(posted.map((c) => c.seq)).toEqual(Array.from({ length: 256 }, (_, i) => i + 1));
    } finally {
      spy.mockRestore();
    }
    const turns = appends.filter((a) => a.streamId === streams.comments(room));
    expect(turns.reduce((sum, a) => sum + a.count, 0)).toBe(256);
    for (const turn of turns) expect(turn.bytes).toBeLessThan(MAX_APPEND_BYTES);
    // The first post starts a turn alone; the other 255 wait and go in turns of as many as fit under the cap.
    expect(turns[0]!.count).toBe(1);
    expect(Math.max(...turns.map((t) => t.count))).toBeGreaterThan(10);
    expect(turns.length).toBeLessThanOrEqual(1 + Math.ceil((255 * 62 * KiB) / (MAX_APPEND_BYTES - 64 * KiB)) + 1);
    const stream = await store.readStream(streams.comments(room));
    expect(stream.map((e) => (e.data as CommentPosted['data']).text.slice(0, 4))).toEqual(
      Array.from({ length: 256 }, (_, i) => String(i).padStart(4, '0')),
    );
  });
  it('answers each post of a grouped turn with its own position, the one the log holds for it', async () => {
    const store = parley.app.get<EventStore>(RAW_EVENT_STORE);
    const sequencer = parley.app.get(CommentSequencer);
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Grouped', participants: [] }).expect(201)).body.id as string;
    const counts: number[] = [];
    const original = store.append.bind(store);
    const spy = jest.spyOn(store, 'append').mockImplementation((streamId, events, expected) => {
      if (streamId === streams.comments(room)) counts.push(events.length);
      return original(streamId, events, expected);
    });
    let posted: { id: string; position: string }[];
    try {
      // Queued in one go: the first post goes alone, the rest wait and share appends.
      posted = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          sequencer.post(
            {
              type: 'PostComment', commentId: idFromKey('grouped', room, String(i)), roomId: room, actor: alice.id,
              text: `grouped ${i}`, commentType: 'text', payload: null, replyTo: null, clientId: null, now: new Date().toISOString(),
            },
            { actor: alice.id, correlationId: `grouped-${i}`, causationId: `grouped-${i}` },
            false,
          ),
        ),
      );
    } finally {
      spy.mockRestore();
    }
    expect(Math.max(...counts)).toBeGreaterThan(1);
    const logged = new Map((await store.readStream(streams.comments(room))).map((e) => [(e.data as CommentPosted['data']).commentId, e.position.toString()]));
    expect(posted.map((c) => c.position)).toEqual(posted.map((c) => logged.get(c.id)));
    expect(new Set(posted.map((c) => c.position)).size).toBe(20);
  });
});

import { verifyLog } from '../libs/streaming/log-codec';
import { ParleyHarness, type TestUser } from './support/parley-app';

const KEY = 'audit-key-0123456789-0123456789-abcdef';

async function* linesOf(text: string): AsyncGenerator<string> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  yield* lines;
}

describe('the event stream and audit views (API key)', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let roomId: string;
  const marks: Record<string, string> = {};

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: KEY });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
    const room = await parley.http().post('/v1/rooms').set(alice.auth).set('X-Correlation-Id', 'create-trip').send({ name: 'Trip', participants: [bob.id] });
    roomId = room.body.id;
    await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'first' }).expect(201);
    const second = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'second' }).expect(201);
    marks['afterSecond'] = second.body.position;
    await new Promise((resolve) => setTimeout(resolve, 20));
    marks['timeAfterSecond'] = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await parley.http().patch(`/v1/rooms/${roomId}`).set(alice.auth).send({ name: 'Trip 2' }).expect(200);
    await parley.http().post(`/v1/rooms/${roomId}/members`).set(alice.auth).send({ userIds: [carol.id] }).expect(200);
    await parley.http().delete(`/v1/rooms/${roomId}/comments/${second.body.id}`).set(bob.auth).expect(200);
    const third = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(carol.auth).send({ text: 'third' }).expect(201);
    marks['end'] = third.body.position;
  });
  afterAll(async () => {
    await parley.stop();
  });

  const admin = (path: string) => parley.http().get(path).set('X-Api-Key', KEY);

  it('refuses the admin API without the key, or with a wrong one', async () => {
    expect((await parley.http().get('/v1/admin/events')).status).toBe(401);
    const wrong = await parley.http().get('/v1/admin/events').set('X-Api-Key', 'x'.repeat(40));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('AUTH.API_KEY_INVALID');
    const userToken = await parley.http().get('/v1/admin/audit/rooms/' + roomId).set(alice.auth);
    expect(userToken.status).toBe(401);
  });

  it('streams the whole log as verifiable NDJSON, resumable from a position', async () => {
    const res = await admin('/v1/admin/events').buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => cb(null, text));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const text = res.body as string;
    const verified = await verifyLog(linesOf(text));
    expect(verified.ok).toBe(true);
    const lines = text.trimEnd().split('\n').slice(1, -1).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['UserRegistered', 'RoomCreated', 'MemberAdded', 'CommentPosted', 'CommentDeleted']));
    const created = lines.find((l) => l.type === 'RoomCreated');
    expect(created.metadata).toMatchObject({ actor: alice.id, correlationId: 'create-trip' });
    expect(created.metadata.causationId).toEqual(expect.any(String));

    // Resume after the fifth line with its hash: the rest continues the same chain.
    const fifth = lines[4];
    const rest = await admin(`/v1/admin/events?from=${fifth.position}&prevHash=${fifth.hash}`).buffer(true).parse((r, cb) => {
      let t = '';
      r.on('data', (c: Buffer) => (t += c.toString()));
      r.on('end', () => cb(null, t));
    });
    const restLines = (rest.body as string).trimEnd().split('\n').slice(1, -1).map((l) => JSON.parse(l));
    expect(restLines.map((l) => l.id)).toEqual(lines.slice(5).map((l) => l.id));
    expect(restLines[restLines.length - 1].hash).toBe(lines[lines.length - 1].hash);
  });

  it('follows the log for a continuous backup until the client goes away', async () => {
    const base = await parley.listen();
    const received: string[] = [];
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/admin/events?types=CommentPosted&follow=true`, {
      headers: { 'X-Api-Key': KEY },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const readUntil = async (count: number) => {
      while (received.length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        received.push(...lines.filter((l) => l !== ''));
      }
    };
    await readUntil(4); // header + the three comments so far
    await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'live' }).expect(201);
    await readUntil(5);
    expect(JSON.parse(received[4]!).data.text).toBe('live');
    expect(await verifyLog(linesOf(received.join('\n') + '\n'))).toMatchObject({ ok: false, reason: expect.stringContaining('still following') });
    controller.abort();
  });

  it('filters by type, stream prefix and limit', async () => {
    const res = await admin(`/v1/admin/events?types=CommentPosted&streamPrefix=comments-${roomId}&limit=2`).buffer(true).parse((r, cb) => {
      let t = '';
      r.on('data', (c: Buffer) => (t += c.toString()));
      r.on('end', () => cb(null, t));
    });
    const lines = (res.body as string).trimEnd().split('\n');
    const events = lines.slice(1, -1).map((l) => JSON.parse(l));
    expect(events.map((e) => e.data.text)).toEqual(['first', 'second']);
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ kind: 'trailer', count: 2 });
    const bad = await admin('/v1/admin/events?types=Nope');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('types');
    const badFrom = await admin('/v1/admin/events?from=-3');
    expect(badFrom.status).toBe(400);
  });

  it('shows a room as it was at a position and at a time, from the log', async () => {
    const then = await admin(`/v1/admin/audit/rooms/${roomId}?at=${marks['afterSecond']}`);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ name: 'Trip', exists: true, totalComments: 2 });
    expect(then.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual([alice.id, bob.id].sort());
    expect(then.body.comments.map((c: { text: string; deleted: boolean }) => [c.text, c.deleted])).toEqual([
      ['first', false],
      ['second', false],
    ]);
    const byTime = await admin(`/v1/admin/audit/rooms/${roomId}?at=${encodeURIComponent(marks['timeAfterSecond']!)}`);
    expect(byTime.body.name).toBe('Trip');
    expect(byTime.body.totalComments).toBe(2);
    const now = await admin(`/v1/admin/audit/rooms/${roomId}?at=${marks['end']}`);
    expect(now.body).toMatchObject({ name: 'Trip 2', totalComments: 3 });
    expect(now.body.members).toHaveLength(3);
    expect(now.body.comments.map((c: { text: string | null; deleted: boolean }) => [c.text, c.deleted])).toEqual([
      ['first', false],
      [null, true],
      ['third', false],
    ]);
    const before = await admin(`/v1/admin/audit/rooms/${roomId}?at=1`);
    expect(before.body.exists).toBe(false);
    expect((await admin(`/v1/admin/audit/rooms/${roomId}?at=yesterday`)).status).toBe(400);
    expect((await admin('/v1/admin/audit/rooms/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('lists a stream raw, with who did what and under which request', async () => {
    const res = await admin(`/v1/admin/audit/streams/room-${roomId}`);
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['RoomCreated', 'MemberAdded', 'MemberAdded', 'RoomRenamed', 'MemberAdded']);
    expect(res.body.events[0].metadata.correlationId).toBe('create-trip');
    expect(res.body.events[3].metadata.actor).toBe(alice.id);
    expect((await admin('/v1/admin/audit/streams/bad%20name')).status).toBe(400);
  });
});

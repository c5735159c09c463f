import { ParleyHarness, type TestUser } from './support/parley-app';

describe('comments and the timeline', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let roomId: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Chat', participants: [bob.id] }).expect(201);
    roomId = room.body.id;
  });
  afterAll(async () => {
    await parley.stop();
  });

  const post = (user: TestUser, body: Record<string, unknown>, room = roomId) =>
    parley.http().post(`/v1/rooms/${room}/comments`).set(user.auth).send(body);

  it('numbers comments 1, 2, 3 and chains each to the one before', async () => {
    const first = await post(alice, { text: 'one' });
    const second = await post(bob, { text: 'two' });
    const third = await post(alice, { text: 'three', type: 'custom', payload: { kind: 'poll' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ roomId, seq: 1, previousId: null, senderId: alice.id, text: 'one', type: 'text', replyTo: null, clientId: null });
    expect(second.body).toMatchObject({ seq: 2, previousId: first.body.id, senderId: bob.id });
    expect(third.body).toMatchObject({ seq: 3, previousId: second.body.id, type: 'custom', payload: { kind: 'poll' } });
    expect(BigInt(third.body.position)).toBeGreaterThan(BigInt(first.body.position));
    expect(Date.parse(first.body.createdAt)).not.toBeNaN();
  });

  it('answers each of many simultaneous posts with its own position, the one the timeline shows for it', async () => {
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Burst', participants: [bob.id] }).expect(201)).body.id as string;
    // Posts that arrive together are appended together; each answer must still name its own event.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? alice : bob, { text: `burst ${i}` }, room).expect(201)));
    const positions = answers.map((a) => a.body.position as string);
    expect(new Set(positions).size).toBe(12);
    const last = positions.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b));
    const list = await parley.http().get(`/v1/rooms/${room}/comments?limit=100`).set(alice.auth).set('X-Min-Position', last).expect(200);
    const shown = new Map((list.body.items as { id: string; position: string }[]).map((c) => [c.id, c.position]));
    for (const answer of answers) expect(shown.get(answer.body.id)).toBe(answer.body.position);
    // seq and position agree on the order.
    const bySeq = [...answers].sort((a, b) => a.body.seq - b.body.seq).map((a) => BigInt(a.body.position));
    expect(bySeq).toEqual([...bySeq].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('answers a retried clientId or Idempotency-Key with the original and writes nothing', async () => {
    const original = await post(bob, { text: 'once', clientId: 'tmp-123' });
    const head = (await parley.http().get('/health')).body.eventStore.head;
    const retry = await post(bob, { text: 'once', clientId: 'tmp-123' });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(original.body);
    expect((await parley.http().get('/health')).body.eventStore.head).toBe(head);
    // Another sender may use the same clientId: keys belong to their sender.
    const other = await post(alice, { text: 'mine', clientId: 'tmp-123' });
    expect(other.body.id).not.toBe(original.body.id);

    const keyed = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).set('Idempotency-Key', 'k-1').send({ text: 'keyed' });
    const keyedAgain = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).set('Idempotency-Key', 'k-1').send({ text: 'keyed' });
    expect(keyedAgain.body).toEqual(keyed.body);
  });

  it('stores a comment once when its retries race each other', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => post(alice, { text: 'racing', clientId: 'race-1' })));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.seq)).size).toBe(1);
  });

  it('pages the timeline newest first by default, with before, after and a time range', async () => {
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'History', participants: [bob.id] }).expect(201);
    const id = room.body.id as string;
    for (let i = 1; i <= 12; i++) await post(i % 2 ? alice : bob, { text: `m${i}` }, id).expect(201);
    await parley.settled();
    const newest = await parley.http().get(`/v1/rooms/${id}/comments?limit=5`).set(bob.auth);
    expect(newest.status).toBe(200);
    expect(newest.body.items.map((c: { text: string }) => c.text)).toEqual(['m8', 'm9', 'm10', 'm11', 'm12']);
    expect(newest.body.hasMoreBefore).toBe(true);
    expect(newest.body.hasMoreAfter).toBe(false);
    const before = await parley.http().get(`/v1/rooms/${id}/comments?before=8&limit=3`).set(bob.auth);
    expect(before.body.items.map((c: { seq: number }) => c.seq)).toEqual([5, 6, 7]);
    const after = await parley.http().get(`/v1/rooms/${id}/comments?after=10&limit=10`).set(bob.auth);
    expect(after.body.items.map((c: { seq: number }) => c.seq)).toEqual([11, 12]);
    expect(after.body.hasMoreAfter).toBe(false);
    // The oldest page starts with the system comments of the room's creation.
    const oldest = await parley.http().get(`/v1/rooms/${id}/comments?after=0&limit=3`).set(bob.auth);
    expect(oldest.body.items[0]).toMatchObject({ kind: 'system', type: 'system_event', text: 'Alice created room "History"' });
    expect(oldest.body.items[1]).toMatchObject({ kind: 'system', text: 'Alice added Bob' });
    expect(oldest.body.items[2]).toMatchObject({ kind: 'comment', seq: 1, text: 'm1' });
    const all = await parley.http().get(`/v1/rooms/${id}/comments?limit=100`).set(bob.auth);
    const sixth = all.body.items.find((c: { seq: number }) => c.seq === 6);
    const tenth = all.body.items.find((c: { seq: number }) => c.seq === 10);
    const ranged = await parley
      .http()
      .get(`/v1/rooms/${id}/comments?since=${encodeURIComponent(sixth.createdAt)}&until=${encodeURIComponent(tenth.createdAt)}&limit=100`)
      .set(bob.auth);
    const seqs = ranged.body.items.map((c: { seq: number }) => c.seq);
    expect(seqs[0]).toBeLessThanOrEqual(6);
    expect(seqs).toContain(6);
    expect(seqs).not.toContain(11);
  });

  it('refuses bad timeline queries with 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['before=abc', 'before'],
      ['since=yesterday', 'since'],
      ['before=999', 'before'],
      ['unknown=1', 'unknown'],
    ]) {
      const res = await parley.http().get(`/v1/rooms/${roomId}/comments?${query}`).set(alice.auth);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('refuses bad comments with 400 naming the field and writes nothing', async () => {
    const head = (await parley.http().get('/health')).body.eventStore.head;
    for (const [body, field] of [
      [{}, 'text'],
      [{ text: '' }, 'text'],
      [{ text: 42 }, 'text'],
      [{ text: 'x', type: 'system_event' }, 'type'],
      [{ text: 'x', replyTo: 'nope' }, 'replyTo'],
      [{ text: 'x', payload: 'string' }, 'payload'],
      [{ text: 'x', senderId: alice.id }, 'senderId'],
      [{ text: 'x', replyTo: '00000000-0000-4000-8000-000000000000' }, 'replyTo'],
    ] as [Record<string, unknown>, string][]) {
      const res = await post(alice, body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await parley.http().get('/health')).body.eventStore.head).toBe(head);
  });

  it('threads replies within the room only', async () => {
    const parent = await post(alice, { text: 'question?' });
    const reply = await post(bob, { text: 'answer', replyTo: parent.body.id });
    expect(reply.status).toBe(201);
    expect(reply.body.replyTo).toBe(parent.body.id);
    const elsewhere = await parley.http().post('/v1/rooms').set(bob.auth).send({ name: 'Other', participants: [] }).expect(201);
    const cross = await post(bob, { text: 'sneaky', replyTo: parent.body.id }, elsewhere.body.id);
    expect(cross.status).toBe(400);
    expect(cross.body.code).toBe('COMMENT.REPLY_TARGET_UNKNOWN');
  });

  it('lets the sender or an operator delete a comment, leaving a tombstone', async () => {
    const mine = await post(bob, { text: 'oops' });
    const byOther = await parley.http().delete(`/v1/rooms/${roomId}/comments/${mine.body.id}`).set(alice.auth);
    expect(byOther.status).toBe(200); // alice owns the room
    const again = await parley.http().delete(`/v1/rooms/${roomId}/comments/${mine.body.id}`).set(bob.auth);
    expect(again.status).toBe(404);
    const alicesOwn = await post(alice, { text: 'owner speaks' });
    const byMember = await parley.http().delete(`/v1/rooms/${roomId}/comments/${alicesOwn.body.id}`).set(bob.auth);
    expect(byMember.status).toBe(403);
    expect(byMember.body.code).toBe('COMMENT.DELETE_NOT_ALLOWED');
    const byStranger = await parley.http().delete(`/v1/rooms/${roomId}/comments/${alicesOwn.body.id}`).set(carol.auth);
    expect(byStranger.status).toBe(404);
    const list = await parley.http().get(`/v1/rooms/${roomId}/comments?limit=100`).set(bob.auth).set('X-Min-Position', byOther.body.position);
    const tombstone = list.body.items.find((c: { id: string }) => c.id === mine.body.id);
    expect(tombstone).toMatchObject({ deleted: true, text: null, seq: mine.body.seq, deletedBy: alice.id });
  });

  it('shows system comments for members added, removed and leaving, renames and topics', async () => {
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Sys', participants: [bob.id] }).expect(201);
    const id = room.body.id as string;
    await parley.http().post(`/v1/rooms/${id}/members`).set(alice.auth).send({ userIds: [carol.id] }).expect(200);
    await parley.http().patch(`/v1/rooms/${id}`).set(alice.auth).send({ name: 'Sys 2', topic: 'Plans' }).expect(200);
    await parley.http().delete(`/v1/rooms/${id}/members/${carol.id}`).set(alice.auth).expect(200);
    const last = await parley.http().post(`/v1/rooms/${id}/leave`).set(bob.auth).expect(200);
    const list = await parley.http().get(`/v1/rooms/${id}/comments?limit=100`).set(alice.auth).set('X-Min-Position', last.body.position);
    expect(list.body.items.map((c: { text: string }) => c.text)).toEqual([
      'Alice created room "Sys"',
      'Alice added Bob',
      'Alice added Carol',
      'Alice renamed the room to "Sys 2"',
      'Alice changed the topic to "Plans"',
      'Alice removed Carol',
      'Bob left the room',
    ]);
  });
});

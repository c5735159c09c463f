import { ParleyHarness, type TestUser } from './support/parley-app';

describe('threads with a subject (POST /v1/threads) and single comments', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
    dave = await parley.user('dave', 'Dave');
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('opens a thread and posts its first message in one call; the room list shows subject, participants and last message', async () => {
    const res = await parley
      .http()
      .post('/v1/threads')
      .set(alice.auth)
      .send({ recipients: [bob.username, carol.username], subject: 'A bed in Lyon?', body: 'Hi both, may I stay on the 3rd?' });
    expect(res.status).toBe(201);
    expect(res.body.room).toMatchObject({ kind: 'thread', name: 'A bed in Lyon?', memberCount: 3 });
    expect(res.body.comment).toMatchObject({ text: 'Hi both, may I stay on the 3rd?', seq: 1, senderId: alice.id });
    const list = await parley.http().get('/v1/rooms').set(bob.auth).set('X-Min-Position', res.body.position);
    expect(list.status).toBe(200);
    const thread = list.body.items.find((room: { id: string }) => room.id === res.body.room.id);
    expect(thread).toMatchObject({
      kind: 'thread',
      subject: 'A bed in Lyon?',
      unreadCount: 1,
      lastComment: { text: 'Hi both, may I stay on the 3rd?', senderId: alice.id },
    });
    expect([...thread.participants].sort()).toEqual([alice.id, bob.id, carol.id].sort());

    const reply = await parley.http().post(`/v1/rooms/${res.body.room.id}/comments`).set(bob.auth).send({ text: 'Sure!' });
    expect(reply.status).toBe(201);
    const one = await parley
      .http()
      .get(`/v1/rooms/${res.body.room.id}/comments/${reply.body.id}`)
      .set(carol.auth)
      .set('X-Min-Position', reply.body.position);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: reply.body.id, text: 'Sure!', seq: 2, sender: { userId: bob.id, displayName: 'Bob' } });
  });

  it('answers a retried Idempotency-Key with the same thread and one first message', async () => {
    const send = () =>
      parley
        .http()
        .post('/v1/threads')
        .set(alice.auth)
        .set('Idempotency-Key', 'thread-once')
        .send({ recipients: [dave.username], subject: 'Once', body: 'only once' });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.room.id).toBe(first.body.room.id);
    expect(second.body.comment.id).toBe(first.body.comment.id);
    const page = await parley
      .http()
      .get(`/v1/rooms/${first.body.room.id}/comments`)
      .set(dave.auth)
      .set('X-Min-Position', second.body.position);
    expect(page.body.items.filter((item: { kind: string }) => item.kind === 'comment')).toHaveLength(1);
  });

  it('refuses unknown recipients, self-only threads and bad fields with 400 naming the field, writing nothing', async () => {
    const head = (await parley.http().get('/health')).body.eventStore.head;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ recipients: ['nobody-here'], subject: 's', body: 'b' }, 'recipients', 'THREAD.UNKNOWN_RECIPIENTS'],
      [{ recipients: [alice.username], subject: 's', body: 'b' }, 'recipients', 'ROOM.THREAD_NEEDS_RECIPIENTS'],
      [{ recipients: [], subject: 's', body: 'b' }, 'recipients', 'REQUEST.VALIDATION_FAILED'],
      [{ recipients: [bob.username], subject: '', body: 'b' }, 'subject', 'REQUEST.VALIDATION_FAILED'],
      [{ recipients: [bob.username], subject: 'line\nbreak', body: 'b' }, 'subject', 'REQUEST.VALIDATION_FAILED'],
      [{ recipients: [bob.username], subject: 's' }, 'body', 'REQUEST.VALIDATION_FAILED'],
    ];
    for (const [body, field, code] of cases) {
      const res = await parley.http().post('/v1/threads').set(alice.auth).send(body);
      expect({ status: res.status, code: res.body.code, fields: res.body.details?.map((d: { field: string }) => d.field) }).toEqual({
        status: 400,
        code,
        fields: expect.arrayContaining([field]),
      });
    }
    expect((await parley.http().get('/health')).body.eventStore.head).toBe(head);
  });

  it('keeps a thread’s participants fixed and hides its comments from others', async () => {
    const res = await parley.http().post('/v1/threads').set(alice.auth).send({ recipients: [bob.username], subject: 'Two of us', body: 'hello' });
    const add = await parley.http().post(`/v1/rooms/${res.body.room.id}/members`).set(alice.auth).send({ userIds: [dave.id] });
    expect(add.status).toBe(403);
    expect(add.body.code).toBe('ROOM.THREAD');
    const peek = await parley
      .http()
      .get(`/v1/rooms/${res.body.room.id}/comments/${res.body.comment.id}`)
      .set(dave.auth)
      .set('X-Min-Position', res.body.position);
    expect(peek.status).toBe(404);
    const other = await parley
      .http()
      .get(`/v1/rooms/${res.body.room.id}/comments/00000000-0000-4000-8000-000000000000`)
      .set(bob.auth);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('COMMENT.NOT_FOUND');
  });
});

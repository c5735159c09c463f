import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { StoreUnavailableError } from '../libs/config/store-connection';
import type { EventStore } from '../libs/event-store/event-store.port';
import { SseClient } from './support/feed-clients';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { WebhookReceiver } from './support/webhook-receiver';

const API_KEY = 'test-admin-key-threads-0123456789-abcdefgh';

describe('threads with a subject (POST /v1/threads) and single comments', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
    dave = await parley.user('dave', 'Dave');
  });
  afterAll(async () => {
    await parley.stop();
    await Promise.all(receivers.map((r) => r.close()));
  });
  const receivers: WebhookReceiver[] = [];
  const admin = { 'X-Api-Key': API_KEY };

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

  it('opens a thread in one append to its room stream: a failed append leaves neither room nor message, and a retry opens both', async () => {
    const store = parley.app.get<EventStore>(EVENT_STORE);
    const append = jest.spyOn(store, 'append');
    try {
      const res = await parley.http().post('/v1/threads').set(alice.auth).send({ recipients: [bob.username, carol.username], subject: 'One append', body: 'all at once' });
      expect(res.status).toBe(201);
      // One command, one append: the room, its three members and the first message, on `room-<id>`.
      expect(append.mock.calls.map(([streamId, events]) => [streamId, events.map((e) => e.type)])).toEqual([
        [`room-${res.body.room.id}`, ['RoomCreated', 'MemberAdded', 'MemberAdded', 'MemberAdded', 'CommentPosted']],
      ]);
      expect(res.body.comment).toMatchObject({ seq: 1, previousId: null });
      const [first] = await store.readStream(`room-${res.body.room.id}`, { direction: 'backwards', maxCount: 1 });
      expect(first).toMatchObject({ type: 'CommentPosted', id: res.body.comment.id });
      expect(res.body.position).toBe(first!.position.toString());
      expect(await store.streamRevision(`comments-${res.body.room.id}`)).toBeNull();

      // The store fails the one append (what a crash between two appends used to leave half done).
      append.mockClear();
      append.mockRejectedValueOnce(new StoreUnavailableError('event store', 'sqlite:events.db', 'the disk went away'));
      const head = (await parley.http().get('/health')).body.eventStore.head;
      const send = () =>
        parley
          .http()
          .post('/v1/threads')
          .set(alice.auth)
          .set('Idempotency-Key', 'thread-crash')
          .send({ recipients: [bob.username], subject: 'Crash', body: 'first words' });
      const failed = await send();
      expect(failed.status).toBe(503);
      expect(append).toHaveBeenCalledTimes(1);
      const roomId = append.mock.calls[0]![0].slice('room-'.length);
      expect((await parley.http().get('/health')).body.eventStore.head).toBe(head);
      expect(await store.streamRevision(`room-${roomId}`)).toBeNull();
      expect(await store.streamRevision(`comments-${roomId}`)).toBeNull();
      expect((await parley.http().get(`/v1/rooms/${roomId}`).set(bob.auth)).status).toBe(404);

      const retried = await send();
      expect(retried.status).toBe(201);
      expect(retried.body.room).toMatchObject({ id: roomId, created: true });
      expect(retried.body.comment).toMatchObject({ seq: 1, text: 'first words' });
      const again = await send();
      expect(again.body).toMatchObject({ room: { id: roomId, created: false }, comment: { id: retried.body.comment.id, seq: 1 }, position: retried.body.position });
    } finally {
      append.mockRestore();
    }
  });

  it('makes the first message an ordinary comment: replies, seq, unread and read, feed, Qiscus webhooks, audit, deletion', async () => {
    const hook = await WebhookReceiver.start();
    receivers.push(hook);
    const registered = await parley.http().post('/v1/admin/webhooks').set(admin).send({ url: hook.url, events: ['CommentPosted'], format: 'qiscus', secret: 'whsec-threads-0123456789' });
    expect(registered.status).toBe(201);
    const bobFeed = await SseClient.connect(await parley.listen(), bob.token);
    try {
      const opened = await parley.http().post('/v1/threads').set(alice.auth).send({ recipients: [bob.username], subject: 'Everywhere', body: 'the first word' });
      expect(opened.status).toBe(201);
      const roomId = opened.body.room.id as string;
      const firstId = opened.body.comment.id as string;

      // Read up to the first message before any other comment exists: its seq is the room's last.
      const read = await parley.http().post(`/v1/rooms/${roomId}/read`).set(bob.auth).send({ seq: 1 });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ lastReadSeq: 1, unread: false });
      const beyond = await parley.http().post(`/v1/rooms/${roomId}/read`).set(bob.auth).send({ seq: 2 });
      expect(beyond.status).toBe(400);

      // A reply to it, at once: it continues after the first message.
      const reply = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'the second', replyTo: firstId });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ seq: 2, previousId: firstId, replyTo: firstId });
      const third = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'the third' });
      expect(third.body).toMatchObject({ seq: 3, previousId: reply.body.id });

      const page = await parley.http().get(`/v1/rooms/${roomId}/comments`).set(bob.auth).set('X-Min-Position', third.body.position);
      const comments = page.body.items.filter((item: { kind: string }) => item.kind === 'comment');
      expect(comments.map((c: { id: string; seq: number }) => [c.id, c.seq]).sort((a: [string, number], b: [string, number]) => a[1] - b[1])).toEqual([
        [firstId, 1],
        [reply.body.id, 2],
        [third.body.id, 3],
      ]);
      const rooms = await parley.http().get('/v1/rooms').set(bob.auth).set('X-Min-Position', third.body.position);
      expect(rooms.body.items.find((room: { id: string }) => room.id === roomId)).toMatchObject({ unreadCount: 1, lastComment: { text: 'the third' } });

      // The live feed and the Qiscus-shaped webhook carry it as any comment.
      await bobFeed.waitForPosition(opened.body.position);
      expect(bobFeed.messages.find((m) => m.position === opened.body.position)).toMatchObject({ type: 'CommentPosted', data: { commentId: firstId, seq: 1 } });
      await hook.waitForAccepted(reply.body.position);
      const deliveries = hook.accepted.map((r) => JSON.parse(r.body) as { payload: { message: { id: number; comment_before_id: number; text: string } } });
      const firstHook = deliveries.find((d) => d.payload.message.text === 'the first word');
      const replyHook = deliveries.find((d) => d.payload.message.text === 'the second');
      expect(firstHook?.payload.message).toMatchObject({ comment_before_id: 0 });
      expect(replyHook?.payload.message.comment_before_id).toBe(firstHook?.payload.message.id);

      // The audit view of the room counts it and shows it first.
      const audit = await parley.http().get(`/v1/admin/audit/rooms/${roomId}?at=${third.body.position}`).set(admin);
      expect(audit.status).toBe(200);
      expect(audit.body.totalComments).toBe(3);
      expect(audit.body.comments.map((c: { id: string; seq: number }) => [c.id, c.seq])).toEqual([
        [firstId, 1],
        [reply.body.id, 2],
        [third.body.id, 3],
      ]);

      // Deleted like any comment, by its sender.
      const deleted = await parley.http().delete(`/v1/rooms/${roomId}/comments/${firstId}`).set(alice.auth);
      expect(deleted.status).toBe(200);
      const gone = await parley.http().get(`/v1/rooms/${roomId}/comments/${firstId}`).set(bob.auth).set('X-Min-Position', deleted.body.position);
      expect(gone.body).toMatchObject({ id: firstId, seq: 1, deleted: true, text: null });
    } finally {
      bobFeed.close();
    }
  });
});

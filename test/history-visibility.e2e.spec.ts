import { SseClient, WsClient } from './support/feed-clients';
import { ParleyHarness, type TestUser } from './support/parley-app';

/**
 * Catch-up sends what a member may see now: a deleted comment's content never
 * leaves again, and a `joined` room shows a member nothing from before they
 * joined (feed, WebSocket and comment history alike).
 */
describe('history visibility and deleted comments in the feed', () => {
  let parley: ParleyHarness;
  let base: string;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    base = await parley.listen();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await parley.stop();
  });

  const sse = async (user: TestUser, from: string) => {
    const client = await SseClient.connect(base, user.token, { from });
    open.push(client);
    return client;
  };
  const ws = async (user: TestUser, from: string) => {
    const client = await WsClient.connect(base, { token: user.token, from });
    open.push(client);
    return client;
  };
  const createRoom = async (body: Record<string, unknown>) => {
    const res = await parley.http().post('/v1/rooms').set(alice.auth).send(body).expect(201);
    return res.body as { id: string; historyVisibility: string; position: string };
  };
  const post = async (user: TestUser, roomId: string, text: string) =>
    (await parley.http().post(`/v1/rooms/${roomId}/comments`).set(user.auth).send({ text }).expect(201)).body as {
      id: string;
      position: string;
    };
  const addMember = (roomId: string, user: TestUser) =>
    parley.http().post(`/v1/rooms/${roomId}/members`).set(alice.auth).send({ userIds: [user.id] }).expect(200);
  const history = async (user: TestUser, roomId: string, position: string) =>
    (await parley.http().get(`/v1/rooms/${roomId}/comments`).set(user.auth).set('X-Min-Position', position).expect(200)).body
      .items as { text: string | null; kind: string; systemEvent?: { kind: string } }[];

  it('never re-sends a deleted comment’s text: not to members, not to members added later, not over the WebSocket', async () => {
    const room = await createRoom({ name: 'Shared history', participants: [bob.id] });
    expect(room.historyVisibility).toBe('shared');
    const kept = await post(alice, room.id, 'kept words');
    const doomed = await post(bob, room.id, 'regrettable words');
    await parley.http().delete(`/v1/rooms/${room.id}/comments/${doomed.id}`).set(bob.auth).expect(200);
    await addMember(room.id, carol);
    const sentinel = await post(alice, room.id, 'sentinel');

    for (const user of [alice, bob, carol]) {
      const feed = await sse(user, '0');
      await feed.waitForPosition(sentinel.position);
      expect(feed.raw).not.toContain('regrettable words');
      // The tombstone keeps the comment's place, without its content.
      const posted = feed.messages.find((m) => m.type === 'CommentPosted' && (m.data as { commentId: string }).commentId === doomed.id);
      expect(posted?.data).toMatchObject({ commentId: doomed.id, text: null, payload: null, deleted: true });
      expect(feed.messages.some((m) => m.type === 'CommentDeleted')).toBe(true);
      // `shared`: a member added later sees the history from before they joined.
      expect(feed.raw).toContain('kept words');
      const socket = await ws(user, '0');
      await socket.waitForPosition(sentinel.position);
      expect(JSON.stringify(socket.messages)).not.toContain('regrettable words');
    }
    expect(kept.position).toBeDefined();
  });

  it('`joined`: a member added later sees nothing from before their joining, in the feed or the history', async () => {
    const room = await createRoom({ name: 'Joined only', participants: [bob.id], historyVisibility: 'joined' });
    expect(room.historyVisibility).toBe('joined');
    await post(alice, room.id, 'before carol');
    await addMember(room.id, carol);
    const after = await post(bob, room.id, 'after carol');

    const carolFeed = await sse(carol, '0');
    await carolFeed.waitForPosition(after.position);
    expect(carolFeed.raw).not.toContain('before carol');
    expect(carolFeed.messages.some((m) => m.type === 'RoomCreated' && (m.data as { roomId: string }).roomId === room.id)).toBe(false);
    expect(carolFeed.raw).toContain('after carol');
    const carolSocket = await ws(carol, '0');
    await carolSocket.waitForPosition(after.position);
    expect(JSON.stringify(carolSocket.messages)).not.toContain('before carol');
    // Bob was there from the start: he sees it all.
    const bobFeed = await sse(bob, '0');
    await bobFeed.waitForPosition(after.position);
    expect(bobFeed.raw).toContain('before carol');

    const carolHistory = await history(carol, room.id, after.position);
    expect(carolHistory.map((item) => item.text)).not.toContain('before carol');
    expect(carolHistory.filter((item) => item.kind === 'comment').map((item) => item.text)).toEqual(['after carol']);
    expect(carolHistory.some((item) => item.systemEvent?.kind === 'room_created')).toBe(false);
    const bobHistory = await history(bob, room.id, after.position);
    expect(bobHistory.filter((item) => item.kind === 'comment').map((item) => item.text)).toEqual(['before carol', 'after carol']);
  });

  it('is a room setting: shown in room views, changed by PATCH (owners and operators only), validated', async () => {
    const room = await createRoom({ name: 'Switchable', participants: [bob.id] });
    await post(alice, room.id, 'old news');
    const refused = await parley.http().patch(`/v1/rooms/${room.id}`).set(bob.auth).send({ historyVisibility: 'joined' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ROOM.HISTORY_VISIBILITY_NOT_ALLOWED');
    const bad = await parley.http().patch(`/v1/rooms/${room.id}`).set(alice.auth).send({ historyVisibility: 'everyone' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'historyVisibility' })]);
    const badCreate = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'x', participants: [], historyVisibility: 1 });
    expect(badCreate.status).toBe(400);

    const changed = await parley.http().patch(`/v1/rooms/${room.id}`).set(alice.auth).send({ historyVisibility: 'joined' }).expect(200);
    const view = await parley.http().get(`/v1/rooms/${room.id}`).set(alice.auth).set('X-Min-Position', changed.body.position).expect(200);
    expect(view.body.historyVisibility).toBe('joined');
    await addMember(room.id, carol);
    const fresh = await post(alice, room.id, 'new news');
    const carolFeed = await sse(carol, '0');
    await carolFeed.waitForPosition(fresh.position);
    expect(carolFeed.raw).not.toContain('old news');
    expect(carolFeed.raw).toContain('new news');

    // The room's decision state folds the change too: switching back is a change, the same value again is none.
    const back = await parley.http().patch(`/v1/rooms/${room.id}`).set(alice.auth).send({ historyVisibility: 'shared' }).expect(200);
    expect(BigInt(back.body.position)).toBeGreaterThan(BigInt(changed.body.position));
    const shown = await parley.http().get(`/v1/rooms/${room.id}`).set(alice.auth).set('X-Min-Position', back.body.position).expect(200);
    expect(shown.body.historyVisibility).toBe('shared');
  });
});

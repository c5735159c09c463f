import { SseClient, WsClient, type FeedEnvelope, type HttpStatusError } from './support/feed-clients';
import { ParleyHarness, type TestUser } from './support/parley-app';

/** `[type, position]` pairs, the shape the assertions compare. */
type Seen = [string, string][];
const seenSse = (client: SseClient): Seen => client.events.map((e) => [e.event, e.id ?? '']);
const seenMessages = (messages: readonly FeedEnvelope[]): Seen => messages.map((m) => [m.type, m.position]);

describe('live feed (SSE and WebSocket)', () => {
  let parley: ParleyHarness;
  let base: string;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    base = await parley.listen();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
    dave = await parley.user('dave', 'Dave');
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await parley.stop();
  });

  const sse = async (user: TestUser, options: Parameters<typeof SseClient.connect>[2] = {}) => {
    const client = await SseClient.connect(base, user.token, options);
    open.push(client);
    return client;
  };
  const ws = async (user: TestUser, from?: string) => {
    const client = await WsClient.connect(base, { token: user.token, ...(from !== undefined ? { from } : {}) });
    open.push(client);
    return client;
  };
  const createRoom = async (owner: TestUser, participants: TestUser[], name = 'Room'): Promise<string> => {
    const res = await parley.http().post('/v1/rooms').set(owner.auth).send({ name, participants: participants.map((p) => p.id) }).expect(201);
    return res.body.id as string;
  };
  const post = async (user: TestUser, roomId: string, text: string): Promise<{ id: string; seq: number; position: string }> => {
    const res = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(user.auth).send({ text }).expect(201);
    return res.body;
  };
  const head = async (): Promise<string> => (await parley.http().get('/health').expect(200)).body.eventStore.head as string;

  it('gives each client exactly what its user may see, in log order, while a third user acts', async () => {
    const room = await createRoom(alice, [bob], 'Shared');
    const carolsRoom = await createRoom(carol, [alice], 'Carol and Alice');
    const aliceFeed = await sse(alice);
    const bobFeed = await sse(bob);
    const daveFeed = await sse(dave);
    const forAlice: Seen = [];
    const forBob: Seen = [];
    const both = (entry: [string, string]) => {
      forAlice.push(entry);
      forBob.push(entry);
    };

    // Carol joins the shared room ...
    const joined = await parley.http().post(`/v1/rooms/${room}/members`).set(alice.auth).send({ userIds: [carol.id] }).expect(200);
    both(['MemberAdded', joined.body.position]);
    // ... posts there (with a correlation id the feed must carry) and in a room Bob is not in ...
    const posted = await parley
      .http()
      .post(`/v1/rooms/${room}/comments`)
      .set(carol.auth)
      .set('X-Correlation-Id', 'corr-feed-1')
      .send({ text: 'hello from carol' })
      .expect(201);
    both(['CommentPosted', posted.body.position]);
    const elsewhere = await post(carol, carolsRoom, 'only for alice');
    forAlice.push(['CommentPosted', elsewhere.position]);
    // ... deletes her comment ...
    const deleted = await parley.http().delete(`/v1/rooms/${room}/comments/${posted.body.id}`).set(carol.auth).expect(200);
    both(['CommentDeleted', deleted.body.position]);
    // Alice's read marker is a receipt for the room (both share them, the default); a new user's registration is nobody's.
    const read = await parley.http().post(`/v1/rooms/${room}/read`).set(alice.auth).send({ seq: 1 }).expect(200);
    both(['RoomRead', read.body.position]);
    await parley.user('newcomer');
    // ... and leaves.
    const left = await parley.http().post(`/v1/rooms/${room}/leave`).set(carol.auth).expect(200);
    both(['MemberLeft', left.body.position]);
    const renamed = await parley.http().patch(`/v1/rooms/${room}`).set(alice.auth).send({ topic: 'Plans' }).expect(200);
    both(['RoomTopicChanged', renamed.body.position]);
    const end = await post(alice, room, 'end');
    both(['CommentPosted', end.position]);

    await aliceFeed.waitForPosition(end.position);
    await bobFeed.waitForPosition(end.position);
    expect(seenSse(aliceFeed)).toEqual(forAlice);
    expect(seenSse(bobFeed)).toEqual(forBob);
    expect(daveFeed.events).toEqual([]);

    const message = bobFeed.messages.find((m) => m.position === posted.body.position)!;
    expect(Object.keys(message).sort()).toEqual(['data', 'metadata', 'position', 'recordedAt', 'streamId', 'type']);
    expect(message).toMatchObject({
      type: 'CommentPosted',
      streamId: `comments-${room}`,
      metadata: { correlationId: 'corr-feed-1' },
      data: { commentId: posted.body.id, roomId: room, senderId: carol.id, text: 'hello from carol', seq: posted.body.seq },
    });
    expect(message.metadata).toEqual({ correlationId: 'corr-feed-1' });
    for (const client of [aliceFeed, bobFeed]) {
      expect(client.raw).not.toContain('passwordHash');
      expect(client.raw).not.toContain('UserRegistered');
      const positions = client.events.map((e) => BigInt(e.id!));
      expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
      for (const event of client.messages) expect(client.events.find((e) => e.id === event.position)?.event).toBe(event.type);
    }
  });

  it('stops sending a room to a member once removed, after telling them', async () => {
    const room = await createRoom(alice, [bob], 'Soon without Bob');
    const stillShared = await createRoom(alice, [bob], 'Still shared');
    const bobFeed = await sse(bob);
    const before = await post(alice, room, 'before');
    const removed = await parley.http().delete(`/v1/rooms/${room}/members/${bob.id}`).set(alice.auth).expect(200);
    await post(alice, room, 'after, not for bob');
    await parley.http().patch(`/v1/rooms/${room}`).set(alice.auth).send({ name: 'Renamed without Bob' }).expect(200);
    const sentinel = await post(alice, stillShared, 'sentinel');
    await bobFeed.waitForPosition(sentinel.position);
    expect(seenSse(bobFeed)).toEqual([
      ['CommentPosted', before.position],
      ['MemberRemoved', removed.body.position],
      ['CommentPosted', sentinel.position],
    ]);
    expect(bobFeed.messages[1]!.data).toMatchObject({ roomId: room, userId: bob.id, removedBy: alice.id });
  });

  it('resumes after Last-Event-ID or ?from= with nothing lost and nothing doubled, while posts race the reconnect', async () => {
    const room = await createRoom(alice, [bob], 'Reconnects');
    const first = await sse(bob);
    await post(alice, room, 'seen 1');
    const seen = await post(alice, room, 'seen 2');
    await first.waitForPosition(seen.position);
    const lastEventId = first.lastEventId!;
    expect(lastEventId).toBe(seen.position);
    first.close();

    const missed: { id: string; position: string }[] = [];
    for (let i = 0; i < 3; i++) missed.push(await post(alice, room, `missed ${i}`));
    // Posts in flight while the client reconnects land either in the catch-up or in the live stream, never both.
    const burst = Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? alice : bob, room, `burst ${i}`)));
    const resumed = await sse(bob, { lastEventId });
    const fromQuery = await sse(bob, { from: lastEventId });
    const raced = await burst;
    const sentinel = await post(alice, room, 'sentinel');
    await resumed.waitForPosition(sentinel.position);
    await fromQuery.waitForPosition(sentinel.position);

    // Posts grouped in one append all answer that append's last position, so the comments are matched by id.
    const expected = [...missed, ...raced, sentinel].map((c) => c.id).sort();
    for (const client of [resumed, fromQuery]) {
      const ids = client.events.map((e) => (JSON.parse(e.data) as { data: { commentId: string } }).data.commentId);
      expect([...ids].sort()).toEqual(expected);
      const positions = client.events.map((e) => BigInt(e.id!));
      expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
      expect(client.events.every((e) => e.event === 'CommentPosted')).toBe(true);
    }
    // The header wins over the query when both are given, as after a browser's automatic reconnect.
    const both = await sse(bob, { lastEventId: missed[2]!.position, from: lastEventId });
    await both.waitForPosition(sentinel.position);
    expect(both.events[0]!.id).toBe(resumed.events[3]!.id);
  });

  it('a client of a user in no room receives nothing, however much happens', async () => {
    const outsider = await parley.user('outsider');
    const feed = await sse(outsider);
    const room = await createRoom(alice, [bob, carol], 'Not for outsiders');
    await post(alice, room, 'secret plans');
    await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 1 }).expect(200);
    const watcher = await sse(alice, { from: await head() });
    const sentinel = await post(alice, room, 'sentinel');
    await watcher.waitForPosition(sentinel.position);
    // Resuming from the start of the log does not show the room either.
    const replay = await sse(outsider, { from: '0' });
    const mine = await createRoom(outsider, [], 'Outsider alone');
    const own = await post(outsider, mine, 'my own');
    await replay.waitForPosition(own.position);
    expect(feed.events.map((e) => e.id)).not.toContain(sentinel.position);
    expect(replay.messages.every((m) => (m.data as { roomId?: string }).roomId === mine)).toBe(true);
    expect(replay.raw).not.toContain('secret plans');
  });

  it('offers the same feed over a WebSocket, resumable with ?from=', async () => {
    const start = await head();
    const room = await createRoom(alice, [bob], 'Sockets');
    const viaSse = await sse(bob, { from: start });
    const viaWs = await ws(bob, start);
    const viaProtocol = await WsClient.connect(base, { protocols: ['parley.feed.v1', `bearer.${bob.token}`] });
    open.push(viaProtocol);
    expect(viaProtocol.socket.protocol).toBe('parley.feed.v1');
    const c1 = await post(alice, room, 'one');
    await parley.http().post(`/v1/rooms/${room}/members`).set(alice.auth).send({ userIds: [carol.id] }).expect(200);
    await parley.http().delete(`/v1/rooms/${room}/comments/${c1.id}`).set(alice.auth).expect(200);
    await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 1 }).expect(200);
    await parley.http().post(`/v1/rooms/${room}/read`).set(alice.auth).send({ seq: 1 }).expect(200);
    const sentinel = await post(carol, room, 'sentinel');
    await Promise.all([viaSse, viaWs, viaProtocol].map((client) => client.waitForPosition(sentinel.position)));
    expect(viaWs.feed).toEqual(viaSse.messages);
    expect(seenMessages(viaWs.feed).map(([type]) => type)).toEqual([
      'RoomCreated',
      'MemberAdded',
      'MemberAdded',
      'CommentPosted',
      'MemberAdded',
      'CommentDeleted',
      'RoomRead',
      'RoomRead',
      'CommentPosted',
    ]);
    // The subprotocol client connected later, so it starts live: the same messages from c1 on.
    expect(viaProtocol.feed).toEqual(viaSse.messages.filter((m) => BigInt(m.position) >= BigInt(c1.position)));
  });

  it('refuses feeds without a valid token or with a bad position, naming the field', async () => {
    await expect(SseClient.connect(base, null)).rejects.toMatchObject({ status: 401 });
    await expect(SseClient.connect(base, 'not-a-token')).rejects.toMatchObject({ status: 401 });
    for (const [options, field] of [
      [{ from: 'abc' }, 'from'],
      [{ lastEventId: '-1' }, 'Last-Event-ID'],
      [{ from: '99999999999' }, 'from'],
      [{ query: 'unknown=1' }, 'unknown'],
    ] as const) {
      const error = (await SseClient.connect(base, alice.token, options).catch((e: unknown) => e)) as HttpStatusError;
      expect({ field, status: error.status }).toEqual({ field, status: 400 });
      expect(JSON.parse(error.body).details.map((d: { field: string }) => d.field)).toContain(field);
    }
    await expect(WsClient.connect(base, {})).rejects.toMatchObject({ status: 401 });
    await expect(WsClient.connect(base, { token: 'nope' })).rejects.toMatchObject({ status: 401 });
    const badFrom = (await WsClient.connect(base, { token: alice.token, from: 'x' }).catch((e: unknown) => e)) as HttpStatusError;
    expect(badFrom.status).toBe(400);
    expect(JSON.parse(badFrom.body)).toMatchObject({ code: 'FEED.FROM_INVALID', details: [{ field: 'from' }] });
  });

  it('ends a feed when its sign-in is revoked or its account removed', async () => {
    const erin = await parley.user('erin', 'Erin');
    const signIn = await parley
      .http()
      .post('/v1/oauth/token')
      .send({ grant_type: 'password', username: erin.username, password: 'correct horse battery' })
      .expect(200);
    const revocable = await SseClient.connect(base, signIn.body.access_token as string);
    open.push(revocable);
    const other = await sse(erin);
    const socket = await ws(erin);
    await parley.http().post('/v1/oauth/revoke').send({ token: signIn.body.refresh_token }).expect(200);
    await revocable.waitForEnd();
    expect(revocable.events).toEqual([{ id: null, event: 'error', data: expect.stringContaining('AUTH.TOKEN_REVOKED') }]);
    // The other sign-in's feeds go on until the account itself goes.
    expect(socket.closeCode).toBeNull();
    await parley.http().post('/v1/me/remove').set(erin.auth).send({}).expect(200);
    await other.waitForEnd();
    await socket.waitForClose();
    expect(other.events).toEqual([{ id: null, event: 'error', data: expect.stringContaining('AUTH.ACCOUNT_REMOVED') }]);
    expect(socket.closeCode).toBe(1008);
    expect(socket.messages).toContainEqual(expect.objectContaining({ type: 'error', code: 'AUTH.ACCOUNT_REMOVED' }));
  });

  it('closes every feed client when the app shuts down', async () => {
    const other = await ParleyHarness.start();
    const url = await other.listen();
    const user = await other.user('leaving');
    const sseClient = await SseClient.connect(url, user.token);
    const wsClient = await WsClient.connect(url, { token: user.token });
    await other.stop();
    await sseClient.waitForEnd();
    await wsClient.waitForClose();
    expect(sseClient.events).toEqual([
      { id: null, event: 'error', data: expect.stringContaining('SERVER.SHUTTING_DOWN') },
    ]);
    expect(wsClient.closeCode).toBe(1001);
  });
});

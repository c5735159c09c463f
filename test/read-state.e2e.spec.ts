import { ParleyHarness, type TestUser } from './support/parley-app';

describe('read state and unread counts', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
  });
  afterAll(async () => {
    await parley.stop();
  });

  const unreadOf = async (user: TestUser) => {
    await parley.settled();
    return (await parley.http().get('/v1/me/unread').set(user.auth).expect(200)).body as {
      total: number;
      rooms: { roomId: string; unreadCount: number }[];
    };
  };

  it('counts unread comments per room and in total, not one own comments', async () => {
    const r1 = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'R1', participants: [bob.id, carol.id] })).body.id;
    const r2 = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'R2', participants: [bob.id] })).body.id;
    for (let i = 0; i < 3; i++) await parley.http().post(`/v1/rooms/${r1}/comments`).set(alice.auth).send({ text: `a${i}` }).expect(201);
    await parley.http().post(`/v1/rooms/${r2}/comments`).set(alice.auth).send({ text: 'b' }).expect(201);
    await parley.http().post(`/v1/rooms/${r1}/comments`).set(bob.auth).send({ text: 'bob' }).expect(201);

    const bobs = await unreadOf(bob);
    // Bob's own comment read everything before it in R1.
    expect(bobs.rooms).toEqual([{ roomId: r2, unreadCount: 1 }]);
    expect(bobs.total).toBe(1);
    const carols = await unreadOf(carol);
    expect(carols.rooms).toEqual([{ roomId: r1, unreadCount: 4 }]);
    const alices = await unreadOf(alice);
    expect(alices.rooms).toEqual([{ roomId: r1, unreadCount: 1 }]);

    const list = await parley.http().get('/v1/rooms').set(carol.auth);
    expect(list.body.items.find((r: { id: string }) => r.id === r1).unreadCount).toBe(4);
  });

  it('marks a room read up to a seq, never backwards, and unread again', async () => {
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'R3', participants: [bob.id] })).body.id;
    for (let i = 0; i < 5; i++) await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: `c${i}` }).expect(201);
    const read = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 3 });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ roomId: room, lastReadSeq: 3, unread: false });
    const detail = await parley.http().get(`/v1/rooms/${room}`).set(bob.auth).set('X-Min-Position', read.body.position);
    expect(detail.body.unreadCount).toBe(2);

    const backwards = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 1 });
    expect(backwards.status).toBe(200);
    expect(backwards.body).toMatchObject({ lastReadSeq: 3, position: null });

    const all = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 5 });
    const zero = await parley.http().get(`/v1/rooms/${room}`).set(bob.auth).set('X-Min-Position', all.body.position);
    expect(zero.body.unreadCount).toBe(0);

    const unread = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ unread: true });
    expect(unread.body).toMatchObject({ unread: true, lastReadSeq: 5 });
    const one = await parley.http().get(`/v1/rooms/${room}`).set(bob.auth).set('X-Min-Position', unread.body.position);
    expect(one.body.unreadCount).toBe(1);
    const readAgain = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 5 });
    expect(readAgain.body.position).not.toBeNull();
    const none = await parley.http().get(`/v1/rooms/${room}`).set(bob.auth).set('X-Min-Position', readAgain.body.position);
    expect(none.body.unreadCount).toBe(0);
  });

  it('refuses bad read requests', async () => {
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'R4', participants: [bob.id] })).body.id;
    await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'only one' }).expect(201);
    const beyond = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 2 });
    expect(beyond.status).toBe(400);
    expect(beyond.body.details[0].field).toBe('seq');
    const empty = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({});
    expect(empty.status).toBe(400);
    const both = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 1, unread: true });
    expect(both.status).toBe(400);
    const falseUnread = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ unread: false });
    expect(falseUnread.status).toBe(400);
    const stranger = await parley.http().post(`/v1/rooms/${room}/read`).set(carol.auth).send({ seq: 1 });
    expect(stranger.status).toBe(404);
  });
});

import { ParleyHarness, type TestUser } from './support/parley-app';

/** A member clears a room's history for themselves (HistoryCleared); the room and the others keep it. */
describe("clearing a room's history for oneself", () => {
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

  const texts = async (user: TestUser, roomId: string, position: string) => {
    const page = await parley.http().get(`/v1/rooms/${roomId}/comments?limit=50`).set(user.auth).set('X-Min-Position', position).expect(200);
    return page.body.items.filter((i: { kind: string }) => i.kind === 'comment').map((c: { text: string }) => c.text);
  };

  it('a plain member clears: their comments and last comment are gone for them, read, and the others keep theirs', async () => {
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Cleared', participants: [bob.id] }).expect(201)).body.id;
    const first = await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'one' }).expect(201);
    await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'two' }).expect(201);

    const cleared = await parley.http().post(`/v1/rooms/${room}/history/clear`).set(bob.auth).expect(200);
    expect(cleared.body).toEqual({ roomId: room, clearedThroughSeq: 2, position: expect.any(String) });
    expect(await texts(bob, room, cleared.body.position)).toEqual([]);
    expect(await texts(alice, room, cleared.body.position)).toEqual(['one', 'two']);
    const one = await parley.http().get(`/v1/rooms/${room}/comments/${first.body.id}`).set(bob.auth).set('X-Min-Position', cleared.body.position);
    expect(one.status).toBe(404);
    expect(one.body.code).toBe('COMMENT.NOT_FOUND');
    const bobsRoom = await parley.http().get(`/v1/rooms/${room}`).set(bob.auth).set('X-Min-Position', cleared.body.position).expect(200);
    expect(bobsRoom.body).toMatchObject({ clearedThroughSeq: 2, lastComment: null, unreadCount: 0, lastSeq: 2 });
    const alicesRoom = await parley.http().get(`/v1/rooms/${room}`).set(alice.auth).expect(200);
    expect(alicesRoom.body).toMatchObject({ clearedThroughSeq: 0, lastComment: { text: 'two' } });

    // Again with nothing new: nothing written. What comes after shows.
    const again = await parley.http().post(`/v1/rooms/${room}/history/clear`).set(bob.auth).expect(200);
    expect(again.body).toEqual({ roomId: room, clearedThroughSeq: 2, position: null });
    const three = await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'three' }).expect(201);
    expect(await texts(bob, room, three.body.position)).toEqual(['three']);
    const list = await parley.http().get('/v1/rooms').set(bob.auth).set('X-Min-Position', three.body.position).expect(200);
    expect(list.body.items.find((r: { id: string }) => r.id === room)).toMatchObject({ lastComment: { text: 'three' }, unreadCount: 1 });
  });

  it('someone outside the room learns nothing (404) and nothing is written', async () => {
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Closed door', participants: [bob.id] }).expect(201)).body.id;
    await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'private' }).expect(201);
    const outsider = await parley.http().post(`/v1/rooms/${room}/history/clear`).set(carol.auth);
    expect(outsider.status).toBe(404);
    expect(outsider.body).toMatchObject({ statusCode: 404, code: 'ROOM.NOT_FOUND' });
    const badId = await parley.http().post('/v1/rooms/not-a-room/history/clear').set(carol.auth);
    expect(badId.status).toBe(400);
  });
});

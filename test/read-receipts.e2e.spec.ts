import { ParleyHarness, type TestUser } from './support/parley-app';

/** Read receipts: the other members' read positions, reciprocal under the privacy setting read_receipts. */
describe('read receipts', () => {
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

  const receipts = async (user: TestUser, roomId: string, position: string) =>
    (await parley.http().get(`/v1/rooms/${roomId}/receipts`).set(user.auth).set('X-Min-Position', position).expect(200)).body as {
      shared: boolean;
      items: { userId: string; lastReadSeq: number }[];
    };
  const byUser = (items: readonly { userId: string; lastReadSeq: number }[]) => Object.fromEntries(items.map((r) => [r.userId, r.lastReadSeq]));
  const setReceipts = (user: TestUser, level: string) =>
    parley.http().put('/v1/me/privacy').set(user.auth).send({ read_receipts: level });

  it("shows the other members how far each read; who hides theirs is not listed and sees no one's", async () => {
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Receipts', participants: [bob.id, carol.id] }).expect(201)).body.id;
    for (const text of ['one', 'two', 'three']) await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text }).expect(201);
    const read = await parley.http().post(`/v1/rooms/${room}/read`).set(bob.auth).send({ seq: 2 }).expect(200);

    const seenByAlice = await receipts(alice, room, read.body.position);
    expect(seenByAlice.shared).toBe(true);
    expect(byUser(seenByAlice.items)).toEqual({ [bob.id]: 2, [carol.id]: 0 });
    // Alice's own posts read everything before them.
    expect(byUser((await receipts(bob, room, read.body.position)).items)).toEqual({ [alice.id]: 3, [carol.id]: 0 });

    const hidden = await setReceipts(carol, 'none').expect(200);
    expect(hidden.body.read_receipts).toBe('none');
    expect(byUser((await receipts(alice, room, hidden.body.position)).items)).toEqual({ [bob.id]: 2 });
    expect(await receipts(carol, room, hidden.body.position)).toEqual({ shared: false, items: [] });

    const shownAgain = await setReceipts(carol, 'all').expect(200);
    expect(byUser((await receipts(alice, room, shownAgain.body.position)).items)).toEqual({ [bob.id]: 2, [carol.id]: 0 });
  });

  it('refuses receipts for contacts only and an unknown level (400 naming read_receipts), and outsiders (404)', async () => {
    const before = (await parley.http().get('/v1/me/privacy').set(dave.auth).expect(200)).body;
    expect(before.read_receipts).toBe('all');
    for (const level of ['contacts', 'some']) {
      const res = await setReceipts(dave, level);
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe('read_receipts');
    }
    expect((await parley.http().get('/v1/me/privacy').set(dave.auth).expect(200)).body).toEqual(before);
    const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Private', participants: [bob.id] }).expect(201)).body.id;
    const outsider = await parley.http().get(`/v1/rooms/${room}/receipts`).set(dave.auth);
    expect(outsider.status).toBe(404);
    expect(outsider.body.code).toBe('ROOM.NOT_FOUND');
  });
});

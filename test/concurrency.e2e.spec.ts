import { ParleyHarness, type TestUser } from './support/parley-app';

describe('concurrent writers', () => {
  let parley: ParleyHarness;
  let owner: TestUser;
  const clients: TestUser[] = [];

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    owner = await parley.user('owner');
    for (let i = 0; i < 10; i++) clients.push(await parley.user(`c${i}`));
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('stores each of 50 simultaneous posts to one room once, with seq 1..50 dense', async () => {
    const room = await parley
      .http()
      .post('/v1/rooms')
      .set(owner.auth)
      .send({ name: 'Busy', participants: clients.map((c) => c.id) })
      .expect(201);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        parley
          .http()
          .post(`/v1/rooms/${room.body.id}/comments`)
          .set(clients[i % clients.length]!.auth)
          .send({ text: `message ${i}`, clientId: `m-${i}` }),
      ),
    );
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const seqs = results.map((r) => r.body.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // previousId chains every comment to the one with seq - 1.
    const bySeq = new Map(results.map((r) => [r.body.seq as number, r.body]));
    for (let seq = 2; seq <= 50; seq++) expect(bySeq.get(seq).previousId).toBe(bySeq.get(seq - 1).id);

    await parley.settled();
    const list = await parley.http().get(`/v1/rooms/${room.body.id}/comments?after=0&limit=100`).set(owner.auth);
    const comments = list.body.items.filter((c: { kind: string }) => c.kind === 'comment');
    expect(comments).toHaveLength(50);
    expect(new Set(comments.map((c: { text: string }) => c.text)).size).toBe(50);
  });

  it('loses no membership change when members are added concurrently', async () => {
    const room = await parley.http().post('/v1/rooms').set(owner.auth).send({ name: 'Open door', participants: [] }).expect(201);
    const results = await Promise.all(
      clients.map((c) => parley.http().post(`/v1/rooms/${room.body.id}/members`).set(owner.auth).send({ userIds: [c.id] })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(clients.length).fill(200));
    await parley.settled();
    const members = await parley.http().get(`/v1/rooms/${room.body.id}/members`).set(owner.auth);
    expect(members.body).toHaveLength(clients.length + 1);
  });
});

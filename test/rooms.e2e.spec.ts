import { ParleyHarness, type TestUser } from './support/parley-app';

describe('rooms and members', () => {
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

  const createRoom = async (owner: TestUser, participants: TestUser[], extra: Record<string, unknown> = {}) => {
    const res = await parley
      .http()
      .post('/v1/rooms')
      .set(owner.auth)
      .send({ name: 'Trip', participants: participants.map((p) => p.id), ...extra });
    expect(res.status).toBe(201);
    return res.body as { id: string; position: string; members: { userId: string; role: string }[] };
  };

  it('creates a room with the creator as owner and the participants as members', async () => {
    const room = await createRoom(alice, [bob, carol], { topic: 'Weekend', avatarUrl: 'https://example.org/a.png' });
    expect(room.members).toEqual(
      expect.arrayContaining([
        { userId: alice.id, role: 'owner', muted: false },
        { userId: bob.id, role: 'member', muted: false },
        { userId: carol.id, role: 'member', muted: false },
      ]),
    );
    const got = await parley.http().get(`/v1/rooms/${room.id}`).set(bob.auth).set('X-Min-Position', room.position);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: room.id, name: 'Trip', topic: 'Weekend', kind: 'group', memberCount: 3, role: 'member', unreadCount: 0 });
    const members = await parley.http().get(`/v1/rooms/${room.id}/members`).set(carol.auth);
    expect(members.body.map((m: { displayName: string }) => m.displayName).sort()).toEqual(['Alice', 'Bob', 'Carol']);
  });

  it('refuses a room with an unknown participant, naming it, and writes nothing', async () => {
    const head = (await parley.http().get('/health')).body.eventStore.head;
    const res = await parley
      .http()
      .post('/v1/rooms')
      .set(alice.auth)
      .send({ name: 'Ghosts', participants: ['00000000-0000-4000-8000-000000000000'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ROOM.UNKNOWN_USERS');
    expect(res.body.details[0].field).toBe('participants');
    expect((await parley.http().get('/health')).body.eventStore.head).toBe(head);
  });

  it('refuses malformed room bodies with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ participants: [] }, 'name'],
      [{ name: 'x', participants: ['not-a-uuid'] }, 'participants'],
      [{ name: 'x', participants: [], avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
      [{ name: 'x', participants: [], permissions: { send: 'yes' } }, 'permissions.send'],
      [{ name: 'x', participants: [], owner: 'me' }, 'owner'],
    ];
    for (const [body, field] of cases) {
      const res = await parley.http().post('/v1/rooms').set(alice.auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('creates a room once for a retried Idempotency-Key', async () => {
    const send = () =>
      parley.http().post('/v1/rooms').set(alice.auth).set('Idempotency-Key', 'create-42').send({ name: 'Once', participants: [bob.id] });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    await parley.settled();
    const rooms = await parley.http().get('/v1/rooms?limit=100').set(alice.auth);
    expect(rooms.body.items.filter((r: { name: string }) => r.name === 'Once')).toHaveLength(1);
  });

  it('opens one direct room per pair, whoever asks, even when both ask at once', async () => {
    const dave = await parley.user('dave');
    const erin = await parley.user('erin');
    const [a, b] = await Promise.all([
      parley.http().post('/v1/rooms/direct').set(dave.auth).send({ userId: erin.id }),
      parley.http().post('/v1/rooms/direct').set(erin.auth).send({ userId: dave.id }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body.kind).toBe('direct');
    const again = await parley.http().post('/v1/rooms/direct').set(dave.auth).send({ userId: erin.id });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(a.body.id);
    const self = await parley.http().post('/v1/rooms/direct').set(dave.auth).send({ userId: dave.id });
    expect(self.status).toBe(400);
    const add = await parley.http().post(`/v1/rooms/${a.body.id}/members`).set(dave.auth).send({ userIds: [alice.id] });
    expect(add.status).toBe(403);
    expect(add.body.code).toBe('ROOM.DIRECT_ROOM');
  });

  it('lists my rooms, most recent activity first, cursor-paged', async () => {
    const frank = await parley.user('frank');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createRoom(frank, [alice])).id);
    await parley.http().post(`/v1/rooms/${ids[1]}/comments`).set(alice.auth).send({ text: 'bump' }).expect(201);
    await parley.settled();
    const page1 = await parley.http().get('/v1/rooms?limit=2').set(frank.auth);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0].id).toBe(ids[1]);
    expect(page1.body.items[0].lastComment.text).toBe('bump');
    expect(page1.body.items[0].unreadCount).toBe(1);
    const seen = page1.body.items.map((r: { id: string }) => r.id);
    let cursor = page1.body.nextCursor as string | null;
    while (cursor) {
      const page = await parley.http().get(`/v1/rooms?limit=2&cursor=${encodeURIComponent(cursor)}`).set(frank.auth);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    }
    expect(seen.sort()).toEqual([...ids].sort());
    const bad = await parley.http().get('/v1/rooms?cursor=garbage').set(frank.auth);
    expect(bad.status).toBe(400);
    const badLimit = await parley.http().get('/v1/rooms?limit=500').set(frank.auth);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.details[0].field).toBe('limit');
  });

  it('hides a room from non-members: reading, posting and listing members are 404', async () => {
    const room = await createRoom(alice, [bob]);
    await parley.settled();
    for (const req of [
      parley.http().get(`/v1/rooms/${room.id}`),
      parley.http().get(`/v1/rooms/${room.id}/members`),
      parley.http().get(`/v1/rooms/${room.id}/comments`),
      parley.http().post(`/v1/rooms/${room.id}/comments`).send({ text: 'let me in' }),
      parley.http().patch(`/v1/rooms/${room.id}`).send({ name: 'mine now' }),
      parley.http().post(`/v1/rooms/${room.id}/members`).send({ userIds: [carol.id] }),
    ]) {
      const res = await req.set(carol.auth);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROOM.NOT_FOUND');
    }
  });

  it('applies the permission flags to members but not to operators or the owner', async () => {
    const room = await createRoom(alice, [bob, carol], {
      permissions: { rename: false, changeTopic: false, addMembers: false, removeMembers: false, send: false },
    });
    const dave = await parley.user('dave');
    const refusals: [string, () => Promise<{ status: number; body: { code: string } }>][] = [
      ['ROOM.RENAME_NOT_ALLOWED', () => parley.http().patch(`/v1/rooms/${room.id}`).set(bob.auth).send({ name: 'Renamed' }).then((r) => r)],
      ['ROOM.TOPIC_NOT_ALLOWED', () => parley.http().patch(`/v1/rooms/${room.id}`).set(bob.auth).send({ topic: 'New' }).then((r) => r)],
      ['ROOM.ADD_MEMBERS_NOT_ALLOWED', () => parley.http().post(`/v1/rooms/${room.id}/members`).set(bob.auth).send({ userIds: [dave.id] }).then((r) => r)],
      ['ROOM.REMOVE_MEMBERS_NOT_ALLOWED', () => parley.http().delete(`/v1/rooms/${room.id}/members/${carol.id}`).set(bob.auth).then((r) => r)],
      ['ROOM.SEND_NOT_ALLOWED', () => parley.http().post(`/v1/rooms/${room.id}/comments`).set(bob.auth).send({ text: 'hi' }).then((r) => r)],
      ['ROOM.PERMISSIONS_NOT_ALLOWED', () => parley.http().patch(`/v1/rooms/${room.id}`).set(bob.auth).send({ permissions: { send: true } }).then((r) => r)],
      ['ROOM.ROLE_NOT_ALLOWED', () => parley.http().patch(`/v1/rooms/${room.id}/members/${carol.id}`).set(bob.auth).send({ role: 'operator' }).then((r) => r)],
      ['ROOM.MUTE_NOT_ALLOWED', () => parley.http().patch(`/v1/rooms/${room.id}/members/${carol.id}`).set(bob.auth).send({ muted: true }).then((r) => r)],
    ];
    for (const [code, send] of refusals) {
      const res = await send();
      expect({ code, status: res.status }).toEqual({ code: res.body.code, status: 403 });
    }
    // The owner makes carol an operator; operators are not bound by the flags.
    await parley.http().patch(`/v1/rooms/${room.id}/members/${carol.id}`).set(alice.auth).send({ role: 'operator' }).expect(200);
    await parley.http().patch(`/v1/rooms/${room.id}`).set(carol.auth).send({ name: 'Renamed', topic: 'New' }).expect(200);
    await parley.http().post(`/v1/rooms/${room.id}/members`).set(carol.auth).send({ userIds: [dave.id] }).expect(200);
    await parley.http().post(`/v1/rooms/${room.id}/comments`).set(carol.auth).send({ text: 'operators may' }).expect(201);
    await parley.http().delete(`/v1/rooms/${room.id}/members/${dave.id}`).set(carol.auth).expect(200);
    // An operator cannot remove the owner.
    const outranked = await parley.http().delete(`/v1/rooms/${room.id}/members/${alice.id}`).set(carol.auth);
    expect(outranked.status).toBe(403);
    expect(outranked.body.code).toBe('ROOM.OUTRANKED');
    // Opening the send flag lets bob post.
    await parley.http().patch(`/v1/rooms/${room.id}`).set(alice.auth).send({ permissions: { send: true } }).expect(200);
    await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bob.auth).send({ text: 'now I may' }).expect(201);
  });

  it('keeps a muted member from sending until unmuted', async () => {
    const room = await createRoom(alice, [bob]);
    await parley.http().patch(`/v1/rooms/${room.id}/members/${bob.id}`).set(alice.auth).send({ muted: true }).expect(200);
    const muted = await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bob.auth).send({ text: 'hello?' });
    expect(muted.status).toBe(403);
    expect(muted.body.code).toBe('ROOM.MUTED');
    await parley.http().patch(`/v1/rooms/${room.id}/members/${bob.id}`).set(alice.auth).send({ muted: false }).expect(200);
    await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bob.auth).send({ text: 'hello!' }).expect(201);
  });

  it('refuses a removed member and a member who left', async () => {
    const room = await createRoom(alice, [bob, carol]);
    await parley.http().delete(`/v1/rooms/${room.id}/members/${bob.id}`).set(alice.auth).expect(200);
    const removed = await parley.http().post(`/v1/rooms/${room.id}/comments`).set(bob.auth).send({ text: 'still here?' });
    expect(removed.status).toBe(404);
    await parley.http().post(`/v1/rooms/${room.id}/leave`).set(carol.auth).expect(200);
    const left = await parley.http().post(`/v1/rooms/${room.id}/comments`).set(carol.auth).send({ text: 'back' });
    expect(left.status).toBe(404);
    await parley.settled();
    const members = await parley.http().get(`/v1/rooms/${room.id}/members`).set(alice.auth);
    expect(members.body.map((m: { userId: string }) => m.userId)).toEqual([alice.id]);
    const bobRooms = await parley.http().get('/v1/rooms?limit=100').set(bob.auth);
    expect(bobRooms.body.items.map((r: { id: string }) => r.id)).not.toContain(room.id);
  });

  it('hands ownership on when the last owner leaves', async () => {
    const room = await createRoom(alice, [bob, carol]);
    await parley.http().patch(`/v1/rooms/${room.id}/members/${carol.id}`).set(alice.auth).send({ role: 'operator' }).expect(200);
    const left = await parley.http().post(`/v1/rooms/${room.id}/leave`).set(alice.auth).expect(200);
    const members = await parley.http().get(`/v1/rooms/${room.id}/members`).set(bob.auth).set('X-Min-Position', left.body.position);
    expect(members.body.find((m: { userId: string }) => m.userId === carol.id).role).toBe('owner');
  });

  it('rejects bad ids and bad X-Min-Position values with 400', async () => {
    const badId = await parley.http().get('/v1/rooms/not-a-room').set(alice.auth);
    expect(badId.status).toBe(400);
    expect(badId.body.details[0].field).toBe('roomId');
    const badPos = await parley.http().get('/v1/rooms').set(alice.auth).set('X-Min-Position', 'yesterday');
    expect(badPos.status).toBe(400);
    const ahead = await parley.http().get('/v1/rooms').set(alice.auth).set('X-Min-Position', '999999999999');
    expect(ahead.status).toBe(400);
    expect(ahead.body.code).toBe('REQUEST.MIN_POSITION_AHEAD');
  });
});

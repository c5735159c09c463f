import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'room-directory-admin-key-0123456789abcdef';

/** The room directory (issue #16): what DISABLE_LIST governs; joining a listed room. */
describe('room directory', () => {
  let h: ParleyHarness;
  let ann: TestUser;
  let bob: TestUser;
  const admin = { 'X-Api-Key': API_KEY };
  const trillian = (path: string) => `/trillian/v1/${path}?token=${encodeURIComponent(API_KEY)}`;
  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    [ann, bob] = await Promise.all([h.user('ann'), h.user('bob')]);
  });
  afterAll(async () => {
    await h.stop();
  });

  const orgRoom = async (name: string, extra: Record<string, unknown> = {}) =>
    (await h.http().post('/v1/admin/rooms').set(admin).send({ name, ...extra }).expect(201)).body.room.id as string;
  type Entry = { id: string; name: string; member: boolean; joinable: boolean; memberCount: number };
  const directory = async (user: TestUser, min?: string | null): Promise<Entry[]> => {
    const items: Entry[] = [];
    let cursor: string | null = null;
    do {
      const request = h.http().get(`/v1/rooms/directory?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).set(user.auth);
      if (min) void request.set('X-Min-Position', min);
      const page = await request.expect(200);
      items.push(...(page.body.items as Entry[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    return items;
  };

  it('lists the organisation’s group chats by name, paged; not an unlisted, a deleted or a user’s own room', async () => {
    const general = await orgRoom('General', { topic: 'Welcome' });
    const board = await orgRoom('Board', { unlisted: true });
    const closedOnly = await orgRoom('Announcements', { permissions: { addMembers: false } });
    const gone = await orgRoom('Gone');
    await h.http().patch(`/v1/admin/rooms/${gone}`).set(admin).send({ deleted: true }).expect(200);
    const own = (await h.http().post('/v1/rooms').set(ann.auth).send({ name: 'Ann’s friends', participants: [] }).expect(201)).body.id as string;
    await h.settled();
    const listed = await directory(bob);
    const ids = listed.map((room) => room.id);
    expect(ids).toEqual(expect.arrayContaining([general, closedOnly]));
    expect(ids).not.toContain(board);
    expect(ids).not.toContain(gone);
    expect(ids).not.toContain(own);
    expect(listed.map((room) => room.name)).toEqual([...listed.map((room) => room.name)].sort());
    expect(listed.find((room) => room.id === general)).toEqual({ id: general, name: 'General', topic: 'Welcome', avatarUrl: null, memberCount: 0, member: false, joinable: true });
    expect(listed.find((room) => room.id === closedOnly)).toMatchObject({ joinable: false });
  });

  it('DISABLE_LIST set through the Trillian surface hides the room from the directory; lifting it lists it again', async () => {
    const room = await orgRoom('Development');
    const name = encodeURIComponent(`#${room}@example.com`);
    await h.settled();
    expect((await directory(ann)).map((r) => r.id)).toContain(room);
    await h.http().patch(trillian(`groupchats/${name}/`)).type('form').send({ flags: String(0x400) }).expect(200);
    await h.settled();
    expect((await directory(ann)).map((r) => r.id)).not.toContain(room);
    expect((await h.http().post(`/v1/rooms/${room}/join`).set(ann.auth)).body.code).toBe('ROOM.NOT_FOUND');
    // The administrator's list still shows it, flagged.
    expect((await h.http().get(trillian(`groupchats/${name}/`))).text).toContain(`<flags>${0x400}</flags>`);
    const lifted = await h.http().patch(`/v1/admin/rooms/${room}`).set(admin).send({ unlisted: false }).expect(200);
    expect((await directory(ann, lifted.body.position)).map((r) => r.id)).toContain(room);
  });

  it('a user joins a listed room by themselves once; not an unlisted one, one only operators add to, or a user’s own room', async () => {
    const open = await orgRoom('Coffee');
    const hidden = await orgRoom('Hidden', { unlisted: true });
    const operatorsOnly = await orgRoom('Moderated', { permissions: { addMembers: false } });
    const own = (await h.http().post('/v1/rooms').set(ann.auth).send({ name: 'Private', participants: [] }).expect(201)).body.id as string;
    await h.settled();
    const head = async () => (await h.http().get('/health').expect(200)).body.eventStore.head as string | null;
    const before = await head();
    expect((await h.http().post(`/v1/rooms/${hidden}/join`).set(bob.auth).expect(404)).body.code).toBe('ROOM.NOT_FOUND');
    expect((await h.http().post(`/v1/rooms/${operatorsOnly}/join`).set(bob.auth).expect(403)).body.code).toBe('ROOM.JOIN_NOT_ALLOWED');
    expect((await h.http().post(`/v1/rooms/${own}/join`).set(bob.auth).expect(404)).body.code).toBe('ROOM.NOT_FOUND');
    expect((await h.http().post('/v1/rooms/not-a-room/join').set(bob.auth).expect(400)).body.details[0].field).toBe('roomId');
    expect(await head()).toBe(before);

    const joined = await h.http().post(`/v1/rooms/${open}/join`).set(bob.auth).expect(200);
    expect(joined.body).toMatchObject({ roomId: open, written: 1 });
    expect((await h.http().post(`/v1/rooms/${open}/join`).set(bob.auth).expect(200)).body).toMatchObject({ written: 0, position: null });
    const mine = await h.http().get('/v1/rooms').set(bob.auth).set('X-Min-Position', joined.body.position as string).expect(200);
    expect(mine.body.items.map((room: { id: string }) => room.id)).toContain(open);
    await h.http().post(`/v1/rooms/${open}/comments`).set(bob.auth).send({ text: 'Joined from the directory' }).expect(201);
    const entry = (await directory(bob, joined.body.position)).find((room) => room.id === open);
    expect(entry).toMatchObject({ member: true, joinable: false, memberCount: 1 });
  });

  it('refuses a cursor it did not hand out and a bad limit; asks for a signed-in user', async () => {
    expect((await h.http().get('/v1/rooms/directory?cursor=nonsense').set(ann.auth).expect(400)).body.code).toBe('REQUEST.CURSOR_INVALID');
    expect((await h.http().get('/v1/rooms/directory?limit=0').set(ann.auth).expect(400)).body.details[0].field).toBe('limit');
    await h.http().get('/v1/rooms/directory').expect(401);
  });
});

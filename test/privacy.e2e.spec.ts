import { ParleyHarness, type TestUser } from './support/parley-app';

type Level = 'none' | 'contacts' | 'all';
type Relation = 'contact' | 'other' | 'blocked' | 'blocker';

const PHONE = { name: 'Pixel 8', platform: 'android', version: '14' };
const STATUS = 'Gone hiking';
const PHOTO = 'https://example.org/owner.png';
/** Who sees a field at each level (the blocked see nothing, whoever blocked whom). */
const SEES: Record<Level, Record<Relation, boolean>> = {
  none: { contact: false, other: false, blocked: false, blocker: false },
  contacts: { contact: true, other: false, blocked: false, blocker: false },
  all: { contact: true, other: true, blocked: false, blocker: false },
};

/**
 * Every privacy level × every kind of viewer, for status message, photo and
 * last seen, on the contact endpoints (one and all at once, histories) and
 * in a room's member list. The owner has `contact` in their address book;
 * `other` only has the owner in theirs; the owner blocked `blocked`;
 * `blocker` blocked the owner. Every viewer has the owner in their address
 * book, so the contact endpoints answer and only privacy decides.
 */
describe('privacy', () => {
  let parley: ParleyHarness;
  let owner: TestUser;
  let viewers: Record<Relation, TestUser>;
  let room: string;
  let lastSeenAt: string;

  const http = () => parley.http();
  const setPrivacy = async (settings: { status_message?: Level; photo?: Level; last_seen?: Level }) => {
    const res = await http().put('/v1/me/privacy').set(owner.auth).send(settings).expect(200);
    await parley.settled();
    return res.body as { position: string };
  };
  const memberEntry = async (viewer: TestUser) => {
    const res = await http().get(`/v1/rooms/${room}/members`).set(viewer.auth).expect(200);
    return (res.body as { userId: string; statusMessage: string | null; photoUrl: string | null; presence: Record<string, unknown> }[]).find(
      (m) => m.userId === owner.id,
    )!;
  };
  const contactGet = async (viewer: TestUser, path: string) =>
    (await http().get(`/v1/contacts/${path}`).set(viewer.auth).expect(200)).body;
  const itemFor = (items: { userId: string }[]) => items.find((i) => i.userId === owner.id) as Record<string, unknown>;

  /** Everything a viewer sees of the owner's three fields, from every endpoint that shows them. */
  const seenBy = async (viewer: TestUser) => {
    const [presence, allPresence, status, statuses, statusHistory, photo, photoHistory, member] = await Promise.all([
      contactGet(viewer, `${owner.id}/presence`),
      contactGet(viewer, 'presence'),
      contactGet(viewer, `${owner.id}/status-message`),
      contactGet(viewer, 'statuses'),
      contactGet(viewer, `${owner.id}/status-message/history`),
      contactGet(viewer, `${owner.id}/photo`),
      contactGet(viewer, `${owner.id}/photo/history`),
      memberEntry(viewer),
    ]);
    return {
      statusMessage: [status.message, itemFor(statuses.items)['message'], member.statusMessage],
      statusHistory: statusHistory.items.length,
      photo: [photo.url, member.photoUrl],
      photoHistory: photoHistory.items.length,
      lastSeen: [presence.lastSeenAt, itemFor(allPresence.items)['lastSeenAt'], member.presence['lastSeenAt']],
      status: [presence.status, itemFor(allPresence.items)['status'], member.presence['status']],
      presenceMessage: [presence.message, member.presence['message']],
    };
  };

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    owner = await parley.user('owner', 'Owner');
    viewers = {
      contact: await parley.user('contact'),
      other: await parley.user('other'),
      blocked: await parley.user('blocked'),
      blocker: await parley.user('blocker'),
    };
    const all = Object.values(viewers);
    room = (await http().post('/v1/rooms').set(owner.auth).send({ name: 'Everyone', participants: all.map((v) => v.id) }).expect(201)).body.id;
    await http().post('/v1/contacts').set(owner.auth).send({ contactId: viewers.contact.id, firstName: 'C', lastName: 'C' }).expect(201);
    for (const viewer of all) {
      await http().post('/v1/contacts').set(viewer.auth).send({ contactId: owner.id, firstName: 'O', lastName: 'O' }).expect(201);
    }
    await http().post(`/v1/contacts/${viewers.blocked.id}/block`).set(owner.auth).expect(200);
    await http().post(`/v1/contacts/${owner.id}/block`).set(viewers.blocker.auth).expect(200);
    await http().put('/v1/me/status-message').set(owner.auth).send({ message: STATUS }).expect(200);
    await http().put('/v1/me/photo').set(owner.auth).send({ url: PHOTO }).expect(200);
    const online = await http().put('/v1/me/presence').set(owner.auth).send({ status: 'online', message: 'Around', device: PHONE }).expect(200);
    lastSeenAt = online.body.lastSeenAt;
    await parley.settled();
  });
  afterAll(async () => {
    await parley.stop();
  });

  for (const level of ['none', 'contacts', 'all'] as const) {
    describe(`every field set to ${level}`, () => {
      beforeAll(async () => {
        await setPrivacy({ status_message: level, photo: level, last_seen: level });
      });

      for (const relation of ['contact', 'other', 'blocked', 'blocker'] as const) {
        it(`a ${relation} viewer ${SEES[level][relation] ? 'sees' : 'sees nothing of'} status message, photo and last seen`, async () => {
          const seen = await seenBy(viewers[relation]);
          const sees = SEES[level][relation];
          expect(seen.statusMessage).toEqual([sees ? STATUS : null, sees ? STATUS : null, sees ? STATUS : null]);
          expect(seen.statusHistory).toBe(sees ? 1 : 0);
          expect(seen.photo).toEqual([sees ? PHOTO : null, sees ? PHOTO : null]);
          expect(seen.photoHistory).toBe(sees ? 1 : 0);
          expect(seen.lastSeen).toEqual([sees ? lastSeenAt : null, sees ? lastSeenAt : null, sees ? lastSeenAt : null]);
          // Presence itself is not a privacy field: everyone not blocked sees the owner online; the blocked see offline.
          const blocked = relation === 'blocked' || relation === 'blocker';
          expect(seen.status).toEqual(blocked ? ['offline', 'offline', 'offline'] : ['online', 'online', 'online']);
          expect(seen.presenceMessage).toEqual(blocked ? [null, null] : ['Around', 'Around']);
        });
      }

      it('the owner sees all of their own fields in the member list', async () => {
        const self = await memberEntry(owner);
        expect(self).toMatchObject({ statusMessage: STATUS, photoUrl: PHOTO });
        expect(self.presence).toEqual({ status: 'online', message: 'Around', device: PHONE, lastSeenAt });
      });
    });
  }

  it('each field follows its own setting', async () => {
    await setPrivacy({ status_message: 'none', photo: 'contacts', last_seen: 'all' });
    const contact = await seenBy(viewers.contact);
    expect(contact.statusMessage).toEqual([null, null, null]);
    expect(contact.photo).toEqual([PHOTO, PHOTO]);
    expect(contact.lastSeen).toEqual([lastSeenAt, lastSeenAt, lastSeenAt]);
    const other = await seenBy(viewers.other);
    expect(other.statusMessage).toEqual([null, null, null]);
    expect(other.photo).toEqual([null, null]);
    expect(other.photoHistory).toBe(0);
    expect(other.lastSeen).toEqual([lastSeenAt, lastSeenAt, lastSeenAt]);
  });

  it('offline and invisible hide freshness from everyone; last seen stays under its setting', async () => {
    await setPrivacy({ status_message: 'all', photo: 'all', last_seen: 'contacts' });
    const hidden = await http().put('/v1/me/presence').set(owner.auth).send({ status: 'invisible', message: 'Secret', device: PHONE }).expect(200);
    await parley.settled();
    for (const relation of ['contact', 'other'] as const) {
      const seen = await seenBy(viewers[relation]);
      expect(seen.status).toEqual(['offline', 'offline', 'offline']);
      expect(seen.presenceMessage).toEqual([null, null]);
      const expected = relation === 'contact' ? hidden.body.changedAt : null;
      expect(seen.lastSeen).toEqual([expected, expected, expected]);
      const one = await contactGet(viewers[relation], `${owner.id}/presence`);
      expect(one.device).toBeNull();
    }
    await http().put('/v1/me/presence').set(owner.auth).send({ status: 'offline' }).expect(200);
    await parley.settled();
    expect((await seenBy(viewers.contact)).lastSeen[0]).toBe(hidden.body.changedAt);
    // Back online: fresh again, and last seen moves.
    const back = await http().put('/v1/me/presence').set(owner.auth).send({ status: 'online', message: 'Around', device: PHONE }).expect(200);
    lastSeenAt = back.body.lastSeenAt;
    await parley.settled();
    expect((await seenBy(viewers.contact)).status).toEqual(['online', 'online', 'online']);
  });

  it('unblocking lets the viewer see again; a fresh block hides at once on the single endpoints', async () => {
    await setPrivacy({ status_message: 'all', photo: 'all', last_seen: 'all' });
    await http().post(`/v1/contacts/${viewers.blocked.id}/unblock`).set(owner.auth).expect(200);
    await parley.settled();
    expect((await seenBy(viewers.blocked)).statusMessage).toEqual([STATUS, STATUS, STATUS]);
    // No wait for the read models: the single contact endpoints check blocks against the log too.
    await http().post(`/v1/contacts/${viewers.blocked.id}/block`).set(owner.auth).expect(200);
    expect((await contactGet(viewers.blocked, `${owner.id}/status-message`)).message).toBeNull();
    expect((await contactGet(viewers.blocked, `${owner.id}/presence`)).status).toBe('offline');
  });

  it('the contact relation follows the owner’s address book, not the viewer’s', async () => {
    await setPrivacy({ status_message: 'contacts', photo: 'contacts', last_seen: 'contacts' });
    // `other` has the owner in their book, which is not enough ...
    expect((await seenBy(viewers.other)).statusMessage).toEqual([null, null, null]);
    // ... until the owner adds them.
    await http().post('/v1/contacts').set(owner.auth).send({ contactId: viewers.other.username, firstName: 'O', lastName: 'T' }).expect(201);
    await parley.settled();
    const seen = await seenBy(viewers.other);
    expect(seen.statusMessage).toEqual([STATUS, STATUS, STATUS]);
    expect(seen.photo).toEqual([PHOTO, PHOTO]);
    await http().delete(`/v1/contacts/${viewers.other.username}`).set(owner.auth).expect(200);
    await parley.settled();
    expect((await seenBy(viewers.other)).photo).toEqual([null, null]);
  });

  it('a member who is not a contact of anyone sees the member list filtered too, and nobody gets an error', async () => {
    await setPrivacy({ status_message: 'contacts', photo: 'none', last_seen: 'contacts' });
    const stranger = await parley.user('stranger');
    await http().post(`/v1/rooms/${room}/members`).set(owner.auth).send({ userIds: [stranger.id] }).expect(200);
    await parley.settled();
    const entry = await memberEntry(stranger);
    expect(entry).toMatchObject({ statusMessage: null, photoUrl: null });
    expect(entry.presence).toEqual({ status: 'online', message: 'Around', device: PHONE, lastSeenAt: null });
    // And the contact endpoints stay closed to someone without the owner in their book.
    const res = await http().get(`/v1/contacts/${owner.id}/status-message`).set(stranger.auth);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('CONTACT.NOT_FOUND');
  });
});

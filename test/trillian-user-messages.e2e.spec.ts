import sharp from 'sharp';
import { seedExample } from './fixtures/trillian-examples';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { structureDifferences, structureOf } from './support/xml-structure';

const API_KEY = 'trillian-user-messages-admin-key-0123456789';

/**
 * Trillian's user messages and address book avatars (issue #16) over Parley's
 * direct rooms and profile photos. The seed shows no example for these
 * operations; their answers take the shapes of the group chat history's
 * examples, which are compared here.
 */
describe('Trillian user messages and address book avatars (issue #16)', () => {
  let h: ParleyHarness;
  let token = '';
  let usersToken = '';
  let ann: TestUser;
  let bob: TestUser;
  let cat: TestUser;
  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    token = (await h.http().post('/v1/admin/api-keys').set('X-Api-Key', API_KEY).send({ name: 'trillian messages', scopes: ['admin:rooms', 'act:users'] }).expect(201)).body.key;
    usersToken = (await h.http().post('/v1/admin/api-keys').set('X-Api-Key', API_KEY).send({ name: 'trillian users', scopes: ['admin:users'] }).expect(201)).body.key;
    [ann, bob, cat] = await Promise.all([h.user('ann'), h.user('bob'), h.user('cat')]);
  });
  afterAll(async () => {
    await h.stop();
  });

  const t = (path: string, key = token) => `/trillian/v1/${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(key)}`;
  const head = async () => (await h.http().get('/health').expect(200)).body.eventStore.head as string | null;
  const field = (res: { status: number; body: { details?: { field: string }[] } }, status: number, name: string) => {
    expect(res.status).toBe(status);
    expect(res.body.details?.map((d) => d.field)).toContain(name);
  };
  function shapedAs(title: string, res: { status: number; text: string; headers: Record<string, unknown> }, status = seedExample(title).status) {
    expect(res.status).toBe(status);
    expect(String(res.headers['content-type'])).toMatch(/^application\/xml/);
    expect(structureDifferences(structureOf(res.text), structureOf(seedExample(title).xml))).toEqual([]);
  }

  describe('user messages', () => {
    it('sends to a user as from, lists the user’s conversations by week, reads a week, and deletes a block, a week and all', async () => {
      const sent = await h.http().post(t(`users/${bob.id}/messages/`)).type('form').send({ from: ann.id, message: 'Hello from the API!' });
      shapedAs('Send a message to a group chat', sent);
      expect(sent.text).toMatch(new RegExp(`<message timestamp="\\d+" from="${ann.id}">Hello from the API!</message>`));
      await h.http().post(t(`users/${ann.id}/messages`)).type('form').send({ from: bob.id, message: 'Looks like it’s working.' }).expect(200);
      // The direct room is Parley's own: Bob reads it and answers there.
      const direct = await h.http().post('/v1/rooms/direct').set(bob.auth).send({ userId: ann.id }).expect(200);
      const roomId = direct.body.id as string;
      const third = await h.http().post(`/v1/rooms/${roomId}/comments`).set(bob.auth).send({ text: 'Great - have a lovely day!' }).expect(201);

      const weeks = await h.http().get(t(`users/${ann.id}/messages/`)).set('X-Min-Position', third.body.position as string);
      shapedAs('Get all message weeks from a group chat', weeks);
      const conversation = roomId.replace(/-/g, '');
      const week = new RegExp(`<messages conversation="${conversation}" medium="astra" name="${bob.id}" revision="\\d+"><week flags="0" href="[^"]*/users/${ann.id}/messages/${conversation}/(\\d+)/(\\d+)/" messages="3"`).exec(weeks.text);
      expect(week).not.toBeNull();
      const [, year, weekNo] = week!;
      // Bob sees the same conversation from his side, named by Ann.
      expect((await h.http().get(t(`users/${bob.id}/messages/`))).text).toContain(`conversation="${conversation}" medium="astra" name="${ann.id}"`);

      const messages = await h.http().get(t(`users/${ann.id}/messages/${conversation}/${year}/${weekNo}/`));
      shapedAs('Get messages from a group chat by week', messages);
      expect(messages.text).toContain('Hello from the API!');
      expect(messages.text).toContain(`from="${bob.id}">Great - have a lovely day!</message>`);

      const block = Buffer.from(String(third.body.id)).toString('base64');
      await h.http().delete(t(`users/${ann.id}/messages/${conversation}/${year}/${weekNo}/?block=${encodeURIComponent(block)}`)).expect(204);
      await h.settled(); // a 204 carries no position
      const after = await h.http().get(t(`users/${ann.id}/messages/${conversation}/${year}/${weekNo}/?format=json`)).expect(200);
      expect(after.body.response.messages.message).toHaveLength(2);
      // Parley's own timeline shows the tombstone.
      const timeline = await h.http().get(`/v1/rooms/${roomId}/comments`).set(ann.auth).expect(200);
      expect(timeline.body.items.find((item: { id: string }) => item.id === third.body.id)).toMatchObject({ deleted: true, text: null });

      await h.http().delete(t(`users/${ann.id}/messages/${conversation}/${year}/${weekNo}/`)).expect(204);
      await h.settled();
      expect((await h.http().get(t(`users/${ann.id}/messages/${conversation}/${year}/${weekNo}/`))).text).not.toContain('<message ');
      await h.http().post(t(`users/${ann.id}/messages/`)).type('form').send({ from: bob.id, message: 'again' }).expect(200);
      await h.http().delete(t(`users/${ann.id}/messages/${conversation}/`)).expect(204);
      await h.settled();
      const none = await h.http().get(t(`users/${ann.id}/messages/?format=json`)).expect(200);
      const conversations = none.body.response.messages as { conversation: string; week?: unknown[] }[];
      expect(conversations.find((c) => c.conversation === conversation)?.week ?? []).toEqual([]);
    });

    it('Parley’s own API: an administrator lists a user’s direct conversations and reads their weeks without being in them', async () => {
      const sent = await h.http().post(t(`users/${cat.id}/messages/`)).type('form').send({ from: ann.id, message: 'hi Cat' }).expect(200);
      expect(sent.text).toContain('hi Cat');
      await h.settled();
      const list = await h.http().get(`/v1/admin/users/${cat.id}/conversations`).set('X-Api-Key', token).expect(200);
      expect(list.body.items).toEqual([expect.objectContaining({ withUserId: ann.id })]);
      const roomId = list.body.items[0].roomId as string;
      const weeks = await h.http().get(`/v1/admin/rooms/${roomId}/history/weeks`).set('X-Api-Key', token).expect(200);
      expect(weeks.body.weeks).toEqual([expect.objectContaining({ count: 1 })]);
      const { year, week } = weeks.body.weeks[0];
      const page = await h.http().get(`/v1/admin/rooms/${roomId}/history/weeks/${year}/${week}`).set('X-Api-Key', token).expect(200);
      expect(page.body.items.filter((item: { kind: string }) => item.kind === 'comment').map((item: { text: string }) => item.text)).toEqual(['hi Cat']);
      // Group rooms are no conversations of a user.
      await h.http().post('/v1/rooms').set(cat.auth).send({ name: 'Group', participants: [] }).expect(201);
      await h.settled();
      expect((await h.http().get(`/v1/admin/users/${cat.id}/conversations`).set('X-Api-Key', token).expect(200)).body.items).toHaveLength(1);
      // A key without admin:rooms reads none.
      await h.http().get(`/v1/admin/users/${cat.id}/conversations`).set('X-Api-Key', usersToken).expect(403);
      await h.http().get(`/v1/admin/rooms/${roomId}/history/weeks`).set('X-Api-Key', usersToken).expect(403);
    });

    it('refuses a missing sender or text, an unknown sender, another user’s conversation and a bad block, writing nothing', async () => {
      const sent = await h.http().post(t(`users/${bob.id}/messages/`)).type('form').send({ from: cat.id, message: 'from Cat' }).expect(200);
      expect(sent.text).toContain('from Cat');
      await h.settled();
      const listed = await h.http().get(t(`users/${bob.id}/messages/?format=json`)).expect(200);
      const catConversation = (listed.body.response.messages as { conversation: string; name: string }[]).find((c) => c.name === cat.id)!.conversation;
      const before = await head();
      field(await h.http().post(t(`users/${bob.id}/messages/`)).type('form').send({ message: 'no sender' }), 400, 'from');
      field(await h.http().post(t(`users/${bob.id}/messages/`)).type('form').send({ from: ann.id }), 400, 'message');
      field(await h.http().post(t(`users/${bob.id}/messages/`)).type('form').send({ from: 'nobody', message: 'x' }), 400, 'from');
      field(await h.http().post(t('users/nobody/messages/')).type('form').send({ from: ann.id, message: 'x' }), 400, 'user');
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await h.http().post(t(`users/${bob.id}/messages/`)).type('form').send({ from: unknown, message: 'x' })).status).toBe(404);
      // Cat's conversation with Bob is not Ann's.
      expect((await h.http().get(t(`users/${ann.id}/messages/${catConversation}/2026/1/`))).body.code).toBe('HISTORY.CONVERSATION_NOT_FOUND');
      expect((await h.http().delete(t(`users/${ann.id}/messages/${catConversation}/`))).status).toBe(404);
      expect((await h.http().delete(t(`users/${bob.id}/messages/not-a-conversation/`))).status).toBe(404);
      field(await h.http().delete(t(`users/${bob.id}/messages/${catConversation}/2026/1/?block=${encodeURIComponent('!!')}`)), 400, 'block');
      field(await h.http().get(t(`users/${bob.id}/messages/${catConversation}/20x6/1/`)), 400, 'year');
      // Sending needs act:users as well.
      const roomsOnly = (await h.http().post('/v1/admin/api-keys').set('X-Api-Key', API_KEY).send({ name: 'rooms only', scopes: ['admin:rooms'] }).expect(201)).body.key as string;
      const afterKey = await head();
      expect((await h.http().post(t(`users/${bob.id}/messages/`, roomsOnly)).type('form').send({ from: ann.id, message: 'x' })).status).toBe(403);
      expect(await head()).toBe(afterKey);
      expect(afterKey).not.toBe(before);
    });
  });

  describe('address book avatars', () => {
    const png = () => sharp({ create: { width: 48, height: 48, channels: 3, background: '#cc3366' } }).png().toBuffer();

    it('sets (201), gets the bytes back, and deletes (204) a user’s avatar; it is the user’s Parley photo', async () => {
      const image = await png();
      const set = await h.http().put(t(`users/${ann.id}/addressbook/avatar/`, usersToken)).type('form').send({ data: image.toString('base64'), type: 'image/png' });
      expect(set.status).toBe(201);
      expect(set.headers['content-type']).toMatch(/^application\/xml/);
      expect(set.text).toMatch(new RegExp(`<avatar href="[^"]*/users/${ann.id}/addressbook/avatar/" type="image/png" size="${image.length}"/>`));
      await h.settled();
      const got = await h.http().get(t(`users/${ann.id}/addressbook/avatar/`, usersToken)).buffer(true).expect(200);
      expect(got.headers['content-type']).toBe('image/png');
      expect(Buffer.compare(got.body as Buffer, image)).toBe(0);
      const profile = await h.http().get(`/v1/admin/users/${ann.id}`).set('X-Api-Key', usersToken).expect(200);
      expect(profile.body.photoUrl).toMatch(/^\/v1\/media\/[0-9a-f-]{36}$/);
      const native = await h.http().get(`/v1/admin/users/${ann.id}/photo`).set('X-Api-Key', usersToken).buffer(true).expect(200);
      expect(Buffer.compare(native.body as Buffer, image)).toBe(0);
      // JSON as the seed's media uploads send it works too.
      const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#000' } }).jpeg().toBuffer();
      await h.http().put(t(`users/${ann.id}/addressbook/avatar`, usersToken)).send({ data: jpeg.toString('base64') }).expect(201);
      await h.http().delete(t(`users/${ann.id}/addressbook/avatar/`, usersToken)).expect(204);
      await h.settled();
      expect((await h.http().get(t(`users/${ann.id}/addressbook/avatar/`, usersToken)).expect(404)).body.code).toBe('PROFILE.PHOTO_NOT_SET');
      expect((await h.http().get(`/v1/admin/users/${ann.id}`).set('X-Api-Key', usersToken).expect(200)).body.photoUrl).toBeNull();
    });

    it('Parley’s own API: an administrator uploads, reads and removes any user’s photo; a photo that is a link redirects', async () => {
      const image = await png();
      const set = await h.http().put(`/v1/admin/users/${bob.id}/photo`).set('X-Api-Key', usersToken).attach('photo', image, { filename: 'bob.png', contentType: 'image/png' }).expect(200);
      expect(set.body).toMatchObject({ url: expect.stringMatching(/^\/v1\/media\//), media: { type: 'image/png' } });
      const got = await h.http().get(`/v1/admin/users/${bob.id}/photo`).set('X-Api-Key', usersToken).set('X-Min-Position', set.body.position as string).buffer(true).expect(200);
      expect(Buffer.compare(got.body as Buffer, image)).toBe(0);
      // Bob's own profile shows the photo an administrator set.
      expect((await h.http().get('/v1/me').set(bob.auth).set('X-Min-Position', set.body.position as string).expect(200)).body.photoUrl).toBe(set.body.url);
      const linked = await h.http().put('/v1/me/photo').set(bob.auth).send({ url: 'https://example.com/bob.png' }).expect(200);
      const redirect = await h.http().get(`/v1/admin/users/${bob.id}/photo`).set('X-Api-Key', usersToken).set('X-Min-Position', linked.body.position as string).expect(302);
      expect(redirect.headers['location']).toBe('https://example.com/bob.png');
      const removed = await h.http().delete(`/v1/admin/users/${bob.id}/photo`).set('X-Api-Key', usersToken).expect(200);
      expect(removed.body).toEqual({ url: null, position: expect.any(String) });
      await h.http().get(`/v1/admin/users/${bob.id}/photo`).set('X-Api-Key', token).expect(403);
    });

    it('refuses what is not an image, no data, an unknown user and a token without admin:users, writing nothing', async () => {
      await h.settled();
      const before = await head();
      field(await h.http().put(t(`users/${cat.id}/addressbook/avatar/`, usersToken)).type('form').send({ data: Buffer.from('plain text, not a picture').toString('base64') }), 400, 'data');
      field(await h.http().put(t(`users/${cat.id}/addressbook/avatar/`, usersToken)).type('form').send({ data: 'not base64!' }), 400, 'data');
      field(await h.http().put(t(`users/${cat.id}/addressbook/avatar/`, usersToken)).type('form').send({}), 400, 'data');
      field(await h.http().put(t('users/nobody/addressbook/avatar/', usersToken)).type('form').send({ data: (await png()).toString('base64') }), 400, 'user');
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await h.http().put(t(`users/${unknown}/addressbook/avatar/`, usersToken)).type('form').send({ data: (await png()).toString('base64') })).status).toBe(404);
      expect((await h.http().get(t(`users/${cat.id}/addressbook/avatar/`, token))).status).toBe(403);
      expect((await h.http().get(t(`users/${cat.id}/addressbook/avatar/`, usersToken))).status).toBe(404);
      expect(await head()).toBe(before);
    });
  });
});

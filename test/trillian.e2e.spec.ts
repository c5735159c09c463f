import { seedExample } from './fixtures/trillian-examples';
import { ParleyHarness } from './support/parley-app';
import { structureDifferences, structureOf } from './support/xml-structure';

const API_KEY = 'trillian-e2e-admin-key-0123456789abcdef0';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('Trillian wire surface (issue #16)', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await h.stop();
  });

  const q = (path: string) => `/trillian/v1/${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(API_KEY)}`;
  /** The answer is XML whose element structure is the seed example's. */
  function shapedAs(title: string, res: { status: number; text: string; headers: Record<string, unknown> }) {
    const example = seedExample(title);
    expect(res.status).toBe(example.status);
    expect(String(res.headers['content-type'])).toMatch(/^application\/xml/);
    expect(structureDifferences(structureOf(res.text), structureOf(example.xml))).toEqual([]);
  }

  it('groups: create, get all, get one, update (POST and PATCH), in the seed’s XML', async () => {
    const created = await h.http().post(q('groups/')).type('form').send({ displayname: 'Development', name: `dev-${Date.now()}`, parent: '0', policy: '0', priority: '0', type: '0' });
    shapedAs('Create a group', created);
    const id = /<group id="(\d+)">/.exec(created.text)![1]!;
    const other = await h.http().post(q('groups')).type('form').send({ displayname: 'Sales' }).expect(200);
    const otherId = /<group id="(\d+)">/.exec(other.text)![1]!;
    shapedAs('Add a peer to a group', await h.http().post(q(`groups/${id}/peers/${otherId}/`)));
    shapedAs('Get all peers of a group', await h.http().get(q(`groups/${id}/peers/`)));
    shapedAs('Get all groups', await h.http().get(q('groups/')));
    shapedAs('Get a single group', await h.http().get(q(`groups/${id}/`)));
    const updated = await h.http().post(q(`groups/${id}/`)).type('form').send({ displayname: 'Marketing' });
    shapedAs('Update a group', updated);
    expect(updated.text).toContain('<displayname>Marketing</displayname>');
    const patched = await h.http().patch(q(`groups/${id}`)).type('form').send({ priority: '4' });
    shapedAs('Update a group', patched);
    expect(patched.text).toContain('<priority>4</priority>');
  });

  it('policies: create, get all, get one, update (PATCH and POST), in the seed’s XML; the seed’s data round-trips', async () => {
    const data = seedExample('Get a single policy').xml.match(/<data>([^<]+)<\/data>/)![1]!;
    const created = await h.http().post(q('policies/')).type('form').send({ name: 'cerulean-inc.com', data });
    shapedAs('Create a policy', created);
    expect(created.text).toContain(`<data>${data}</data>`);
    const id = /<policy id="(\d+)">/.exec(created.text)![1]!;
    shapedAs('Get all policies', await h.http().get(q('policies/')));
    shapedAs('Get a single policy', await h.http().get(q(`policies/${id}/`)));
    shapedAs('Update a policy', await h.http().patch(q(`policies/${id}/`)).type('form').send({ name: 'Marketing and HR' }));
    const posted = await h.http().post(q(`policies/${id}`)).type('form').send({ data: b64('trillian.history.cloud 0\n') });
    shapedAs('Update a policy', posted);
    expect(posted.text).toContain(`<data>${b64('trillian.history.cloud 0\n')}</data>`);
    await h.http().delete(q(`policies/${id}/`)).expect(204);
  });

  it('answers JSON on Accept: application/json or format=json, and takes the token from a header', async () => {
    const asJson = await h.http().get('/trillian/v1/groups/?format=json').set('Authorization', `Bearer ${API_KEY}`).expect(200);
    expect(asJson.headers['content-type']).toMatch(/^application\/json/);
    expect(Array.isArray(asJson.body.response.group)).toBe(true);
    const accepted = await h.http().get('/trillian/v1/policies').set('X-Api-Key', API_KEY).set('Accept', 'application/json').expect(200);
    expect(Array.isArray(accepted.body.response.policy)).toBe(true);
  });

  it('refuses without a token, with a wrong one, and with one lacking admin:org', async () => {
    expect((await h.http().get('/trillian/v1/groups/').expect(401)).body.code).toBe('AUTH.TOKEN_MISSING');
    await h.http().get('/trillian/v1/groups/?token=nonsense').expect(401);
    const key = await h.http().post('/v1/admin/api-keys').set('X-Api-Key', API_KEY).send({ name: 'users', scopes: ['admin:users'] }).expect(201);
    const res = await h.http().get(`/trillian/v1/groups/?token=${encodeURIComponent(key.body.key as string)}`).expect(403);
    expect(res.body.code).toBe('AUTH.SCOPE_MISSING');
  });

  it('refuses bad input naming the field, writing nothing: numbers, peering twice, policy data, ids', async () => {
    const head = async () => (await h.http().get('/health').expect(200)).body.eventStore.head as string | null;
    const before = await head();
    const field = async (res: { status: number; body: { details?: { field: string }[] } }, status: number, name: string) => {
      expect(res.status).toBe(status);
      expect(res.body.details?.map((d) => d.field)).toContain(name);
    };
    await field(await h.http().get(q('groups/?peers=2')), 400, 'peers');
    await field(await h.http().get(q('groups/?format=yaml')), 400, 'format');
    await field(await h.http().post(q('groups/')).type('form').send({ displayname: 'X', parent: 'one' }), 400, 'parent');
    await field(await h.http().post(q('groups/')).type('form').send({ displayname: 'X', parent: '999999' }), 404, 'parent');
    await field(await h.http().post(q('groups/')).type('form').send({ name: 'no display name' }), 400, 'displayname');
    await field(await h.http().post(q('policies/')).type('form').send({ name: 'P', data: 'not base64!' }), 400, 'data');
    await field(await h.http().post(q('policies/')).type('form').send({ name: 'P', data: b64('novalue\n') }), 400, 'data');
    await field(await h.http().get(q('groups/abc/')), 400, 'group');
    expect(await head()).toBe(before);
    const a = await h.http().post(q('groups/')).type('form').send({ displayname: 'A' }).expect(200);
    const id = /<group id="(\d+)">/.exec(a.text)![1]!;
    await h.http().post(q(`groups/${id}/peers/${id}/`)).expect(201);
    const after = await head();
    await field(await h.http().post(q(`groups/${id}/peers/${id}/`)), 400, 'peer');
    await field(await h.http().post(q(`groups/${id}/`)).type('form').send({ parent: id }), 400, 'parent');
    expect(await head()).toBe(after);
  });

  describe('group chats, members and messages', () => {
    const ROOMS_KEY = 'trillian-e2e-rooms-key';
    let token = '';
    const g = (path: string) => `/trillian/v1/${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    beforeAll(async () => {
      const key = await h.http().post('/v1/admin/api-keys').set('X-Api-Key', API_KEY).send({ name: ROOMS_KEY, scopes: ['admin:rooms', 'act:users'] }).expect(201);
      token = key.body.key as string;
    });
    const nameOf = (xml: string) => /<groupchat name="([^"]+)">/.exec(xml)![1]!;
    const path = (name: string) => `groupchats/${encodeURIComponent(name)}`;

    it('creates, lists, gets and updates group chats with the seed’s flags, in the seed’s XML', async () => {
      const created = await h.http().post(g('groupchats/')).type('form').send({ displayname: 'Sales', flags: '0' });
      shapedAs('Create a group chat', created);
      expect(created.text).toContain('<flags>0</flags>');
      const name = nameOf(created.text);
      shapedAs('Get all group chats', await h.http().get(g('groupchats/')));
      shapedAs('Get a single group chat', await h.http().get(g(`${path(name)}/`)));
      const updated = await h.http().patch(g(`${path(name)}/`)).type('form').send({ flags: '7936', topic: 'This is a brand new topic!' });
      shapedAs('Update a group chat', updated);
      expect(updated.text).toContain('<flags>7936</flags>');
      expect(updated.text).toContain('<topic>This is a brand new topic!</topic>');
      // Parley's own API reads the read models; the Trillian answer carried no position to wait for.
      await h.settled();
      const admin = await h.http().get(`/v1/admin/rooms/${name.slice(1, 37)}`).set('X-Api-Key', token).expect(200);
      expect(admin.body).toMatchObject({ unlisted: true, permissions: { rename: false, changeTopic: false, addMembers: false, removeMembers: false, send: true } });
      const posted = await h.http().post(g(`${path(name)}`)).type('form').send({ flags: String(0x2000 | 0x400) });
      expect(posted.status).toBe(200);
      expect(posted.text).toContain(`<flags>${0x2400}</flags>`);
    });

    it('adds and removes members, and shows OP and VOICE as member flags', async () => {
      const [ann, bob] = await Promise.all([h.user('ann'), h.user('bob')]);
      const name = nameOf((await h.http().post(g('groupchats/')).type('form').send({ displayname: 'Development' }).expect(201)).text);
      shapedAs('Add a member to a group chat', await h.http().post(g(`${path(name)}/${ann.id}/`)));
      await h.http().post(g(`${path(name)}/${bob.id}`)).expect(201);
      await h.http().put(`/v1/admin/rooms/${name.slice(1, 37)}/members/${bob.id}`).set('X-Api-Key', token).send({ role: 'operator', voice: true }).expect(200);
      const members = await h.http().get(g(`${path(name)}/members/`));
      shapedAs('Get all members of a group chat', members);
      expect(members.text).toContain(`<member name="${bob.id}"><flags>3</flags></member>`);
      await h.http().delete(g(`${path(name)}/${ann.id}/`)).expect(204);
      // No settling: Trillian's reads follow its writes.
      expect((await h.http().get(g(`${path(name)}/members`))).text).not.toContain(ann.id);
    });

    it('sends as a member, browses weeks and a week’s messages, deletes a block, a week and all', async () => {
      const [ann, bob] = await Promise.all([h.user('ann'), h.user('bob')]);
      const name = nameOf((await h.http().post(g('groupchats/')).type('form').send({ displayname: 'General' }).expect(201)).text);
      await h.http().post(g(`${path(name)}/${ann.id}/`)).expect(201);
      await h.http().post(g(`${path(name)}/${bob.id}/`)).expect(201);
      const sent = await h.http().post(g(`${path(name)}/messages/`)).type('form').send({ from: ann.id, message: 'This is a test of our new group chat.' });
      shapedAs('Send a message to a group chat', sent);
      await h.http().post(g(`${path(name)}/messages/`)).type('form').send({ from: bob.id, message: 'Looks like it’s working.' }).expect(200);
      const third = await h.http().post(`/v1/rooms/${name.slice(1, 37)}/comments`).set(ann.auth).send({ text: 'Great - have a lovely day!' }).expect(201);
      const weeks = await h.http().get(g(`${path(name)}/messages/`)).set('X-Min-Position', third.body.position as string);
      shapedAs('Get all message weeks from a group chat', weeks);
      const week = /<week [^>]*href="[^"]*\/messages\/([0-9a-f]+)\/(\d+)\/(\d+)\/"[^>]*messages="3"/.exec(weeks.text)!;
      const [, conversation, year, weekNo] = week;
      const messages = await h.http().get(g(`${path(name)}/messages/${conversation}/${year}/${weekNo}/`));
      shapedAs('Get messages from a group chat by week', messages);
      expect(messages.text).toContain('Great - have a lovely day!');
      const block = Buffer.from(String(third.body.id)).toString('base64');
      await h.http().delete(g(`${path(name)}/messages/${conversation}/${year}/${weekNo}/?block=${encodeURIComponent(block)}`)).expect(204);
      await h.settled(); // a 204 carries no position: wait for the read models to pass the log's head
      const after = await h.http().get(g(`${path(name)}/messages/${conversation}/${year}/${weekNo}/`)).set('Accept', 'application/json').expect(200);
      expect(after.body.response.messages.message).toHaveLength(2);
      await h.http().delete(g(`${path(name)}/messages/${conversation}/${year}/${weekNo}/`)).expect(204);
      await h.settled(); // a 204 carries no position: wait for the read models to pass the log's head
      expect((await h.http().get(g(`${path(name)}/messages/${conversation}/${year}/${weekNo}/`))).text).not.toContain('<message ');
      await h.http().post(g(`${path(name)}/messages/`)).type('form').send({ from: bob.id, message: 'again' }).expect(200);
      await h.http().delete(g(`${path(name)}/messages/${conversation}/`)).expect(204);
      await h.settled(); // a 204 carries no position: wait for the read models to pass the log's head
      const none = await h.http().get(g(`${path(name)}/messages/`)).set('Accept', 'application/json').expect(200);
      expect(none.body.response.messages.week ?? []).toEqual([]);
    });

    it('refuses unknown flag bits, a bad block, another conversation and a bad name, naming the field and writing nothing', async () => {
      const name = nameOf((await h.http().post(g('groupchats/')).type('form').send({ displayname: 'Refusals' }).expect(201)).text);
      const head = async () => (await h.http().get('/health').expect(200)).body.eventStore.head as string | null;
      const before = await head();
      const field = async (res: { status: number; body: { details?: { field: string }[] } }, status: number, fieldName: string) => {
        expect(res.status).toBe(status);
        expect(res.body.details?.map((d) => d.field)).toContain(fieldName);
      };
      await field(await h.http().post(g('groupchats/')).type('form').send({ displayname: 'X', flags: '2' }), 400, 'flags');
      await field(await h.http().patch(g(`${path(name)}`)).type('form').send({ flags: 'many' }), 400, 'flags');
      await field(await h.http().get(g('groupchats/not-a-room/')), 400, 'groupchat');
      await field(await h.http().delete(g(`${path(name)}/messages/${name.slice(1, 37).replace(/-/g, '')}/2016/20/?block=${encodeURIComponent('!!')}`)), 400, 'block');
      expect((await h.http().delete(g(`${path(name)}/messages/0000/2016/20/`))).status).toBe(404);
      expect(await head()).toBe(before);
    });
  });

  describe('presence and users', () => {
    const head = async () => (await h.http().get('/health').expect(200)).body.eventStore.head as string | null;
    const field = async (res: { status: number; body: { details?: { field: string }[] } }, status: number, name: string) => {
      expect(res.status).toBe(status);
      expect(res.body.details?.map((d) => d.field)).toContain(name);
    };
    type PresenceJson = { name: string; status: number; message: string; timestamp: number; devices: string | { device: { name: string }[] } };
    const presenceOf = async (userId: string): Promise<PresenceJson | undefined> => {
      await h.settled();
      const all = await h.http().get(q('presence/?format=json')).expect(200);
      return (all.body.response.presence as PresenceJson[]).find((p) => p.name === userId);
    };

    it('presence: get all in the seed’s XML; an admin token updates status and message by PATCH and POST, keeping what it leaves out', async () => {
      const ann = await h.user('ann');
      const set = await h.http().put('/v1/me/presence').set(ann.auth).send({ status: 'away', message: 'Away since 10:49 AM EDT', device: { name: 'BONECRUSHER.D899F043', platform: 'Windows', version: '6.0' } }).expect(200);
      const all = await h.http().get(q('presence/')).set('X-Min-Position', set.body.position as string);
      shapedAs('Get all presence', all);
      expect(all.text).toMatch(new RegExp(`<presence name="${ann.id}" status="2" message="Away since 10:49 AM EDT" timestamp="\\d+"><devices><device ip="0" name="BONECRUSHER.D899F043" platform="Windows" version="6.0" build="0"/></devices></presence>`));
      const patched = await h.http().patch(q(`presence/${ann.id}/`)).type('form').send({ status: '3', message: 'In a meeting' });
      expect(patched.status).toBe(204);
      expect(await presenceOf(ann.id)).toMatchObject({ status: 3, message: 'In a meeting', devices: { device: [{ name: 'BONECRUSHER.D899F043' }] } });
      await h.http().post(q(`presence/${ann.id}`)).type('form').send({ message: 'Back at 3' }).expect(204);
      expect(await presenceOf(ann.id)).toMatchObject({ status: 3, message: 'Back at 3' });
      await h.http().post(q(`presence/${ann.id}@cerulean-inc.com/`)).send({ status: 1 }).expect(204);
      expect(await presenceOf(ann.id)).toMatchObject({ status: 1, message: 'Back at 3' });
      const own = await h.http().get('/v1/me/presence').set(ann.auth).expect(200);
      expect(own.body).toMatchObject({ status: 'online', message: 'Back at 3' });
    });

    it('users: create (201), get all, get one, update by PATCH and POST (200), delete (200); im is the username, email is not kept', async () => {
      const im = `smw${Date.now().toString(36)}`;
      const created = await h.http().post(q('users/')).type('form').send({ im, password: 'xhTTrDc#p\\8P9=4B', email: 'smw@ceruleanstudios.com' });
      expect(created.status).toBe(201);
      expect(String(created.headers['content-type'])).toMatch(/^application\/xml/);
      const id = /<user name="([0-9a-f-]{36})"><im>([^<]+)<\/im><displayname>([^<]+)<\/displayname><\/user>/.exec(created.text)!;
      expect(id.slice(2)).toEqual([im, im]);
      const userId = id[1]!;
      expect(created.text).not.toContain('ceruleanstudios');
      await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username: im, password: 'xhTTrDc#p\\8P9=4B' }).expect(200);
      await h.settled();
      expect((await h.http().get(q('users/')).expect(200)).text).toContain(`<user name="${userId}"><im>${im}</im>`);
      const one = await h.http().get(q(`users/${userId}/`)).expect(200);
      expect(one.text).toContain(`<im>${im}</im>`);
      const patched = await h.http().patch(q(`users/${userId}/`)).type('form').send({ displayname: 'Scott Werndorfer' }).expect(200);
      expect(patched.text).toContain('<displayname>Scott Werndorfer</displayname>');
      await h.http().post(q(`users/${userId}`)).type('form').send({ password: 'a brand new password' }).expect(200);
      await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username: im, password: 'a brand new password' }).expect(200);
      const json = await h.http().get(q(`users/${userId}/`)).set('Accept', 'application/json').expect(200);
      expect(json.body.response.user).toEqual({ name: userId, im, displayname: 'Scott Werndorfer' });
      const deleted = await h.http().delete(q(`users/${userId}/`));
      expect(deleted.status).toBe(200);
      expect(deleted.text).toContain(`<user name="${userId}"/>`);
      await h.settled();
      expect((await h.http().get(q(`users/${userId}/`)).expect(404)).body.code).toBe('USER.REMOVED');
      expect((await h.http().get(q('users/'))).text).not.toContain(userId);
    });

    it('refuses a bad token, an unknown user and bad fields in the surface’s error shape, writing nothing', async () => {
      const ann = await h.user('ann');
      await h.settled();
      const before = await head();
      expect((await h.http().get('/trillian/v1/presence/').expect(401)).body.code).toBe('AUTH.TOKEN_MISSING');
      await h.http().post(`/trillian/v1/users/?token=nonsense`).type('form').send({ im: 'nobody1', password: 'long enough pass' }).expect(401);
      const key = await h.http().post('/v1/admin/api-keys').set('X-Api-Key', API_KEY).send({ name: 'org only', scopes: ['admin:org'] }).expect(201);
      const orgOnly = encodeURIComponent(key.body.key as string);
      expect((await h.http().patch(`/trillian/v1/presence/${ann.id}/?token=${orgOnly}`).type('form').send({ status: '1' }).expect(403)).body.code).toBe('AUTH.SCOPE_MISSING');
      await h.http().delete(`/trillian/v1/users/${ann.id}/?token=${orgOnly}`).expect(403);
      const afterKey = await head();
      const unknown = '00000000-0000-4000-8000-000000000000';
      const error = await h.http().patch(q(`presence/${unknown}/`)).type('form').send({ status: '1' });
      expect(error.status).toBe(404);
      expect(Object.keys(error.body as object).sort()).toEqual(['code', 'message', 'statusCode']);
      expect((await h.http().get(q(`users/${unknown}/`))).status).toBe(404);
      expect((await h.http().patch(q(`users/${unknown}/`)).type('form').send({ displayname: 'X' })).status).toBe(404);
      expect((await h.http().delete(q(`users/${unknown}/`))).status).toBe(404);
      await field(await h.http().patch(q(`presence/${ann.id}/`)).type('form').send({ status: '7' }), 400, 'status');
      await field(await h.http().patch(q(`presence/${ann.id}/`)).type('form').send({}), 400, 'status');
      await field(await h.http().patch(q('presence/nobody/')).type('form').send({ status: '1' }), 400, 'imaddress');
      await field(await h.http().post(q('users/')).type('form').send({ im: 'smw@ceruleanstudios.com', password: 'long enough pass' }), 400, 'im');
      await field(await h.http().post(q('users/')).type('form').send({ im: 'smwsmw' }), 400, 'password');
      await field(await h.http().post(q('users/')).type('form').send({ im: 'smwsmw', password: 'short' }), 400, 'password');
      await field(await h.http().post(q('users/')).type('form').send({ im: 'smwsmw', password: 'long enough pass', email: 'not an address' }), 400, 'email');
      expect((await h.http().post(q('users/')).type('form').send({ im: ann.username, password: 'long enough pass' }).expect(409)).body.code).toBe('USER.USERNAME_TAKEN');
      await field(await h.http().patch(q(`users/${ann.id}/`)).type('form').send({ im: 'renamed' }), 400, 'im');
      await field(await h.http().patch(q(`users/${ann.id}/`)).type('form').send({}), 400, 'displayname');
      await field(await h.http().post(q(`users/${ann.id}/`)).type('form').send({ displayname: '' }), 400, 'displayname');
      await field(await h.http().get(q('users/nobody/')), 400, 'user');
      expect(await head()).toBe(afterKey);
      expect(afterKey).not.toBe(before);
    });
  });

  it('never writes the token of the query string to the log', async () => {
    const logged = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, LOG_LEVEL: 'debug' });
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await logged.http().get(`/trillian/v1/groups/?token=${encodeURIComponent(API_KEY)}`).expect(200);
      await logged.http().get('/trillian/v1/groups/?token=wrong-secret-token-value').expect(401);
    } finally {
      write.mockRestore();
      await logged.stop();
    }
    expect(lines.some((line) => line.includes('/trillian/v1/groups'))).toBe(true);
    expect(lines.filter((line) => line.includes(API_KEY) || line.includes('wrong-secret-token-value'))).toEqual([]);
  });
});


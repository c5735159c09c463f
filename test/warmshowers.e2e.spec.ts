import { XMLParser } from 'fast-xml-parser';
import { ParleyHarness, type TestUser } from './support/parley-app';

/*
 * Warmshowers (seed 003_2ba95041b00d117f): each example of the seed replayed
 * through /warmshowers and its structure compared with the seed's, in JSON
 * and in XML; then a whole session as an app lives it.
 */

const SEED_LOGIN_JSON = JSON.parse(`{ "sessid": "", "session_name": "", "token": "", "user": { "uid": "", "name": "", "theme": "", "signature_format": "", "created": "", "access": "", "login": 1460103119, "status": "", "timezone": "", "language": "", "picture": { "fid": "", "uid": "", "filename": "", "uri": "", "filemime": "", "filesize": "", "status": "", "timestamp": "", "url": "" }, "fullname": "", "notcurrentlyavailable": "", "fax_number": "", "mobilephone": "", "workphone": "", "homephone": "", "preferred_notice": "", "maxcyclists": "", "storage": "", "motel": "", "campground": "", "bikeshop": "", "comments": "", "shower": "", "kitchenuse": "", "lawnspace": "", "sag": "", "bed": "", "laundry": "", "food": "", "languagesspoken": "", "URL": "", "becomeavailable": "", "set_unavailable_timestamp": "", "set_available_timestamp": "", "last_unavailability_pester": "", "hide_donation_status": "", "email_opt_out": "", "street": "", "additional": "", "city": "", "province": "", "postal_code": "", "country": "", "latitude": "", "longitude": "", "source": "", "comment_notify_settings": { "uid": "", "node_notify": "", "comment_notify": "" }, "privatemsg_disabled": false, "profile_image_mobile_profile_photo_std": "", "profile_image_profile_picture": "", "profile_image_mobile_photo_456": "", "profile_image_map_infoWindow": "" } }`);
const SEED_LOGIN_XML = `<?xml version="1.0" encoding="utf-8"?> <result> <sessid></sessid> <session_name></session_name> <token></token> <user> <uid></uid> <name></name> <theme></theme> <signature_format></signature_format> <created></created> <access></access> <login></login> <status></status> <timezone></timezone> <language></language> <picture> <fid></fid> <uid></uid> <filename></filename> <uri></uri> <filemime></filemime> <filesize></filesize> <status></status> <timestamp></timestamp> <url></url> </picture> <fullname></fullname> <notcurrentlyavailable></notcurrentlyavailable> <fax_number></fax_number> <mobilephone></mobilephone> <workphone></workphone> <homephone></homephone> <preferred_notice></preferred_notice> <maxcyclists></maxcyclists> <storage></storage> <motel></motel> <campground></campground> <bikeshop></bikeshop> <comments></comments> <shower></shower> <kitchenuse></kitchenuse> <lawnspace></lawnspace> <sag></sag> <bed></bed> <laundry></laundry> <food></food> <languagesspoken></languagesspoken> <URL></URL> <becomeavailable></becomeavailable> <set_unavailable_timestamp></set_unavailable_timestamp> <set_available_timestamp></set_available_timestamp> <last_unavailability_pester></last_unavailability_pester> <hide_donation_status></hide_donation_status> <email_opt_out></email_opt_out> <street></street> <additional></additional> <city></city> <province></province> <postal_code></postal_code> <country></country> <latitude></latitude> <longitude></longitude> <source></source> <comment_notify_settings> <uid></uid> <node_notify></node_notify> <comment_notify></comment_notify> </comment_notify_settings> <privatemsg_disabled></privatemsg_disabled> <profile_image_mobile_profile_photo_std></profile_image_mobile_profile_photo_std> <profile_image_profile_picture></profile_image_profile_picture> <profile_image_mobile_photo_456></profile_image_mobile_photo_456> <profile_image_map_infoWindow></profile_image_map_infoWindow> </user> </result>`;

/** The structure of a value: keys (in order) and value types, not the values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return typeof value;
}
/** The element structure of an XML document: element names, nesting and order. */
function xmlShape(xml: string): unknown {
  const parsed = new XMLParser({ preserveOrder: true, ignoreDeclaration: true, trimValues: true }).parse(xml) as unknown[];
  const walk = (nodes: unknown[]): unknown[] =>
    nodes.flatMap((node) => {
      const [name, children] = Object.entries(node as Record<string, unknown[]>)[0]!;
      return name === '#text' ? [] : [{ [name]: walk(children) }];
    });
  return walk(parsed);
}

describe('Warmshowers under /warmshowers (seed 003)', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const password = 'correct horse battery';

  const login = (user: TestUser, json = true) => {
    const req = parley.http().post('/warmshowers/services/rest/user/login').type('form').send({ username: user.username, password });
    return json ? req.set('Accept', 'application/json') : req;
  };
  const session = async (user: TestUser) => {
    const res = await login(user).expect(200);
    return { cookie: `${res.body.session_name}=${res.body.sessid}`, token: res.body.token as string, uid: res.body.user.uid as string };
  };
  const call = (path: string, s: { cookie: string; token: string }, form: Record<string, string> = {}) =>
    parley.http().post(`/warmshowers/services/rest/${path}`).set('Accept', 'application/json').set('Cookie', s.cookie).set('X-CSRF-Token', s.token).type('form').send(form);

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
    const host = await parley.http().put('/v1/me/member-profile').set(bob.auth).send({ fullName: 'Bob Durand', city: 'Lyon', country: 'fr', latitude: 45.764, longitude: 4.8357, findable: true, offers: { maxGuests: 3, bed: true } });
    expect(host.status).toBe(200);
    await parley.settled();
  });
  afterAll(async () => {
    await parley.stop();
  });

  describe('the seed’s examples, replayed', () => {
    it('GET /services/session/token answers a token as text/plain', async () => {
      const res = await parley.http().get('/warmshowers/services/session/token').set('Accept', 'text/plain');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    });

    it('login answers sessid, session_name, token and the user object, shaped as the seed’s JSON, and sets an HttpOnly cookie', async () => {
      const res = await login(alice);
      expect(res.status).toBe(200);
      expect(shape(res.body)).toEqual(shape(SEED_LOGIN_JSON));
      expect(Object.keys(res.body.user)).toEqual(Object.keys(SEED_LOGIN_JSON.user));
      expect(res.body.user).toMatchObject({ name: alice.username, uid: expect.stringMatching(/^\d+$/), privatemsg_disabled: false });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toContain(`${res.body.session_name}=${res.body.sessid}`);
      expect(cookie).toMatch(/HttpOnly/);
      // Served over plain HTTP (WARMSHOWERS_SECURE_COOKIE=auto): a Secure cookie would never come back.
      expect(cookie).not.toMatch(/;\s*Secure/i);
    });

    it('marks the session cookie Secure when Parley is served over TLS (here behind a proxy saying X-Forwarded-Proto: https), the cleared one too', async () => {
      const res = await login(alice).set('X-Forwarded-Proto', 'https').expect(200);
      expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
      const s = { cookie: `${res.body.session_name}=${res.body.sessid}`, token: res.body.token as string };
      const out = await call('user/logout', s).set('X-Forwarded-Proto', 'https').expect(200);
      expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0; HttpOnly; Secure; SameSite=Lax$/);
    });

    it('login answers XML by default, with the seed’s elements in the seed’s order', async () => {
      const res = await login(carol, false);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/xml/);
      expect(xmlShape(res.text)).toEqual(xmlShape(SEED_LOGIN_XML));
    });

    it('login refuses wrong credentials and missing arguments as the seed does, in JSON and XML', async () => {
      const wrong = await parley.http().post('/warmshowers/services/rest/user/login').set('Accept', 'application/json').type('form').send({ username: alice.username, password: 'wrong password!' });
      expect([wrong.status, wrong.body]).toEqual([401, ['Wrong username or password.']]);
      const wrongXml = await parley.http().post('/warmshowers/services/rest/user/login').type('form').send({ username: alice.username, password: 'wrong password!' });
      expect([wrongXml.status, xmlShape(wrongXml.text)]).toEqual([401, xmlShape('<?xml version="1.0" encoding="utf-8"?> <result>Wrong username or password.</result>')]);
      expect(wrongXml.text).toContain('<result>Wrong username or password.</result>');
      const noName = await parley.http().post('/warmshowers/services/rest/user/login').set('Accept', 'application/json').type('form').send({ password });
      expect([noName.status, noName.body]).toEqual([401, ['Missing required argument username']]);
      const noPassword = await parley.http().post('/warmshowers/services/rest/user/login').type('form').send({ username: alice.username });
      expect([noPassword.status, noPassword.text]).toEqual([401, expect.stringContaining('<result>Missing required argument password</result>')]);
    });

    it('login with a live session answers 406 Already logged in as <username>.', async () => {
      const s = await session(alice);
      const again = await login(alice).set('Cookie', s.cookie);
      expect([again.status, again.body]).toEqual([406, [`Already logged in as ${alice.username}.`]]);
    });

    it('logout answers [true] (XML <result>1</result>); without a session 406; without the CSRF token 401', async () => {
      const s = await session(alice);
      const noToken = await parley.http().post('/warmshowers/services/rest/user/logout').set('Accept', 'application/json').set('Cookie', s.cookie);
      expect([noToken.status, noToken.body]).toEqual([401, ['CSRF validation failed']]);
      const out = await parley.http().post('/warmshowers/services/rest/user/logout').set('Cookie', s.cookie).set('X-CSRF-Token', s.token);
      expect([out.status, out.text]).toEqual([200, expect.stringContaining('<result>1</result>')]);
      const again = await parley.http().post('/warmshowers/services/rest/user/logout').set('Accept', 'application/json').set('Cookie', s.cookie).set('X-CSRF-Token', s.token);
      expect([again.status, again.body]).toEqual([406, ['User is not logged in.']]);
    });
  });

  it('a session: token, login, CSRF-protected send and reply, logout, then the old cookie refused', async () => {
    const anonymous = await parley.http().get('/warmshowers/services/session/token');
    const a = await session(alice);
    const token = await parley.http().get('/warmshowers/services/session/token').set('Cookie', a.cookie);
    expect(token.text).toBe(a.token);
    expect(token.text).not.toBe(anonymous.text);

    const b = await session(bob);
    const head = (await parley.http().get('/health')).body.eventStore.head;
    const noCsrf = await parley.http().post('/warmshowers/services/rest/message/send').set('Accept', 'application/json').set('Cookie', a.cookie).type('form').send({ recipients: bob.username, subject: 'Hi', body: 'x' });
    expect([noCsrf.status, noCsrf.body]).toEqual([401, ['CSRF validation failed']]);
    const othersToken = await call('message/send', { cookie: a.cookie, token: b.token }, { recipients: bob.username, subject: 'Hi', body: 'x' });
    expect([othersToken.status, othersToken.body]).toEqual([401, ['CSRF validation failed']]);
    expect((await parley.http().get('/health')).body.eventStore.head).toBe(head);

    const sent = await call('message/send', a, { recipients: `${bob.username}, ${carol.username}`, subject: 'A bed in Lyon?', body: 'May I stay on the 3rd?' });
    expect([sent.status, sent.body]).toEqual([200, [true]]);
    await parley.settled();

    const unread = await call('message/unreadCount', b);
    expect(unread.body).toEqual([1]);
    const inbox = await call('message/get', b);
    expect(inbox.status).toBe(200);
    expect(inbox.body).toHaveLength(1);
    const thread = inbox.body[0];
    expect(thread).toMatchObject({ subject: 'A bed in Lyon?', thread_id: expect.stringMatching(/^\d+$/), is_new: '1', message_count: '1' });
    expect(thread.participants.map((p: { name: string }) => p.name).sort()).toEqual([alice.username, bob.username, carol.username].sort());

    const replied = await call('message/reply', b, { thread_id: thread.thread_id, body: 'Yes, welcome!' });
    expect([replied.status, replied.body]).toEqual([200, [true]]);
    await parley.settled();
    const read = await call('message/getThread', a, { thread_id: thread.thread_id });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ thread_id: thread.thread_id, subject: 'A bed in Lyon?', message_count: '2' });
    expect(read.body.messages.map((m: { body: string; author: { name: string } }) => [m.author.name, m.body])).toEqual([
      [alice.username, 'May I stay on the 3rd?'],
      [bob.username, 'Yes, welcome!'],
    ]);
    const xml = await parley.http().post('/warmshowers/services/rest/message/getThread').set('Cookie', a.cookie).set('X-CSRF-Token', a.token).type('form').send({ thread_id: thread.thread_id });
    expect(xml.text).toContain('<subject>A bed in Lyon?</subject>');

    const marked = await call('message/markThreadRead', b, { thread_id: thread.thread_id });
    expect(marked.body).toEqual([true]);
    await parley.settled();
    expect((await call('message/unreadCount', b)).body).toEqual([0]);
    const unmarked = await call('message/markThreadRead', b, { thread_id: thread.thread_id, status: '1' });
    expect(unmarked.body).toEqual([true]);
    await parley.settled();
    expect((await call('message/unreadCount', b)).body).toEqual([1]);

    const out = await call('user/logout', a);
    expect([out.status, out.body]).toEqual([200, [true]]);
    const after = await call('message/get', a);
    expect([after.status, after.body]).toEqual([401, ['Access denied for user anonymous']]);
    const otherThread = await call('message/getThread', a, { thread_id: thread.thread_id });
    expect(otherThread.status).toBe(401);
  });

  it('user/<uid>, hosts by location and by keyword, feedback through node and json_recommendations', async () => {
    const a = await session(alice);
    const b = await session(bob);
    const user = await parley.http().get(`/warmshowers/services/rest/user/${b.uid}`).set('Accept', 'application/json').set('Cookie', a.cookie);
    expect(user.status).toBe(200);
    expect(Object.keys(user.body)).toEqual(Object.keys(SEED_LOGIN_JSON.user));
    expect(user.body).toMatchObject({ uid: b.uid, name: bob.username, fullname: 'Bob Durand', city: 'Lyon', maxcyclists: '3', bed: '1', latitude: '45.76' });
    // The seed's other route to the same object: GET /user/<uid>/json.
    const json = await parley.http().get(`/warmshowers/user/${b.uid}/json`).set('Accept', 'application/json').set('Cookie', a.cookie);
    expect([json.status, json.body]).toEqual([200, user.body]);
    expect((await parley.http().get(`/warmshowers/user/${b.uid}/json`).set('Accept', 'application/json')).status).toBe(401);
    expect((await parley.http().get('/warmshowers/services/rest/user/123').set('Accept', 'application/json').set('Cookie', a.cookie)).status).toBe(404);
    expect((await parley.http().get(`/warmshowers/services/rest/user/${b.uid}`).set('Accept', 'application/json')).status).toBe(401);

    const near = await call('hosts/by_location', a, { minlat: '45.5', maxlat: '46', minlon: '4.5', maxlon: '5', centerlat: '45.76', centerlon: '4.83', limit: '10' });
    expect(near.status).toBe(200);
    expect(near.body.status).toEqual({ delivered: 1, totalresults: 1 });
    expect(near.body.accounts[0]).toMatchObject({ uid: b.uid, name: bob.username, city: 'Lyon' });
    const crossed = await call('hosts/by_location', a, { minlat: '46', maxlat: '45', minlon: '4.5', maxlon: '5', centerlat: '45.76', centerlon: '4.83' });
    expect([crossed.status, crossed.body]).toEqual([400, [expect.stringContaining('minlat')]]);
    const outside = await call('hosts/by_location', a, { minlat: '45', maxlat: '46', minlon: '4.5', maxlon: '200', centerlat: '45.76', centerlon: '4.83' });
    expect([outside.status, outside.body]).toEqual([400, [expect.stringContaining('maxlon')]]);
    const missing = await call('hosts/by_location', a, { minlat: '45' });
    expect([missing.status, missing.body]).toEqual([400, ['Missing required argument maxlat']]);
    const keyword = await call('hosts/by_keyword', a, { keyword: 'durand', limit: '5' });
    expect(keyword.body).toMatchObject({ status: { delivered: 1, totalresults: 1 }, accounts: [{ uid: b.uid }] });
    const badLimit = await call('hosts/by_keyword', a, { keyword: 'durand', limit: '500' });
    expect([badLimit.status, badLimit.body]).toEqual([400, [expect.stringContaining('limit')]]);

    const feedback = {
      'node[type]': 'trust_referral',
      'node[field_member_i_trust][0][uid][uid]': bob.username,
      'node[field_rating][value]': 'Postive',
      'node[body]': 'A wonderful host',
      'node[field_guest_or_host][value]': 'Guest',
      'node[field_hosting_date][0][value][year]': '2024',
      'node[field_hosting_date][0][value][month]': '6',
    };
    const node = await call('node', a, feedback);
    expect(node.status).toBe(200);
    expect(node.body).toEqual({ nid: expect.stringMatching(/^\d+$/), uri: expect.any(String) });
    const twice = await call('node', a, feedback);
    expect(twice.status).toBe(409);
    const self = await call('node', b, feedback);
    expect(self.status).toBe(409);
    await parley.settled();
    const recs = await parley.http().get(`/warmshowers/user/${b.uid}/json_recommendations`).set('Accept', 'application/json').set('Cookie', a.cookie);
    expect(recs.status).toBe(200);
    expect(recs.body.recommendations).toEqual([
      { recommendation: expect.objectContaining({ recommender_name: alice.username, recommendee_uid: b.uid, field_rating_value: 'Positive', field_guest_or_host_value: 'Guest', field_hosting_date_value: '2024-06', body: 'A wonderful host' }) },
    ]);
  });

  it('refuses another member’s thread and an unknown one as not found', async () => {
    const a = await session(alice);
    const c = await session(carol);
    const opened = await call('message/send', a, { recipients: bob.username, subject: 'Just us', body: 'hello' });
    expect(opened.status).toBe(200);
    await parley.settled();
    const mine = await call('message/get', a);
    const threadId = mine.body.find((t: { subject: string }) => t.subject === 'Just us').thread_id as string;
    const peek = await call('message/getThread', c, { thread_id: threadId });
    expect([peek.status, peek.body]).toEqual([404, ['Thread not found.']]);
    const intrude = await call('message/reply', c, { thread_id: threadId, body: 'me too' });
    expect(intrude.status).toBe(404);
    const bogus = await call('message/getThread', c, { thread_id: 'abc' });
    expect(bogus.status).toBe(400);
  });
});

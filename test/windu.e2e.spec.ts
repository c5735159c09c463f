import sharp from 'sharp';
import type { EventStore } from '../libs/event-store/event-store.port';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { ParleyHarness, type TestUser } from './support/parley-app';

/*
 * Windu (seed 000) under /windu. The seed shows requests only (curl lines,
 * no answers): each is replayed here as written — method, path with its
 * trailing slash, form or JSON fields — with the seed's placeholders
 * (<user>, 000000000, XXXXXX, <contact-id>) replaced by real values, and each
 * answer is compared field by field with the shape Windu's framework
 * (Django REST framework, django-oauth-toolkit) gives it. Every answer is
 * also validated against the OpenAPI document (tag `compat: windu`).
 */

const API_KEY = 'windu-e2e-admin-key-0123456789abcdef-000';
const CLIENT_ID = 'RoVMZF1EIpC2vcfGC864gr4NZsv0mJlyPlE3gtQY';
const password = 'correct horse battery';

let numbers = 0;
/** A number as Windu sends it: digits, no +. */
const newNumber = () => `1557${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;

describe('Windu under /windu (seed 000)', () => {
  let h: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let token: string;
  let refresh: string;
  const aliceNumber = newNumber();
  const aliceSecond = newNumber();
  const bobNumber = newNumber();

  const form = (method: 'post' | 'patch', path: string, auth: string, fields: Record<string, string> = {}) =>
    h.http()[method](`/windu${path}`).set('Authorization', `Bearer ${auth}`).type('form').send(fields);
  const get = (path: string, auth: string) => h.http().get(`/windu${path}`).set('Authorization', `Bearer ${auth}`);
  const json = (path: string, auth: string, body: unknown) =>
    h.http().post(`/windu${path}`).set('Authorization', `Bearer ${auth}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const lastCode = async (number: string): Promise<string> => {
    const res = await h.http().get('/v1/admin/verification-codes').query({ phone: `+${number}` }).set({ 'X-Api-Key': API_KEY }).expect(200);
    return (res.body.items as { code: string }[])[0]!.code;
  };
  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  const signIn = async (user: TestUser) =>
    (await h.http().post('/windu/o/token/').type('form').send({ grant_type: 'password', username: user.username, password, client_id: CLIENT_ID }).expect(200)).body
      .access_token as string;
  /** create-account then register-code for a login, through the surface. */
  const register = async (auth: string, number: string, nickname: string) => {
    await form('post', '/api/account/create-account/', auth, { account: number, nickname }).expect(201);
    await form('post', '/api/account/register-code/', auth, { account: number, code: await lastCode(number) }).expect(200);
  };

  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, CODE_REQUEST_INTERVAL: '0', CODE_REQUESTS_PER_HOUR: '100' });
    alice = await h.user('alice');
    bob = await h.user('bob');
    const bobToken = await signIn(bob);
    await register(bobToken, bobNumber, 'Bob');
    const bobAccount = (await h.http().get('/v1/me/accounts').set(bob.auth).expect(200)).body.items[0].id as string;
    const asBob = { ...bob.auth, 'X-Parley-Account': bobAccount };
    await h.http().put('/v1/me/status-message').set(asBob).send({ message: 'hello from Bob' }).expect(200);
    await h.http().put('/v1/me/status-message').set(asBob).send({ message: 'Bob again' }).expect(200);
    await h.http().put('/v1/me/photo').set(asBob).send({ url: 'https://example.com/bob.jpg' }).expect(200);
    await h.http().put('/v1/me/presence').set(asBob).send({ status: 'online' }).expect(200);
  });
  afterAll(() => h.stop());

  describe('Login/Token Request', () => {
    it('POST /o/token/ grant_type=password&username=<user>&password=<password>&client_id=… answers a bearer token pair', async () => {
      const res = await h.http().post('/windu/o/token/').type('form').send(`grant_type=password&username=${alice.username}&password=${encodeURIComponent(password)}&client_id=${CLIENT_ID}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number), refresh_token: expect.any(String), scope: 'read write' });
      expect(res.headers['cache-control']).toBe('no-store');
      token = res.body.access_token;
      refresh = res.body.refresh_token;
    });

    it('POST /o/token/ grant_type=refresh_token&refresh_token=<refresh_token>&client_id=… answers a new pair', async () => {
      const res = await h.http().post('/windu/o/token/').type('form').send({ grant_type: 'refresh_token', refresh_token: refresh, client_id: CLIENT_ID });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
      token = res.body.access_token;
    });

    it('refuses an unknown client, wrong credentials, a missing field and another grant in OAuth’s own error shape', async () => {
      const client = await h.http().post('/windu/o/token/').type('form').send({ grant_type: 'password', username: alice.username, password, client_id: 'other' });
      expect(client.status).toBe(401);
      expect(client.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      const wrong = await h.http().post('/windu/o/token/').type('form').send({ grant_type: 'password', username: alice.username, password: 'wrong password!', client_id: CLIENT_ID });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
      const missing = await h.http().post('/windu/o/token/').type('form').send({ grant_type: 'password', username: alice.username, client_id: CLIENT_ID });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ error: 'invalid_request', error_description: 'password: This field is required.' });
      const grant = await h.http().post('/windu/o/token/').type('form').send({ grant_type: 'client_credentials', client_id: CLIENT_ID });
      expect(grant.status).toBe(400);
      expect(grant.body.error).toBe('unsupported_grant_type');
    });
  });

  describe('Account', () => {
    it('create-account: account=…&nickname=John Lennon adds a pending account and sends a code', async () => {
      const res = await form('post', '/api/account/create-account/', token, { account: aliceNumber, nickname: 'John Lennon' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ account: `+${aliceNumber}`, nickname: 'John Lennon', status: 'pending' });
    });

    it('request-sms-code and request-voice-code: account=… sends a new code', async () => {
      const sms = await form('post', '/api/account/request-sms-code/', token, { account: aliceNumber }).expect(200);
      expect(sms.body).toEqual({ account: `+${aliceNumber}`, method: 'sms', expires_in: expect.any(Number) });
      const voice = await form('post', '/api/account/request-voice-code/', token, { account: aliceNumber }).expect(200);
      expect(voice.body).toEqual({ account: `+${aliceNumber}`, method: 'voice', expires_in: expect.any(Number) });
    });

    it('register-code: code=<received code> registers the first account', async () => {
      const res = await form('post', '/api/account/register-code/', token, { code: await lastCode(aliceNumber) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ account: `+${aliceNumber}`, nickname: 'John Lennon', status: 'registered' });
    });

    it('status-message: POST status_message=😍😍😍😍, then GET answers it', async () => {
      const set = await form('post', '/api/account/status-message/', token, { status_message: '😍😍😍😍' }).expect(200);
      expect(set.body).toEqual({ status_message: '😍😍😍😍' });
      const res = await get('/api/account/status-message/', token).expect(200);
      expect(res.body).toEqual({ status_message: '😍😍😍😍' });
    });

    it('profile-photo: GET answers the URL (none yet), DELETE removes it', async () => {
      expect((await get('/api/account/profile-photo/', token).expect(200)).body).toEqual({ photo: null });
      const removed = await h.http().delete('/windu/api/account/profile-photo/').set('Authorization', `Bearer ${token}`).expect(200);
      expect(removed.body).toEqual({ photo: null });
    });

    it('profile-photo: POST -F "photo=@photo.jpg" sets it from an upload stored as Parley media; GET answers that URL', async () => {
      const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#cc6633' } }).jpeg().toBuffer();
      const set = await h.http().post('/windu/api/account/profile-photo/').set('Authorization', `Bearer ${token}`).attach('photo', jpeg, 'photo.jpg');
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ photo: expect.stringMatching(/^\/v1\/media\/[0-9a-f-]{36}$/) });
      expect((await get('/api/account/profile-photo/', token).expect(200)).body).toEqual(set.body);
      // The bytes are the upload, served as the account's media.
      const media = await h.http().get(set.body.photo).set('Authorization', `Bearer ${token}`).buffer(true);
      expect(media.status).toBe(200);
      expect(media.headers['content-type']).toBe('image/jpeg');
      expect(Buffer.compare(media.body as Buffer, jpeg)).toBe(0);
      await h.http().delete('/windu/api/account/profile-photo/').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('connected-status: POST connected_status=online, then GET answers it', async () => {
      expect((await form('post', '/api/account/connected-status/', token, { connected_status: 'online' }).expect(200)).body).toEqual({ connected_status: 'online' });
      expect((await get('/api/account/connected-status/', token).expect(200)).body).toEqual({ connected_status: 'online' });
    });

    it('nickname: POST nickname=🚖🚎MyNick🚒, then GET answers it', async () => {
      expect((await form('post', '/api/account/nickname/', token, { nickname: '🚖🚎MyNick🚒' }).expect(200)).body).toEqual({ nickname: '🚖🚎MyNick🚒' });
      expect((await get('/api/account/nickname/', token).expect(200)).body).toEqual({ nickname: '🚖🚎MyNick🚒' });
    });

    it('privacy-settings: POST photo=contacts&status_message=all, then GET answers all three', async () => {
      const set = await form('post', '/api/account/privacy-settings/', token, { photo: 'contacts', status_message: 'all' }).expect(200);
      expect(set.body).toEqual({ status_message: 'all', photo: 'contacts', last_seen: 'all' });
      expect((await get('/api/account/privacy-settings/', token).expect(200)).body).toEqual({ status_message: 'all', photo: 'contacts', last_seen: 'all' });
    });
  });

  describe('Contacts', () => {
    it('add-contact: contact_id=…&first_name=John Malkovich', async () => {
      const res = await form('post', '/api/contacts/add-contact/', token, { contact_id: `+${bobNumber}`, first_name: 'John Malkovich' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ contact_id: `+${bobNumber}`, first_name: 'John Malkovich', last_name: '', registered: true });
    });

    it('import-contacts: the seed’s JSON list replaces every contact', async () => {
      const [tony, hulk] = [newNumber(), newNumber()];
      const res = await json('/api/contacts/import-contacts/', token, {
        contacts: [
          { contact_id: `+${bobNumber}`, first_name: 'John' },
          { contact_id: tony, first_name: 'Tony', last_name: 'Stark' },
          { contact_id: hulk, first_name: 'Hulk' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        contacts: expect.arrayContaining([
          { contact_id: `+${bobNumber}`, first_name: 'John', last_name: '', registered: true },
          { contact_id: `+${tony}`, first_name: 'Tony', last_name: 'Stark', registered: false },
          { contact_id: `+${hulk}`, first_name: 'Hulk', last_name: '', registered: false },
        ]),
      });
      expect(res.body.contacts).toHaveLength(3);
    });

    it('GET /api/contacts/ lists every contact, and /api/contacts/<contact-id>/ shows one', async () => {
      const list = await get('/api/contacts/', token).expect(200);
      expect(list.body).toHaveLength(3);
      for (const contact of list.body) expect(Object.keys(contact).sort()).toEqual(['contact_id', 'first_name', 'last_name', 'registered']);
      const one = await get(`/api/contacts/${bobNumber}/`, token).expect(200);
      expect(one.body).toEqual({ contact_id: `+${bobNumber}`, first_name: 'John', last_name: '', registered: true });
    });

    it('PATCH /api/contacts/<contact-id>/ first_name=Jon Arbuckle renames it', async () => {
      const res = await form('patch', `/api/contacts/${bobNumber}/`, token, { first_name: 'Jon Arbuckle' }).expect(200);
      expect(res.body).toEqual({ contact_id: `+${bobNumber}`, first_name: 'Jon Arbuckle', last_name: '', registered: true });
    });

    it('DELETE /api/contacts/<contact-id>/ and remove-contacts {"contacts":[…]} remove contacts', async () => {
      const list = (await get('/api/contacts/', token).expect(200)).body as { contact_id: string }[];
      const others = list.map((c) => c.contact_id).filter((id) => id !== `+${bobNumber}`);
      await h.http().delete(`/windu/api/contacts/${others[0]!.slice(1)}/`).set('Authorization', `Bearer ${token}`).expect(204);
      const gone = newNumber();
      const res = await json('/api/contacts/remove-contacts/', token, { contacts: [others[1]!.slice(1), gone] }).expect(200);
      expect(res.body).toEqual({ removed: [others[1]], missing: [`+${gone}`] });
      expect((await get('/api/contacts/', token).expect(200)).body.map((c: { contact_id: string }) => c.contact_id)).toEqual([`+${bobNumber}`]);
    });

    it('force-sync matches every contact again', async () => {
      const res = await form('post', '/api/contacts/force-sync/', token).expect(200);
      expect(res.body).toEqual({ contacts: [{ contact_id: `+${bobNumber}`, first_name: 'Jon Arbuckle', last_name: '', registered: true }] });
    });

    it('a contact’s status message, its history, and every contact’s', async () => {
      expect((await get(`/api/contacts/${bobNumber}/status-message/`, token).expect(200)).body).toEqual({ contact_id: `+${bobNumber}`, status_message: 'Bob again' });
      const history = await get(`/api/contacts/${bobNumber}/status-message-history/`, token).expect(200);
      expect(history.body).toEqual({
        contact_id: `+${bobNumber}`,
        history: [
          { status_message: 'Bob again', date: expect.any(String) },
          { status_message: 'hello from Bob', date: expect.any(String) },
        ],
      });
      expect((await get('/api/contacts/statuses-messages/', token).expect(200)).body).toEqual([{ contact_id: `+${bobNumber}`, status_message: 'Bob again' }]);
    });

    it('a contact’s connected status, and every contact’s', async () => {
      expect((await get(`/api/contacts/${bobNumber}/connected-status/`, token).expect(200)).body).toEqual({ contact_id: `+${bobNumber}`, connected_status: 'online', last_seen: expect.any(String) });
      expect((await get('/api/contacts/connected-statuses/', token).expect(200)).body).toEqual([{ contact_id: `+${bobNumber}`, connected_status: 'online', last_seen: expect.any(String) }]);
    });

    it('photo URLs: preview and full, their histories, and every contact’s', async () => {
      const url = { contact_id: `+${bobNumber}`, url: 'https://example.com/bob.jpg' };
      expect((await get(`/api/contacts/${bobNumber}/preview-photo-url/`, token).expect(200)).body).toEqual(url);
      expect((await get(`/api/contacts/${bobNumber}/photo-url/`, token).expect(200)).body).toEqual(url);
      const history = { contact_id: `+${bobNumber}`, urls: ['https://example.com/bob.jpg'] };
      expect((await get(`/api/contacts/${bobNumber}/preview-photo-history-urls/`, token).expect(200)).body).toEqual(history);
      expect((await get(`/api/contacts/${bobNumber}/photo-history-urls/`, token).expect(200)).body).toEqual(history);
      expect((await get('/api/contacts/preview-photos-urls/', token).expect(200)).body).toEqual([url]);
      expect((await get('/api/contacts/photos-urls/', token).expect(200)).body).toEqual([url]);
    });

    it('block, blocked-list, unblock, and blocked-list {"numbers":[…]} replacing the list', async () => {
      expect((await form('post', `/api/contacts/${bobNumber}/block/`, token).expect(200)).body).toEqual({ contact_id: `+${bobNumber}`, blocked: true });
      const blocked = await get('/api/contacts/blocked-list/', token).expect(200);
      expect(blocked.body).toEqual({ numbers: [expect.any(String)] });
      expect((await form('post', `/api/contacts/${bobNumber}/unblock/`, token).expect(200)).body).toEqual({ contact_id: `+${bobNumber}`, blocked: false });
      expect((await get('/api/contacts/blocked-list/', token).expect(200)).body).toEqual({ numbers: [] });
      const replaced = await json('/api/contacts/blocked-list/', token, { numbers: [bobNumber] }).expect(200);
      expect(replaced.body).toEqual({ numbers: [expect.any(String)] });
      await json('/api/contacts/blocked-list/', token, { numbers: [] }).expect(200);
    });
  });

  describe('two accounts on one login', () => {
    it('each account= has its own status message and contacts', async () => {
      await register(token, aliceSecond, 'Alice two');
      await form('post', '/api/account/status-message/', token, { account: aliceSecond, status_message: 'second number' }).expect(200);
      expect((await get(`/api/account/status-message/?account=${aliceSecond}`, token).expect(200)).body).toEqual({ status_message: 'second number' });
      // No account=: the first account, untouched.
      expect((await get('/api/account/status-message/', token).expect(200)).body).toEqual({ status_message: '😍😍😍😍' });
      expect((await get(`/api/contacts/?account=${aliceSecond}`, token).expect(200)).body).toEqual([]);
      expect((await get(`/api/contacts/?account=${aliceNumber}`, token).expect(200)).body).toHaveLength(1);
    });

    it('profile-photo upload with account= in the form sets that account’s photo only', async () => {
      const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#00aa55' } }).png().toBuffer();
      const set = await h
        .http()
        .post('/windu/api/account/profile-photo/')
        .set('Authorization', `Bearer ${token}`)
        .field('account', aliceSecond)
        .attach('photo', png, 'second.png');
      expect(set.status).toBe(200);
      expect((await get(`/api/account/profile-photo/?account=${aliceSecond}`, token).expect(200)).body).toEqual(set.body);
      expect((await get('/api/account/profile-photo/', token).expect(200)).body).toEqual({ photo: null });
    });
  });

  describe('refusals (the seed framework’s error shapes, nothing written)', () => {
    it('another login’s account= is 404, and writes nothing', async () => {
      const before = await head();
      const res = await form('post', '/api/account/status-message/', token, { account: bobNumber, status_message: 'not mine' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'None of your accounts has this id' });
      const contacts = await get(`/api/contacts/?account=${bobNumber}`, token);
      expect(contacts.status).toBe(404);
      expect(await head()).toBe(before);
    });

    it('a profile-photo upload that is no image, has no file or names another login’s account= is refused, and writes nothing', async () => {
      const before = await head();
      const upload = () => h.http().post('/windu/api/account/profile-photo/').set('Authorization', `Bearer ${token}`);
      const text = await upload().attach('photo', Buffer.from('not a picture at all'), 'photo.jpg');
      expect(text.status).toBe(400);
      expect(text.body).toEqual({ photo: [expect.any(String)] });
      const noFile = await upload().type('form').send({ account: aliceNumber });
      expect(noFile.status).toBe(400);
      expect(noFile.body).toEqual({ photo: [expect.any(String)] });
      const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000000' } }).jpeg().toBuffer();
      const notMine = await upload().field('account', bobNumber).attach('photo', jpeg, 'photo.jpg');
      expect(notMine.status).toBe(404);
      expect(notMine.body).toEqual({ detail: 'None of your accounts has this id' });
      expect(await head()).toBe(before);
    });

    it('a bad token is 401 with detail', async () => {
      const res = await get('/api/account/status-message/', 'not-a-token');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('a missing or invalid field is 400 naming it, and writes nothing', async () => {
      const before = await head();
      const missing = await form('post', '/api/account/create-account/', token, { account: newNumber() });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ nickname: ['This field is required.'] });
      const status = await form('post', '/api/account/connected-status/', token, {});
      expect(status.body).toEqual({ connected_status: ['This field is required.'] });
      const level = await form('post', '/api/account/privacy-settings/', token, { photo: 'friends' });
      expect(level.status).toBe(400);
      expect(level.body).toEqual({ photo: ['"friends" is not a valid choice: none, contacts or all'] });
      const number = await form('post', '/api/account/status-message/', token, { account: 'abc', status_message: 'x' });
      expect(number.status).toBe(400);
      expect(Object.keys(number.body)).toEqual(['account']);
      const contact = await form('post', '/api/contacts/add-contact/', token, { first_name: 'Nobody' });
      expect(contact.body).toEqual({ contact_id: ['This field is required.'] });
      expect(await head()).toBe(before);
    });
  });

  describe('Account removal', () => {
    it('remove-account: account=…&feedback=cool removes it; the number can be created again', async () => {
      const res = await form('post', '/api/account/remove-account/', token, { account: aliceSecond, feedback: 'cool' }).expect(200);
      expect(res.body).toEqual({ account: `+${aliceSecond}`, removed: true });
      expect((await get(`/api/account/status-message/?account=${aliceSecond}`, token)).status).toBe(404);
      const store = h.app.get<EventStore>(EVENT_STORE);
      const events = await store.readAll({ maxCount: 100_000 });
      const removal = events.find((e) => e.type === 'UserRemoved' && (e.data as { feedback: string | null }).feedback === 'cool');
      expect(removal?.metadata.actor).toBe(alice.id);
      expect((await form('post', '/api/account/create-account/', token, { account: aliceSecond, nickname: 'Back' })).status).toBe(201);
    });
  });
});

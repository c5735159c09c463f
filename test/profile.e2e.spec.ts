import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_STORE } from '../apps/api/infrastructure/tokens';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { PROFILE_HISTORY, PROFILE_HISTORY_USERS } from '../projections/profile-history.projection';
import { ParleyHarness, type TestUser } from './support/parley-app';

const PASSWORD = 'correct horse battery';

describe('profile: display name, status message and photo with history, privacy, password', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start();
  });
  afterAll(async () => {
    await h.stop();
  });

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  /** A GET that waits for `position` (read-your-writes). */
  const get = (user: TestUser, path: string, position?: string) => {
    const request = h.http().get(path).set(user.auth);
    return position === undefined ? request : request.set('X-Min-Position', position);
  };
  /** Asserts a 400 with `code`, naming `field`, and that nothing was written. */
  async function refused(send: () => Promise<{ status: number; body: Record<string, unknown> }>, code: string, field: string) {
    const before = await head();
    const res = await send();
    expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 400, code });
    expect(res.body['details']).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await head()).toBe(before);
  }

  describe('GET /v1/me', () => {
    it('shows the own profile with default privacy, in snake_case', async () => {
      const alice = await h.user('alice', 'Alice');
      await h.settled();
      const res = await get(alice, '/v1/me').expect(200);
      expect(res.body).toEqual({
        id: alice.id,
        username: alice.username,
        displayName: 'Alice',
        statusMessage: null,
        photoUrl: null,
        privacy: { status_message: 'all', photo: 'all', last_seen: 'all', read_receipts: 'all' },
        registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    });

    it('needs a token on every route', async () => {
      const routes: [string, string][] = [
        ['get', '/v1/me'],
        ['patch', '/v1/me'],
        ['put', '/v1/me/status-message'],
        ['get', '/v1/me/status-message/history'],
        ['put', '/v1/me/photo'],
        ['delete', '/v1/me/photo'],
        ['get', '/v1/me/photo/history'],
        ['get', '/v1/me/privacy'],
        ['put', '/v1/me/privacy'],
        ['put', '/v1/me/password'],
      ];
      for (const [method, path] of routes) {
        const res = await (h.http() as unknown as Record<string, (p: string) => Promise<{ status: number; body: { code: string } }>>)[method]!(path);
        expect({ path, method, status: res.status, code: res.body.code }).toEqual({ path, method, status: 401, code: 'AUTH.TOKEN_MISSING' });
      }
    });
  });

  describe('PATCH /v1/me', () => {
    it('changes the display name (trimmed); the same name again writes nothing and answers the same', async () => {
      const alice = await h.user('alice', 'Alice');
      const first = await h.http().patch('/v1/me').set(alice.auth).send({ displayName: '  Alice Liddell ' }).expect(200);
      expect(first.body).toEqual({ id: alice.id, username: alice.username, displayName: 'Alice Liddell', position: expect.stringMatching(/^\d+$/) });
      const before = await head();
      const again = await h.http().patch('/v1/me').set(alice.auth).send({ displayName: 'Alice Liddell' }).expect(200);
      expect(again.body).toEqual(first.body);
      expect(await head()).toBe(before);
      const me = await get(alice, '/v1/me', first.body.position).expect(200);
      expect(me.body.displayName).toBe('Alice Liddell');
    });

    it('refuses a blank, too long or multi-line name, a missing or non-string one, and unknown fields', async () => {
      const alice = await h.user('alice', 'Alice');
      const patch = (body: unknown) => () => h.http().patch('/v1/me').set(alice.auth).send(body as object);
      await refused(patch({ displayName: '   ' }), 'PROFILE.DISPLAY_NAME_EMPTY', 'displayName');
      await refused(patch({ displayName: 'x'.repeat(101) }), 'PROFILE.DISPLAY_NAME_TOO_LONG', 'displayName');
      await refused(patch({ displayName: 'two\nlines' }), 'PROFILE.DISPLAY_NAME_INVALID', 'displayName');
      await refused(patch({}), 'REQUEST.VALIDATION_FAILED', 'displayName');
      await refused(patch({ displayName: 42 }), 'REQUEST.VALIDATION_FAILED', 'displayName');
      await refused(patch({ displayName: 'Al', username: 'root' }), 'REQUEST.VALIDATION_FAILED', 'username');
    });
  });

  describe('status message and its history', () => {
    it('sets, clears with null or "", lists the history newest first and pages it by cursor', async () => {
      const alice = await h.user('alice', 'Alice');
      const bob = await h.user('bob', 'Bob');
      const put = (message: string | null) => h.http().put('/v1/me/status-message').set(alice.auth).send({ message }).expect(200);
      const one = await put('At the tea party');
      expect(one.body).toEqual({ message: 'At the tea party', position: expect.stringMatching(/^\d+$/) });
      await put('Down the rabbit hole');
      expect((await put(null)).body.message).toBeNull();
      await put('Back');
      const cleared = await put('');
      expect(cleared.body.message).toBeNull();
      await h.http().put('/v1/me/status-message').set(bob.auth).send({ message: 'Bob here' }).expect(200);

      const me = await get(alice, '/v1/me', cleared.body.position).expect(200);
      expect(me.body.statusMessage).toBeNull();
      const all = await get(alice, '/v1/me/status-message/history').expect(200);
      expect(all.body.items.map((i: { message: string | null }) => i.message)).toEqual([null, 'Back', null, 'Down the rabbit hole', 'At the tea party']);
      expect(all.body.nextCursor).toBeNull();
      const times = all.body.items.map((i: { changedAt: string }) => i.changedAt);
      expect([...times].sort().reverse()).toEqual(times);
      expect(Object.keys(all.body.items[0]).sort()).toEqual(['changedAt', 'message']);

      const pages: (string | null)[][] = [];
      let cursor: string | null = null;
      do {
        const path: string = `/v1/me/status-message/history?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await get(alice, path).expect(200);
        pages.push(page.body.items.map((i: { message: string | null }) => i.message));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(pages).toEqual([[null, 'Back'], [null, 'Down the rabbit hole'], ['At the tea party']]);

      const bobs = await get(bob, '/v1/me/status-message/history').expect(200);
      expect(bobs.body.items.map((i: { message: string }) => i.message)).toEqual(['Bob here']);
    });

    it('the same message again writes nothing and answers the same', async () => {
      const alice = await h.user('alice', 'Alice');
      const first = await h.http().put('/v1/me/status-message').set(alice.auth).send({ message: 'Same' }).expect(200);
      const before = await head();
      const again = await h.http().put('/v1/me/status-message').set(alice.auth).send({ message: 'Same' }).expect(200);
      expect(again.body).toEqual(first.body);
      expect(await head()).toBe(before);
      const history = await get(alice, '/v1/me/status-message/history', first.body.position).expect(200);
      expect(history.body.items).toHaveLength(1);
    });

    it('takes 500 characters, refuses 501, a missing message and a number; a bad cursor or limit is a 400', async () => {
      const alice = await h.user('alice', 'Alice');
      await h.http().put('/v1/me/status-message').set(alice.auth).send({ message: 'm'.repeat(500) }).expect(200);
      const put = (body: unknown) => () => h.http().put('/v1/me/status-message').set(alice.auth).send(body as object);
      await refused(put({ message: 'm'.repeat(501) }), 'PROFILE.STATUS_MESSAGE_TOO_LONG', 'message');
      await refused(put({}), 'REQUEST.VALIDATION_FAILED', 'message');
      await refused(put({ message: 7 }), 'REQUEST.VALIDATION_FAILED', 'message');
      await refused(() => get(alice, '/v1/me/status-message/history?cursor=nope'), 'REQUEST.CURSOR_INVALID', 'cursor');
      await refused(() => get(alice, '/v1/me/status-message/history?limit=0'), 'REQUEST.VALIDATION_FAILED', 'limit');
    });
  });

  describe('photo and its history', () => {
    it('sets and removes a photo URL, with history newest first', async () => {
      const alice = await h.user('alice', 'Alice');
      const a = 'https://cdn.example.com/alice-1.png';
      const b = 'http://cdn.example.com/alice-2.png?size=large';
      expect((await h.http().put('/v1/me/photo').set(alice.auth).send({ url: a }).expect(200)).body).toEqual({
        url: a,
        position: expect.stringMatching(/^\d+$/),
      });
      await h.http().put('/v1/me/photo').set(alice.auth).send({ url: b }).expect(200);
      const removed = await h.http().delete('/v1/me/photo').set(alice.auth).expect(200);
      expect(removed.body.url).toBeNull();
      const before = await head();
      expect((await h.http().delete('/v1/me/photo').set(alice.auth).expect(200)).body).toEqual(removed.body);
      expect(await head()).toBe(before);

      expect((await get(alice, '/v1/me', removed.body.position).expect(200)).body.photoUrl).toBeNull();
      const history = await get(alice, '/v1/me/photo/history').expect(200);
      expect(history.body.items.map((i: { url: string | null }) => i.url)).toEqual([null, b, a]);
      const set = await h.http().put('/v1/me/photo').set(alice.auth).send({ url: a }).expect(200);
      expect((await get(alice, '/v1/me', set.body.position).expect(200)).body.photoUrl).toBe(a);
      const page = await get(alice, '/v1/me/photo/history?limit=1').expect(200);
      expect(page.body.items).toEqual([{ url: a, changedAt: expect.any(String) }]);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      // Status messages and photos keep separate histories.
      expect((await get(alice, '/v1/me/status-message/history').expect(200)).body.items).toEqual([]);
    });

    it('refuses other schemes, malformed URLs and URLs over 2048 characters, writing nothing', async () => {
      const alice = await h.user('alice', 'Alice');
      const put = (url: unknown) => () => h.http().put('/v1/me/photo').set(alice.auth).send({ url });
      await refused(put('ftp://example.com/a.png'), 'PROFILE.PHOTO_URL_SCHEME', 'url');
      await refused(put('javascript:alert(1)'), 'PROFILE.PHOTO_URL_SCHEME', 'url');
      await refused(put('not a url'), 'PROFILE.PHOTO_URL_INVALID', 'url');
      await refused(put('https://user:secret@example.com/a.png'), 'PROFILE.PHOTO_URL_INVALID', 'url');
      await refused(put(`https://example.com/${'a'.repeat(2030)}`), 'PROFILE.PHOTO_URL_TOO_LONG', 'url');
      await refused(put(null), 'REQUEST.VALIDATION_FAILED', 'url');
      const max = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
      await h.http().put('/v1/me/photo').set(alice.auth).send({ url: max }).expect(200);
    });
  });

  describe('privacy', () => {
    it('round trip: partial updates in snake_case, answered with the whole settings', async () => {
      const alice = await h.user('alice', 'Alice');
      await h.settled();
      expect((await get(alice, '/v1/me/privacy').expect(200)).body).toEqual({ status_message: 'all', photo: 'all', last_seen: 'all', read_receipts: 'all' });
      const first = await h.http().put('/v1/me/privacy').set(alice.auth).send({ photo: 'contacts' }).expect(200);
      expect(first.body).toEqual({ status_message: 'all', photo: 'contacts', last_seen: 'all', read_receipts: 'all', position: expect.stringMatching(/^\d+$/) });
      const second = await h.http().put('/v1/me/privacy').set(alice.auth).send({ status_message: 'none', last_seen: 'contacts' }).expect(200);
      expect(second.body).toMatchObject({ status_message: 'none', photo: 'contacts', last_seen: 'contacts' });
      expect((await get(alice, '/v1/me/privacy', second.body.position).expect(200)).body).toEqual({
        status_message: 'none',
        photo: 'contacts',
        last_seen: 'contacts',
        read_receipts: 'all',
      });
      expect((await get(alice, '/v1/me').expect(200)).body.privacy).toEqual({ status_message: 'none', photo: 'contacts', last_seen: 'contacts', read_receipts: 'all' });
      const before = await head();
      expect((await h.http().put('/v1/me/privacy').set(alice.auth).send({ photo: 'contacts' }).expect(200)).body).toEqual(second.body);
      expect((await h.http().put('/v1/me/privacy').set(alice.auth).send({}).expect(200)).body).toEqual(second.body);
      expect(await head()).toBe(before);
    });

    it('refuses unknown levels and camelCase names, naming the field', async () => {
      const alice = await h.user('alice', 'Alice');
      const put = (body: unknown) => () => h.http().put('/v1/me/privacy').set(alice.auth).send(body as object);
      await refused(put({ photo: 'friends' }), 'REQUEST.VALIDATION_FAILED', 'photo');
      await refused(put({ last_seen: null }), 'REQUEST.VALIDATION_FAILED', 'last_seen');
      await refused(put({ statusMessage: 'none' }), 'REQUEST.VALIDATION_FAILED', 'statusMessage');
    });
  });

  describe('password', () => {
    const signIn = (username: string, password: string) =>
      h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password });

    it('changes the password: the old one stops working, the new one works', async () => {
      const alice = await h.user('alice', 'Alice');
      const res = await h.http().put('/v1/me/password').set(alice.auth).send({ currentPassword: PASSWORD, newPassword: 'through the looking glass' }).expect(200);
      expect(res.body).toEqual({ position: expect.stringMatching(/^\d+$/) });
      const old = await signIn(alice.username, PASSWORD);
      expect({ status: old.status, code: old.body.code }).toEqual({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
      // The same password again: nothing written, the same answer (no other sign-in is left to end).
      const before = await head();
      const again = await h.http().put('/v1/me/password').set(alice.auth).send({ currentPassword: 'through the looking glass', newPassword: 'through the looking glass' }).expect(200);
      expect(again.body).toEqual(res.body);
      expect(await head()).toBe(before);
      await signIn(alice.username, 'through the looking glass').expect(200);
    });

    it('refuses a wrong current password, a short or long new one, and missing fields, writing nothing', async () => {
      const alice = await h.user('alice', 'Alice');
      const put = (body: unknown) => () => h.http().put('/v1/me/password').set(alice.auth).send(body as object);
      await refused(put({ currentPassword: 'wrong password', newPassword: 'a new password' }), 'PROFILE.CURRENT_PASSWORD_WRONG', 'currentPassword');
      await refused(put({ currentPassword: PASSWORD, newPassword: 'short' }), 'PROFILE.PASSWORD_TOO_SHORT', 'newPassword');
      await refused(put({ currentPassword: PASSWORD, newPassword: 'x'.repeat(201) }), 'PROFILE.PASSWORD_TOO_LONG', 'newPassword');
      await refused(put({ newPassword: 'a new password' }), 'REQUEST.VALIDATION_FAILED', 'currentPassword');
      await signIn(alice.username, PASSWORD).expect(200);
    });
  });

  it('a removed account: its token stops working and its history leaves the read models', async () => {
    const alice = await h.user('alice', 'Alice');
    await h.http().put('/v1/me/status-message').set(alice.auth).send({ message: 'private plans' }).expect(200);
    await h.http().put('/v1/me/photo').set(alice.auth).send({ url: 'https://cdn.example.com/private.png' }).expect(200);
    await h.http().post('/v1/me/remove').set(alice.auth).send({}).expect(200);
    await h.settled();
    const me = await get(alice, '/v1/me');
    expect({ status: me.status, code: me.body.code }).toEqual({ status: 401, code: 'AUTH.ACCOUNT_REMOVED' });
    const readStore = h.app.get<ReadStore>(READ_STORE);
    expect(await readStore.find(PROFILE_HISTORY, { filter: { userId: alice.id } })).toEqual([]);
    const doc = await readStore.get('users', alice.id);
    expect(doc).toMatchObject({ removed: true, status: 'removed', displayName: null, statusMessage: null, photoUrl: null });
    expect(JSON.stringify(doc)).not.toContain('private');
  });
});

describe('profile read models are disposable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-profile-rebuild-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers exactly as before after the read models are dropped and rebuilt', async () => {
    let h = await ParleyHarness.start({}, dataDir);
    const alice = await h.user('alice', 'Alice');
    const bob = await h.user('bob', 'Bob');
    for (const message of ['one', 'two', null, 'three']) {
      await h.http().put('/v1/me/status-message').set(alice.auth).send({ message }).expect(200);
    }
    await h.http().put('/v1/me/photo').set(alice.auth).send({ url: 'https://cdn.example.com/a.png' }).expect(200);
    await h.http().delete('/v1/me/photo').set(alice.auth).expect(200);
    await h.http().patch('/v1/me').set(bob.auth).send({ displayName: 'Robert' }).expect(200);
    await h.http().put('/v1/me/privacy').set(bob.auth).send({ last_seen: 'none' }).expect(200);
    await h.http().put('/v1/me/status-message').set(bob.auth).send({ message: 'hi' }).expect(200);
    const carol = await h.user('carol', 'Carol');
    await h.http().put('/v1/me/status-message').set(carol.auth).send({ message: 'carol was here' }).expect(200);
    await h.http().put('/v1/me/photo').set(carol.auth).send({ url: 'https://cdn.example.com/carol.png' }).expect(200);
    await h.http().post('/v1/me/remove').set(carol.auth).send({}).expect(200);

    const snapshot = async (parley: ParleyHarness) => {
      await parley.settled();
      const answers: Record<string, unknown> = {};
      for (const user of [alice, bob]) {
        for (const path of ['/v1/me', '/v1/me/privacy', '/v1/me/status-message/history', '/v1/me/photo/history', '/v1/me/status-message/history?limit=2']) {
          answers[`${user.username} ${path}`] = (await parley.http().get(path).set(user.auth).expect(200)).body;
        }
      }
      // The documents themselves, the removed account's included.
      const readStore = parley.app.get<ReadStore>(READ_STORE);
      for (const collection of ['users', PROFILE_HISTORY, PROFILE_HISTORY_USERS]) answers[collection] = await readStore.find(collection);
      return answers;
    };
    const before = await snapshot(h);
    await h.stop();
    for (const file of ['read.db', 'read.db-wal', 'read.db-shm']) rmSync(join(dataDir, file), { force: true });
    h = await ParleyHarness.start({}, dataDir);
    const after = await snapshot(h);
    await h.stop();
    expect(after).toEqual(before);
    expect(JSON.stringify(before)).toContain('Robert');
    expect(JSON.stringify(before)).toContain('three');
    expect(JSON.stringify(before)).toContain('cdn.example.com/a.png');
    expect(JSON.stringify(before)).not.toContain('carol was here');
    expect(JSON.stringify(before)).not.toContain('carol.png');
    expect(before['users']).toEqual(expect.arrayContaining([expect.objectContaining({ id: carol.id, removed: true, displayName: null })]));
  });
});

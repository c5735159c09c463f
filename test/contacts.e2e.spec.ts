import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_STORE } from '../apps/api/infrastructure/tokens';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'contacts-e2e-admin-key-0123456789abcdef';
const admin = { 'X-Api-Key': API_KEY };

/** Numbers no other suite uses: +1 556, the pid and a counter. */
let numbers = 0;
const newPhone = () => `+1556${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;
let names = 0;
const newUsername = (prefix: string) => `${prefix}${++names}${Date.now().toString(36)}`.slice(0, 32);

interface ContactView {
  contactId: string;
  kind: string;
  firstName: string;
  lastName: string;
  userId: string | null;
}

describe('contacts', () => {
  let parley: ParleyHarness;
  let owner: TestUser;

  beforeAll(async () => {
    // Queries and syncs here wait for matching of whole address books (10,000 entries): the
    // wait ends as soon as the projector passes the position, so the longest bound the
    // configuration allows costs nothing on a fast machine and keeps a busy one from a 503.
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, MIN_POSITION_WAIT_MS: '60000' });
    owner = await parley.user('owner');
  });
  afterAll(async () => {
    await parley.stop();
  });

  const head = async (): Promise<string | null> => (await parley.http().get('/health').expect(200)).body.eventStore.head;
  const contactsOf = async (user: TestUser, position?: string | null): Promise<ContactView[]> => {
    const all: ContactView[] = [];
    let cursor: string | null = null;
    do {
      const req = parley.http().get('/v1/contacts').query({ limit: 100, ...(cursor ? { cursor } : {}) }).set(user.auth);
      if (position) req.set('X-Min-Position', position);
      const res = await req.expect(200);
      all.push(...(res.body.items as ContactView[]));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    return all;
  };
  const importList = (user: TestUser, contacts: unknown[]) => parley.http().put('/v1/contacts').set(user.auth).send({ contacts });
  /** A phone account, verified: the code comes from the embedded sender's record (admin API). */
  const phoneAccount = async (phone: string, verify = true): Promise<{ id: string; token?: string }> => {
    const created = await parley.http().post('/v1/accounts').send({ phone, nickname: 'Phone user' }).expect(201);
    if (!verify) return { id: created.body.id as string };
    const codes = await parley.http().get('/v1/admin/verification-codes').query({ phone }).set(admin).expect(200);
    const code = (codes.body.items as { code: string }[]).at(-1)!.code;
    const signedIn = await parley.http().post('/v1/accounts/verify').send({ phone, code }).expect(200);
    return { id: created.body.id as string, token: signedIn.body.access_token as string };
  };

  describe('one at a time', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await parley.user('single');
    });

    it('adds a contact (201), answers a retry with 200 and nothing written, refuses another name for it (409)', async () => {
      const phone = newPhone();
      const spaced = `${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5)}`;
      const first = await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: spaced, firstName: 'Ann', lastName: 'Archer' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        contact: { contactId: phone, kind: 'phone', firstName: 'Ann', lastName: 'Archer' },
        written: 1,
        position: expect.any(String),
      });
      const before = await head();
      const again = await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: phone, firstName: 'Ann', lastName: 'Archer' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ written: 0, position: null });
      const other = await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: phone, firstName: 'Anne' });
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('CONTACT.ALREADY_EXISTS');
      expect(await head()).toBe(before);
      const got = await parley.http().get(`/v1/contacts/${encodeURIComponent(phone)}`).set(user.auth).set('X-Min-Position', first.body.position);
      expect(got.status).toBe(200);
      expect(got.body).toEqual({ contactId: phone, kind: 'phone', firstName: 'Ann', lastName: 'Archer', userId: null });
    });

    it('refuses bad entries with 400 naming the field, and writes nothing', async () => {
      const before = await head();
      const cases: [Record<string, unknown>, string, string][] = [
        [{ contactId: '+12' }, 'contactId', 'CONTACT.INVALID_ID'],
        [{ contactId: 'not a username!' }, 'contactId', 'CONTACT.INVALID_ID'],
        [{ contactId: 'ben.b', kind: 'user' }, 'contactId', 'CONTACT.INVALID_ID'],
        [{ contactId: 'ben.b', kind: 'fax' }, 'kind', 'REQUEST.VALIDATION_FAILED'],
        [{ contactId: 'ben.b', firstName: 'x'.repeat(101) }, 'firstName', 'REQUEST.VALIDATION_FAILED'],
        [{ contactId: 'ben.b', nickname: 'B' }, 'nickname', 'REQUEST.VALIDATION_FAILED'],
        [{ firstName: 'Nobody' }, 'contactId', 'REQUEST.VALIDATION_FAILED'],
      ];
      for (const [body, field, code] of cases) {
        const res = await parley.http().post('/v1/contacts').set(user.auth).send(body);
        expect([res.status, res.body.code]).toEqual([400, code]);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await head()).toBe(before);
    });

    it('needs a token', async () => {
      expect((await parley.http().get('/v1/contacts')).status).toBe(401);
      expect((await parley.http().put('/v1/contacts').send({ contacts: [] })).status).toBe(401);
    });

    it('gets one by any spelling of its id, 404 for one not in the book, 400 for no id at all', async () => {
      const name = newUsername('Mixed');
      const added = await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: name, firstName: 'Mix' }).expect(201);
      const got = await parley.http().get(`/v1/contacts/${name.toUpperCase()}`).set(user.auth).set('X-Min-Position', added.body.position);
      expect(got.body).toMatchObject({ contactId: name.toLowerCase(), kind: 'username', firstName: 'Mix', lastName: '' });
      const digits = await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: '12345678', kind: 'username' }).expect(201);
      const byKind = await parley.http().get('/v1/contacts/12345678?kind=username').set(user.auth).set('X-Min-Position', digits.body.position);
      expect(byKind.body).toMatchObject({ contactId: '12345678', kind: 'username' });
      const missing = await parley.http().get('/v1/contacts/nobody-here').set(user.auth);
      expect([missing.status, missing.body.code]).toEqual([404, 'CONTACT.NOT_FOUND']);
      const invalid = await parley.http().get('/v1/contacts/12345678').set(user.auth);
      expect([invalid.status, invalid.body.code, invalid.body.details[0].field]).toEqual([400, 'CONTACT.INVALID_ID', 'contactId']);
    });

    it('renames (no sync), 200 with nothing written for the same name, 400 for no name, 404 for a stranger', async () => {
      const name = newUsername('ren');
      await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: name, firstName: 'Old', lastName: 'Name' }).expect(201);
      const renamed = await parley.http().patch(`/v1/contacts/${name}`).set(user.auth).send({ lastName: 'Newname' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ contactId: name, written: 1 });
      const got = await parley.http().get(`/v1/contacts/${name}`).set(user.auth).set('X-Min-Position', renamed.body.position);
      expect(got.body).toMatchObject({ firstName: 'Old', lastName: 'Newname' });
      const before = await head();
      expect((await parley.http().patch(`/v1/contacts/${name}`).set(user.auth).send({ firstName: 'Old' })).body).toMatchObject({ written: 0 });
      const empty = await parley.http().patch(`/v1/contacts/${name}`).set(user.auth).send({});
      expect([empty.status, empty.body.code]).toEqual([400, 'CONTACT.NOTHING_TO_RENAME']);
      const stranger = await parley.http().patch('/v1/contacts/stranger-x').set(user.auth).send({ firstName: 'X' });
      expect([stranger.status, stranger.body.code]).toEqual([404, 'CONTACT.NOT_FOUND']);
      expect(await head()).toBe(before);
    });

    it('deletes one (then 404), and removes several, naming the ones that were not there', async () => {
      const [a, b, c] = [newUsername('del'), newUsername('del'), newUsername('del')];
      for (const id of [a, b, c]) await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: id }).expect(201);
      const deleted = await parley.http().delete(`/v1/contacts/${a}`).set(user.auth);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ contactId: a, written: 1 });
      const again = await parley.http().delete(`/v1/contacts/${a}`).set(user.auth);
      expect([again.status, again.body.code]).toEqual([404, 'CONTACT.NOT_FOUND']);
      const bad = await parley.http().post('/v1/contacts/remove').set(user.auth).send({ contacts: [b, 'no spaces!'] });
      expect([bad.status, bad.body.code, bad.body.details]).toEqual([
        400,
        'CONTACT.INVALID_ID',
        [{ field: 'contacts[1]', reason: expect.stringContaining('username') }],
      ]);
      const removed = await parley.http().post('/v1/contacts/remove').set(user.auth).send({ contacts: [b, a, c.toUpperCase()] });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ removed: [b, c], missing: [a], written: 1 });
      const left = (await contactsOf(user, removed.body.position)).map((v) => v.contactId);
      expect(left).not.toEqual(expect.arrayContaining([a]));
      expect(left.filter((id) => [a, b, c].includes(id))).toEqual([]);
      const none = await parley.http().post('/v1/contacts/remove').set(user.auth).send({ contacts: [b] });
      expect(none.body).toMatchObject({ removed: [], missing: [b], written: 0, position: null });
      const empty = await parley.http().post('/v1/contacts/remove').set(user.auth).send({ contacts: [] });
      expect([empty.status, empty.body.details[0].field]).toEqual([400, 'contacts']);
    });
  });

  describe('import (PUT /v1/contacts)', () => {
    it('replaces the whole list in one event; the same list again (any order) writes nothing', async () => {
      const user = await parley.user('importer');
      await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: newUsername('gone') }).expect(201);
      const list = [
        { contactId: newPhone(), firstName: 'Ann' },
        { contactId: newUsername('imp'), firstName: 'Ben', lastName: 'Baker' },
        { contactId: owner.id, firstName: 'The', lastName: 'Owner' },
      ];
      const first = await importList(user, list);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ count: 3, written: 1, position: expect.any(String) });
      expect(BigInt(first.body.position)).toBe(BigInt((await head())!));
      const book = await contactsOf(user, first.body.position);
      expect(book.map((c) => c.firstName).sort()).toEqual(['Ann', 'Ben', 'The']);
      expect(book.find((c) => c.kind === 'user')).toMatchObject({ contactId: owner.id, userId: owner.id });

      const before = await head();
      const again = await importList(user, [list[2], list[0], { ...list[1], contactId: list[1]!.contactId.toUpperCase() }]);
      expect(again.body).toEqual({ count: 3, written: 0, position: null });
      expect(await head()).toBe(before);
    });

    it('clears the book with an empty list', async () => {
      const user = await parley.user('clearer');
      await importList(user, [{ contactId: newPhone() }, { contactId: newPhone() }]).expect(200);
      const cleared = await importList(user, []);
      expect(cleared.body).toMatchObject({ count: 0, written: 1 });
      expect(await contactsOf(user, cleared.body.position)).toEqual([]);
      expect((await importList(user, [])).body).toMatchObject({ written: 0 });
    });

    it('refuses duplicates in one list, naming each, and writes nothing', async () => {
      const user = await parley.user('dupes');
      const phone = newPhone();
      const name = newUsername('dup');
      const before = await head();
      const res = await importList(user, [
        { contactId: phone, firstName: 'A' },
        { contactId: name },
        { contactId: `00${phone.slice(1)}`, firstName: 'B' },
        { contactId: name.toUpperCase() },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('CONTACT.DUPLICATE_ENTRIES');
      expect(res.body.details).toEqual([
        { field: 'contacts[2].contactId', reason: `is the same contact as contacts[0] (${phone})` },
        { field: 'contacts[3].contactId', reason: `is the same contact as contacts[1] (${name.toLowerCase()})` },
      ]);
      expect(await head()).toBe(before);
    });

    it('refuses a list with one invalid entry whole, naming contacts[17].contactId, and writes nothing', async () => {
      const user = await parley.user('invalid');
      const list: Record<string, unknown>[] = Array.from({ length: 30 }, () => ({ contactId: newPhone() }));
      list[17] = { contactId: '+1 555' };
      list[23] = { contactId: newPhone(), middleName: 'Q' };
      const before = await head();
      const res = await importList(user, list);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('CONTACT.INVALID_ENTRIES');
      expect(res.body.details).toEqual([
        { field: 'contacts[17].contactId', reason: expect.stringContaining('phone number') },
        { field: 'contacts[23].middleName', reason: 'is not allowed' },
      ]);
      const shape = await parley.http().put('/v1/contacts').set(user.auth).send({ contacts: 'all of them' });
      expect([shape.status, shape.body.details[0].field]).toEqual([400, 'contacts']);
      expect(await head()).toBe(before);
    });

    it('takes 10,000 entries in one request, and refuses 10,001', async () => {
      const user = await parley.user('big');
      const list = Array.from({ length: 10_000 }, (_, i) => ({
        contactId: `+1557${String(i).padStart(7, '0')}`,
        firstName: 'Contact',
        lastName: `Number ${i}`,
      }));
      const res = await importList(user, list);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ count: 10_000, written: 1 });
      const page = await parley.http().get('/v1/contacts?limit=5').set(user.auth).set('X-Min-Position', res.body.position).expect(200);
      expect(page.body.items.map((c: ContactView) => c.contactId)).toEqual(list.slice(0, 5).map((c) => c.contactId));
      const synced = await parley.http().post('/v1/contacts/sync').set(user.auth).expect(200);
      expect(synced.body).toMatchObject({ total: 10_000, matched: [] });

      const before = await head();
      const tooMany = await importList(user, [...list, { contactId: '+15579999999' }]);
      expect([tooMany.status, tooMany.body.code, tooMany.body.details[0].field]).toEqual([400, 'CONTACT.TOO_MANY', 'contacts']);
      expect(await head()).toBe(before);
    }, 180_000);

    it('pages the list by contact id with a cursor', async () => {
      const user = await parley.user('pager');
      const ids = Array.from({ length: 7 }, () => newUsername('p').toLowerCase()).sort();
      const res = await importList(user, ids.map((contactId) => ({ contactId })));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { status: number; body: { items: ContactView[]; nextCursor: string | null } } = await parley
          .http()
          .get('/v1/contacts')
          .query({ limit: 3, ...(cursor ? { cursor } : {}) }).set(user.auth).set('X-Min-Position', res.body.position);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((c) => c.contactId));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(ids);
      const bad = await parley.http().get('/v1/contacts?cursor=nonsense').set(user.auth);
      expect([bad.status, bad.body.code]).toEqual([400, 'REQUEST.CURSOR_INVALID']);
    });
  });

  describe('matching', () => {
    it('matches a contact who registers later, by username, without the owner doing anything', async () => {
      const user = await parley.user('matcher');
      const username = newUsername('later');
      const added = await parley.http().post('/v1/contacts').set(user.auth).send({ contactId: username, firstName: 'Later' }).expect(201);
      const before = await parley.http().get(`/v1/contacts/${username}`).set(user.auth).set('X-Min-Position', added.body.position);
      expect(before.body.userId).toBeNull();
      const registered = await parley.http().post('/v1/users').send({ username, password: 'correct horse battery' }).expect(201);
      await parley.settled();
      const after = await parley.http().get(`/v1/contacts/${username}`).set(user.auth);
      expect(after.body).toMatchObject({ contactId: username.toLowerCase(), userId: registered.body.id });
    });

    it('matches a phone contact once the number is verified, not while it is pending', async () => {
      const user = await parley.user('phonebook');
      const phone = newPhone();
      const pendingPhone = newPhone();
      const res = await importList(user, [
        { contactId: phone, firstName: 'Pat' },
        { contactId: pendingPhone, firstName: 'Pending' },
      ]).expect(200);
      expect((await contactsOf(user, res.body.position)).map((c) => c.userId)).toEqual([null, null]);
      const account = await phoneAccount(phone);
      await phoneAccount(pendingPhone, false);
      await parley.settled();
      const got = await parley.http().get(`/v1/contacts/${encodeURIComponent(phone)}`).set(user.auth);
      expect(got.body).toMatchObject({ contactId: phone, kind: 'phone', userId: account.id });
      const pending = await parley.http().get(`/v1/contacts/${encodeURIComponent(pendingPhone)}`).set(user.auth);
      expect(pending.body.userId).toBeNull();

      // Added after the account exists: matched straight away.
      const other = await parley.user('phonebook');
      const added = await parley.http().post('/v1/contacts').set(other.auth).send({ contactId: phone }).expect(201);
      const direct = await parley.http().get(`/v1/contacts/${encodeURIComponent(phone)}`).set(other.auth).set('X-Min-Position', added.body.position);
      expect(direct.body.userId).toBe(account.id);
    });

    it('a removed account is unmatched in every book, and its own book is deleted', async () => {
      const leaving = await parley.user('leaving');
      const keeper = await parley.user('keeper');
      await parley.http().post('/v1/contacts').set(keeper.auth).send({ contactId: leaving.username, firstName: 'Leaving' }).expect(201);
      await importList(leaving, [{ contactId: keeper.id, firstName: 'Keeper' }, { contactId: newPhone() }]).expect(200);
      await parley.settled();
      expect((await parley.http().get(`/v1/contacts/${leaving.username}`).set(keeper.auth)).body.userId).toBe(leaving.id);
      const readStore = parley.app.get<ReadStore>(READ_STORE);
      expect(await readStore.find('contacts', { filter: { ownerId: leaving.id } })).toHaveLength(2);

      await parley.http().post('/v1/me/remove').set(leaving.auth).send({}).expect(200);
      await parley.settled();
      const after = await parley.http().get(`/v1/contacts/${leaving.username}`).set(keeper.auth);
      expect(after.body).toMatchObject({ contactId: leaving.username.toLowerCase(), firstName: 'Leaving', userId: null });
      expect(await readStore.find('contacts', { filter: { ownerId: leaving.id } })).toEqual([]);
    });

    it('sync answers the matched entries', async () => {
      const user = await parley.user('syncer');
      const friend = await parley.user('friend');
      await importList(user, [
        { contactId: friend.username, firstName: 'Friend' },
        { contactId: newUsername('nobody'), firstName: 'Nobody' },
      ]).expect(200);
      const synced = await parley.http().post('/v1/contacts/sync').set(user.auth);
      expect(synced.status).toBe(200);
      expect(synced.body).toEqual({
        position: expect.any(String),
        total: 2,
        matched: [{ contactId: friend.username.toLowerCase(), kind: 'username', firstName: 'Friend', lastName: '', userId: friend.id }],
      });
    });
  });
});

describe('contacts read model is disposable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-contacts-rebuild-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers the same after the read models are dropped and rebuilt', async () => {
    let parley = await ParleyHarness.start({}, dataDir);
    const alice = await parley.user('alice');
    const bob = await parley.user('bob');
    const later = `later${Date.now().toString(36)}`;
    await parley.http().put('/v1/contacts').set(alice.auth).send({
      contacts: [
        { contactId: bob.username, firstName: 'Bob' },
        { contactId: later, firstName: 'Later' },
        { contactId: '+15580000001', firstName: 'Phone' },
        { contactId: 'dropped-one' },
      ],
    }).expect(200);
    await parley.http().patch(`/v1/contacts/${later}`).set(alice.auth).send({ lastName: 'Comer' }).expect(200);
    await parley.http().delete('/v1/contacts/dropped-one').set(alice.auth).expect(200);
    await parley.http().post('/v1/contacts').set(bob.auth).send({ contactId: alice.id, firstName: 'Alice' }).expect(201);
    const laterUser = await parley.http().post('/v1/users').send({ username: later, password: 'correct horse battery' }).expect(201);

    const snapshot = async () => {
      await parley.settled();
      return {
        alice: (await parley.http().get('/v1/contacts?limit=100').set(alice.auth).expect(200)).body,
        bob: (await parley.http().get('/v1/contacts?limit=100').set(bob.auth).expect(200)).body,
      };
    };
    const before = await snapshot();
    expect(before.alice.items).toHaveLength(3);
    expect(before.alice.items.find((c: ContactView) => c.contactId === later)).toMatchObject({ lastName: 'Comer', userId: laterUser.body.id });
    expect(before.bob.items).toEqual([{ contactId: alice.id, kind: 'user', firstName: 'Alice', lastName: '', userId: alice.id }]);
    await parley.stop();

    for (const file of ['read.db', 'read.db-wal', 'read.db-shm']) rmSync(join(dataDir, file), { force: true });
    parley = await ParleyHarness.start({}, dataDir);
    const after = await snapshot();
    await parley.stop();
    expect(after).toEqual(before);
  });
});

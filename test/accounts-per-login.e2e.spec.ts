import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'accounts-per-login-e2e-admin-key-0123456789';
const admin = { 'X-Api-Key': API_KEY };

let numbers = 0;
const newPhone = () => `+1556${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;

/** Several phone accounts on one login (issue #17, Windu): each its own identity, chosen with X-Parley-Account. */
describe('phone accounts per login', () => {
  let h: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, CODE_REQUEST_INTERVAL: '0' });
    alice = await h.user('alice');
    bob = await h.user('bob');
  });
  afterAll(() => h.stop());

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  const lastCode = async (phone: string): Promise<string> => {
    const res = await h.http().get('/v1/admin/verification-codes').query({ phone }).set(admin).expect(200);
    return (res.body.items as { code: string }[])[0]!.code;
  };
  /** Adds and verifies a number on the user's login; answers the account id. */
  const addAccount = async (user: TestUser, phone: string, nickname: string): Promise<string> => {
    const added = await h.http().post('/v1/me/accounts').set(user.auth).send({ phone, nickname }).expect(201);
    expect(added.body).toEqual({ id: expect.any(String), status: 'pending', position: expect.stringMatching(/^\d+$/) });
    const verified = await h.http().post('/v1/me/accounts/verify').set(user.auth).send({ phone, code: await lastCode(phone) }).expect(200);
    expect(verified.body).toEqual({ id: added.body.id, nickname, status: 'verified', position: expect.stringMatching(/^\d+$/) });
    return added.body.id as string;
  };
  const as = (user: TestUser, accountId: string) => ({ ...user.auth, 'X-Parley-Account': accountId });

  it('holds two numbers on one login, each with its own nickname, status message and contacts', async () => {
    const [phoneA, phoneB] = [newPhone(), newPhone()];
    const accountA = await addAccount(alice, phoneA, 'Alice at work');
    const accountB = await addAccount(alice, phoneB, 'Alice at home');
    expect(accountA).not.toBe(accountB);

    const setA = await h.http().put('/v1/me/status-message').set(as(alice, accountA)).send({ message: 'busy' }).expect(200);
    const setB = await h.http().put('/v1/me/status-message').set(as(alice, accountB)).send({ message: 'at the beach' }).expect(200);
    await h.http().post('/v1/contacts').set(as(alice, accountA)).send({ contactId: bob.username, firstName: 'Bob' }).expect(201);

    const list = await h.http().get('/v1/me/accounts').set(alice.auth).set('X-Min-Position', setB.body.position).expect(200);
    expect(list.body.items).toEqual([
      { id: accountA, phone: phoneA, nickname: 'Alice at work', status: 'verified', createdAt: expect.any(String) },
      { id: accountB, phone: phoneB, nickname: 'Alice at home', status: 'verified', createdAt: expect.any(String) },
    ]);

    const meA = await h.http().get('/v1/me').set(as(alice, accountA)).set('X-Min-Position', setA.body.position).expect(200);
    expect(meA.body).toMatchObject({ id: accountA, displayName: 'Alice at work', statusMessage: 'busy' });
    const meB = await h.http().get('/v1/me').set(as(alice, accountB)).set('X-Min-Position', setB.body.position).expect(200);
    expect(meB.body).toMatchObject({ id: accountB, displayName: 'Alice at home', statusMessage: 'at the beach' });
    // Without the selector the login is itself: its own profile is untouched.
    const login = await h.http().get('/v1/me').set(alice.auth).expect(200);
    expect(login.body).toMatchObject({ id: alice.id, statusMessage: null });

    await h.settled();
    const contactsA = await h.http().get('/v1/contacts').set(as(alice, accountA)).expect(200);
    expect(contactsA.body.items.map((c: { contactId: string }) => c.contactId)).toEqual([bob.username]);
    const contactsB = await h.http().get('/v1/contacts').set(as(alice, accountB)).expect(200);
    expect(contactsB.body.items).toEqual([]);

    // Contacts match every account: Bob's entry for Alice's second number finds that account.
    const added = await h.http().post('/v1/contacts').set(bob.auth).send({ contactId: phoneB, firstName: 'Alice' }).expect(201);
    const entry = await h.http().get(`/v1/contacts/${encodeURIComponent(phoneB)}`).set(bob.auth).set('X-Min-Position', added.body.position).expect(200);
    expect(entry.body.userId).toBe(accountB);
  });

  it("refuses another login's account, a bad selector and an unverified number, writing nothing", async () => {
    const phone = newPhone();
    const accountId = await addAccount(alice, phone, 'Alice travelling');
    const pendingPhone = newPhone();
    const pending = await h.http().post('/v1/me/accounts').set(alice.auth).send({ phone: pendingPhone, nickname: 'Later' }).expect(201);
    const before = await head();

    const stolen = await h.http().put('/v1/me/status-message').set(as(bob, accountId)).send({ message: 'mine now' });
    expect(stolen.status).toBe(404);
    expect(stolen.body).toMatchObject({ code: 'ACCOUNT.NOT_FOUND', details: [{ field: 'account', reason: 'is not a verified account of this login' }] });
    const unverified = await h.http().put('/v1/me/status-message').set(as(alice, pending.body.id)).send({ message: 'too soon' });
    expect(unverified.status).toBe(404);
    const malformed = await h.http().put('/v1/me/status-message').set(as(alice, 'not-an-id')).send({ message: 'x' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual([{ field: 'X-Parley-Account', reason: 'must be a UUID, given once' }]);
    // Another login's number is not Bob's to verify, ask codes for or remove.
    const code = await h.http().post('/v1/me/accounts/request-code').set(bob.auth).send({ phone });
    expect(code.status).toBe(404);
    const removal = await h.http().delete(`/v1/me/accounts/${accountId}`).set(bob.auth).send({});
    expect(removal.status).toBe(404);
    // Nor may Bob add a number Alice is adding.
    const taken = await h.http().post('/v1/me/accounts').set(bob.auth).send({ phone: pendingPhone, nickname: 'Bob' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('ACCOUNT.PHONE_TAKEN');
    expect(await head()).toBe(before);
  });

  it('writes an added number in one append, with no claim stream', async () => {
    const before = await head();
    await h.http().post('/v1/me/accounts').set(alice.auth).send({ phone: newPhone(), nickname: 'One append' }).expect(201);
    const store = h.app.get<import('../libs/event-store/event-store.port').EventStore>(
      (await import('../apps/api/infrastructure/tokens')).EVENT_STORE,
    );
    const written = await store.readAll({ ...(before === null ? {} : { after: BigInt(before) }), maxCount: 10 });
    expect(written.map((e) => e.type)).toEqual(['PhoneAccountCreated', 'VerificationCodeIssued']);
    expect(new Set(written.map((e) => e.streamId)).size).toBe(1);
    expect(written[0]!.metadata.actor).toBe(alice.id);
  });

  it('removes one account: it leaves the list, the selector refuses it, the number is free for another login', async () => {
    const phone = newPhone();
    const accountId = await addAccount(alice, phone, 'Old number');
    const removed = await h.http().delete(`/v1/me/accounts/${accountId}`).set(alice.auth).send({ feedback: 'cool' }).expect(200);
    expect(removed.body).toEqual({ id: accountId, removed: true, position: expect.stringMatching(/^\d+$/) });
    const list = await h.http().get('/v1/me/accounts').set(alice.auth).set('X-Min-Position', removed.body.position).expect(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(accountId);
    expect((await h.http().get('/v1/me').set(as(alice, accountId))).status).toBe(404);
    const again = await h.http().post('/v1/me/accounts').set(bob.auth).send({ phone, nickname: 'Bob’s now' }).expect(201);
    expect(again.body.id).not.toBe(accountId);
  });
});

import { MatchedContacts } from '../apps/api/contacts/matched-contacts';
import { ParleyHarness, type TestUser } from './support/parley-app';

/**
 * GET /v1/contacts/presence starts from the caller's matched entries, which
 * the API keeps for large books between requests (MatchedContacts). Here every
 * book counts as large, so each read below after the first is a chance for a
 * stale copy: an entry removed, or a contact who registers after being added.
 */
describe('all contacts’ presence with the matched entries kept between requests', () => {
  let parley: ParleyHarness;
  let owner: TestUser;
  let amy: TestUser;
  let ben: TestUser;
  let cache: MatchedContacts;

  const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string;
  const everyone = async (position: string) => {
    const res = await parley.http().get('/v1/contacts/presence').set(owner.auth).set('X-Min-Position', position).expect(200);
    return (res.body.items as { userId: string; contactId: string }[]).map((item) => item.userId).sort();
  };
  const add = async (contactId: string) =>
    (await parley.http().post('/v1/contacts').set(owner.auth).send({ contactId, firstName: 'Someone' }).expect(201)).body.position as string;

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    cache = parley.app.get(MatchedContacts);
    cache.minimumBook = 1;
    owner = await parley.user('owner');
    amy = await parley.user('amy');
    ben = await parley.user('ben');
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('answers a kept copy while nothing changed, and the change at once after a write to the book', async () => {
    await add(amy.username);
    // The same account twice in the book (by username and by id): one item.
    await add(amy.id);
    const both = await add(ben.username);
    expect(await everyone(both)).toEqual([amy.id, ben.id].sort());
    expect(cache.size).toBe(1);
    expect(await everyone(both)).toEqual([amy.id, ben.id].sort());

    const removed = await parley.http().delete(`/v1/contacts/${ben.username}`).set(owner.auth).expect(200);
    expect(removed.body.position).toMatch(/^\d+$/);
    expect(await everyone(removed.body.position as string)).toEqual([amy.id]);
  });

  it('shows a contact who registers after being added, once the registration is read', async () => {
    const username = `cleo${Date.now().toString(36)}`;
    const added = await add(username);
    expect(await everyone(added)).toEqual([amy.id]);
    expect(cache.size).toBe(1);
    const cleo = await parley.http().post('/v1/users').send({ username, password: 'correct horse battery' }).expect(201);
    expect(await everyone(await head())).toEqual([amy.id, cleo.body.id as string].sort());
  });
});

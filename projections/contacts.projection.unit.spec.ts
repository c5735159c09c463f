import { matchKeys } from '../libs/domain/contacts/contact-id';
import type { ContactEntry, ParleyEvent, PhoneAccountCreated, PhoneVerified, UserRemoved } from '../libs/domain/events';
import { contactDocId, contactsProjection } from './contacts.projection';
import { at, userRegistered } from './testing/parley-events';
import { given, thenReplayChangesNothing, type ProjectionScenario } from './testing/projection-harness';

const OWNER = 'a0000000-0000-4000-8000-000000000001';
const OTHER_OWNER = 'a0000000-0000-4000-8000-000000000002';
const BEN_ID = 'b0000000-0000-4000-8000-000000000001';
const PHONE_ID = 'c0000000-0000-4000-8000-000000000001';
const PHONE_KEY = 'k'.repeat(43);

const entry = (kind: ContactEntry['kind'], contactId: string, firstName: string, matchKey: string): ContactEntry => ({
  contactId,
  kind,
  matchKey,
  firstName,
  lastName: 'Last',
});
const BEN = entry('username', 'ben', 'Ben', matchKeys.username('ben'));
const PHONE = entry('phone', '+15551230001', 'Pat', matchKeys.phone(PHONE_KEY));
const BY_ID = entry('user', BEN_ID, 'Benjamin', matchKeys.user(BEN_ID));
const NOBODY = entry('username', 'nobody', 'No', matchKeys.username('nobody'));

const added = (contact: ContactEntry, ownerId = OWNER): ParleyEvent => ({
  type: 'ContactAdded',
  data: { ownerId, matchKey: contact.matchKey, contact, addedAt: at(1) },
});
const imported = (contacts: ContactEntry[] | null, keys: string[], ownerId = OWNER): ParleyEvent => ({
  type: 'ContactsImported',
  data: { ownerId, matchKeys: keys, contacts, importedAt: at(2) },
});
const importedList = (contacts: ContactEntry[], ownerId = OWNER) => imported(contacts, contacts.map((c) => c.matchKey), ownerId);
const renamed = (contact: ContactEntry, firstName: string): ParleyEvent => ({
  type: 'ContactRenamed',
  data: { ownerId: OWNER, matchKey: contact.matchKey, name: { firstName, lastName: 'New' }, renamedAt: at(3) },
});
const removed = (...contacts: ContactEntry[]): ParleyEvent => ({
  type: 'ContactsRemoved',
  data: { ownerId: OWNER, matchKeys: contacts.map((c) => c.matchKey), removedAt: at(4) },
});
const syncRequested = (): ParleyEvent => ({ type: 'ContactsSyncRequested', data: { ownerId: OWNER, requestedAt: at(5) } });
const benRegistered = () => userRegistered(BEN_ID, { username: 'Ben' });
const phoneCreated = (): PhoneAccountCreated => ({
  type: 'PhoneAccountCreated',
  data: { userId: PHONE_ID, phoneKey: PHONE_KEY, phone: '+15551230001', displayName: 'Pat', createdAt: at(6), loginId: null },
});
const phoneVerified = (codeId = 'code-1'): PhoneVerified => ({
  type: 'PhoneVerified',
  data: { userId: PHONE_ID, codeId, verifiedAt: at(7) },
});
const userRemoved = (userId: string): UserRemoved => ({
  type: 'UserRemoved',
  data: { userId, reason: 'self', feedback: null, removedBy: userId, removedAt: at(8) },
});

const contact = (scenario: ProjectionScenario, c: ContactEntry, ownerId = OWNER) => scenario.doc('contacts', contactDocId(ownerId, c.matchKey));
const matched = async (scenario: ProjectionScenario, c: ContactEntry, ownerId = OWNER) => (await contact(scenario, c, ownerId))?.['userId'];

describe('contacts projection', () => {
  it('ContactAdded: an entry with its names, unmatched while no account answers to it', async () => {
    const scenario = await given(contactsProjection);
    const [stored] = await scenario.when(added(BEN));
    expect(await contact(scenario, BEN)).toEqual({
      id: contactDocId(OWNER, BEN.matchKey),
      ownerId: OWNER,
      matchKey: BEN.matchKey,
      contactId: 'ben',
      kind: 'username',
      firstName: 'Ben',
      lastName: 'Last',
      userId: null,
      _position: stored!.position.toString(),
    });
    expect(await scenario.doc('contact_keys', BEN.matchKey)).toMatchObject({ userId: null, owners: [OWNER] });
    await thenReplayChangesNothing(scenario, 'ContactAdded');
  });

  it('ContactAdded: matched at once when the account exists (by username and by user id)', async () => {
    const scenario = await given(contactsProjection, [benRegistered()]);
    await scenario.when(added(BEN), added(BY_ID));
    expect(await matched(scenario, BEN)).toBe(BEN_ID);
    expect(await matched(scenario, BY_ID)).toBe(BEN_ID);
    await thenReplayChangesNothing(scenario, 'ContactAdded');
  });

  it('UserRegistered: a contact who registers later is matched in every book holding them', async () => {
    const scenario = await given(contactsProjection, [added(BEN), added(BEN, OTHER_OWNER), added(BY_ID), added(NOBODY)]);
    await scenario.when(benRegistered());
    expect(await matched(scenario, BEN)).toBe(BEN_ID);
    expect(await matched(scenario, BEN, OTHER_OWNER)).toBe(BEN_ID);
    expect(await matched(scenario, BY_ID)).toBe(BEN_ID);
    expect(await matched(scenario, NOBODY)).toBeNull();
    expect(await scenario.doc('contact_accounts', BEN_ID)).toMatchObject({
      active: true,
      matchKeys: [matchKeys.username('ben'), matchKeys.user(BEN_ID)],
    });
    await thenReplayChangesNothing(scenario, 'UserRegistered');
  });

  it('PhoneAccountCreated: a pending phone account matches nobody', async () => {
    const scenario = await given(contactsProjection, [added(PHONE)]);
    await scenario.when(phoneCreated());
    expect(await matched(scenario, PHONE)).toBeNull();
    expect(await scenario.doc('contact_accounts', PHONE_ID)).toMatchObject({ phoneKey: PHONE_KEY, active: false });
    await thenReplayChangesNothing(scenario, 'PhoneAccountCreated');
  });

  it('PhoneVerified: the number matches once verified; a later sign-in by code changes nothing', async () => {
    const scenario = await given(contactsProjection, [added(PHONE), phoneCreated()]);
    await scenario.when(phoneVerified());
    expect(await matched(scenario, PHONE)).toBe(PHONE_ID);
    await thenReplayChangesNothing(scenario, 'PhoneVerified');
    const before = await scenario.snapshot();
    await scenario.when(phoneVerified('code-2'));
    expect(await scenario.snapshot()).toEqual(before);
  });

  it('PhoneVerified: an entry added after verification is matched too', async () => {
    const scenario = await given(contactsProjection, [phoneCreated(), phoneVerified()]);
    await scenario.when(added(PHONE));
    expect(await matched(scenario, PHONE)).toBe(PHONE_ID);
  });

  it('ContactsImported: replaces the book, keeps matches, drops what is gone', async () => {
    const scenario = await given(contactsProjection, [benRegistered(), added(BEN), added(NOBODY)]);
    const renamedBen = { ...BEN, firstName: 'Benny' };
    await scenario.when(importedList([renamedBen, PHONE]));
    expect(await contact(scenario, NOBODY)).toBeNull();
    expect(await scenario.doc('contact_keys', NOBODY.matchKey)).toBeNull();
    expect(await contact(scenario, BEN)).toMatchObject({ firstName: 'Benny', userId: BEN_ID });
    expect(await contact(scenario, PHONE)).toMatchObject({ firstName: 'Pat', userId: null });
    expect(await scenario.doc('contact_books', OWNER)).toMatchObject({ matchKeys: [BEN.matchKey, PHONE.matchKey] });
    await thenReplayChangesNothing(scenario, 'ContactsImported');
  });

  it('ContactsImported: an empty list clears the book', async () => {
    const scenario = await given(contactsProjection, [added(BEN), added(PHONE)]);
    await scenario.when(importedList([]));
    expect(await scenario.docs('contacts')).toEqual([]);
    expect(await scenario.docs('contact_keys')).toEqual([]);
    await thenReplayChangesNothing(scenario, 'ContactsImported');
  });

  it('ContactRenamed: new names, the match kept', async () => {
    const scenario = await given(contactsProjection, [benRegistered(), added(BEN)]);
    await scenario.when(renamed(BEN, 'Benedict'));
    expect(await contact(scenario, BEN)).toMatchObject({ firstName: 'Benedict', lastName: 'New', userId: BEN_ID });
    await thenReplayChangesNothing(scenario, 'ContactRenamed');
  });

  it('ContactsRemoved: the entries go, and the key forgets the owner', async () => {
    const scenario = await given(contactsProjection, [benRegistered(), added(BEN), added(BEN, OTHER_OWNER), added(PHONE)]);
    await scenario.when(removed(BEN, PHONE));
    expect(await contact(scenario, BEN)).toBeNull();
    expect(await contact(scenario, PHONE)).toBeNull();
    expect(await matched(scenario, BEN, OTHER_OWNER)).toBe(BEN_ID);
    expect(await scenario.doc('contact_keys', BEN.matchKey)).toMatchObject({ userId: BEN_ID, owners: [OTHER_OWNER] });
    expect(await scenario.doc('contact_keys', PHONE.matchKey)).toBeNull();
    expect(await scenario.doc('contact_books', OWNER)).toMatchObject({ matchKeys: [] });
    await thenReplayChangesNothing(scenario, 'ContactsRemoved');
  });

  it('ContactsSyncRequested: sets every entry again from the account index', async () => {
    const scenario = await given(contactsProjection, [benRegistered(), added(BEN), added(NOBODY)]);
    // A document gone wrong (say, by hand): the sync puts the match back.
    const doc = (await contact(scenario, BEN))!;
    await scenario.readStore.commit([{ kind: 'put', collection: 'contacts', doc: { ...doc, userId: null } }], []);
    await scenario.when(syncRequested());
    expect(await matched(scenario, BEN)).toBe(BEN_ID);
    expect(await matched(scenario, NOBODY)).toBeNull();
    await thenReplayChangesNothing(scenario, 'ContactsSyncRequested');
  });

  it('UserRemoved: the removed contact is unmatched everywhere', async () => {
    const scenario = await given(contactsProjection, [benRegistered(), added(BEN), added(BY_ID, OTHER_OWNER)]);
    await scenario.when(userRemoved(BEN_ID));
    expect(await matched(scenario, BEN)).toBeNull();
    expect(await matched(scenario, BY_ID, OTHER_OWNER)).toBeNull();
    expect(await scenario.doc('contact_accounts', BEN_ID)).toMatchObject({ removed: true, matchKeys: [] });
    await thenReplayChangesNothing(scenario, 'UserRemoved');
  });

  it('UserRemoved: an owner’s address book is deleted with them', async () => {
    const scenario = await given(contactsProjection, [
      userRegistered(OWNER, { username: 'owner' }),
      benRegistered(),
      added(BEN),
      added(PHONE),
      added(BEN, OTHER_OWNER),
    ]);
    await scenario.when(userRemoved(OWNER));
    expect((await scenario.docs('contacts')).map((d) => d['ownerId'])).toEqual([OTHER_OWNER]);
    expect(await scenario.doc('contact_books', OWNER)).toBeNull();
    expect(await scenario.doc('contact_keys', BEN.matchKey)).toMatchObject({ owners: [OTHER_OWNER] });
    expect(await scenario.doc('contact_keys', PHONE.matchKey)).toBeNull();
    await thenReplayChangesNothing(scenario, 'UserRemoved');
  });

  it('an erased book (the owner removed, read back without their key) ends deleted too', async () => {
    const scenario = await given(contactsProjection);
    await scenario.when(
      userRegistered(OWNER, { username: 'owner' }),
      imported(null, [BEN.matchKey, PHONE.matchKey]),
      { type: 'ContactAdded', data: { ownerId: OWNER, matchKey: NOBODY.matchKey, contact: null, addedAt: at(3) } },
    );
    expect(await contact(scenario, BEN)).toMatchObject({ contactId: null, kind: 'username', firstName: null });
    await scenario.when(userRemoved(OWNER));
    expect(await scenario.docs('contacts')).toEqual([]);
    expect(await scenario.docs('contact_keys')).toEqual([]);
  });

  it('a rebuild from the whole log gives the same documents as event-by-event projection', async () => {
    const story: ParleyEvent[] = [
      added(BEN),
      added(PHONE, OTHER_OWNER),
      importedList([BEN, PHONE, NOBODY]),
      benRegistered(),
      phoneCreated(),
      phoneVerified(),
      renamed(PHONE, 'Patricia'),
      removed(NOBODY),
      syncRequested(),
      userRemoved(PHONE_ID),
    ];
    const live = await given(contactsProjection);
    for (const event of story) await live.when(event);
    const rebuilt = await given(contactsProjection, story);
    const documents = await live.snapshot();
    expect(documents['contacts']!.map((d) => [d['ownerId'], d['contactId'], d['userId']])).toEqual([
      [OWNER, '+15551230001', null],
      [OWNER, 'ben', BEN_ID],
      [OTHER_OWNER, '+15551230001', null],
    ]);
    expect(await rebuilt.snapshot()).toEqual(documents);
    const { after } = await live.replay('all');
    expect(after).toEqual(documents);
  });
});

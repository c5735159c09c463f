import { createHash } from 'node:crypto';
import { normalizePhone } from '../../personal-data/lookup-keys';
import type { ErrorDetail } from '../errors';
import type { ContactEntry, ContactEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  kindOfMatchKey,
  matchKeyOf,
  matchKeys,
  MAX_CONTACTS,
  normalizePhoneNumber,
  parseContactId,
  readContactEntry,
  readContactList,
  requireContactId,
} from './contact-id';
import { decideContacts, evolveContacts, initialContactsState, type ContactsCommand, type ContactsState } from './contacts.decider';

const { given, fold } = deciderSpec<ContactsCommand, ContactEvent, ContactsState>({
  initialState: initialContactsState,
  evolve: evolveContacts,
  decide: decideContacts,
});

const OWNER = 'u-owner';
const NOW = '2024-05-01T12:00:00.000Z';
const T0 = '2024-05-01T10:00:00.000Z';
const phoneKeyOf = (e164: string) => createHash('sha256').update(e164).digest('base64url');

const entry = (contactId: string, firstName = 'First', lastName = 'Last'): ContactEntry => {
  const parsed = parseContactId(contactId);
  if (!parsed.ok) throw new Error(`bad test id ${contactId}`);
  return { ...parsed.value, matchKey: matchKeyOf(parsed.value, phoneKeyOf), firstName, lastName };
};
const ANN = entry('+15551230001', 'Ann', 'Archer');
const BEN = entry('ben.b', 'Ben', 'Baker');
const CAT = entry('3f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b', 'Cat', 'Cole');

const added = (contact: ContactEntry): ContactEvent => ({
  type: 'ContactAdded',
  data: { ownerId: OWNER, matchKey: contact.matchKey, contact, addedAt: T0 },
});
const imported = (contacts: ContactEntry[], at = T0): ContactEvent => ({
  type: 'ContactsImported',
  data: { ownerId: OWNER, matchKeys: contacts.map((c) => c.matchKey), contacts, importedAt: at },
});
const importCmd = (entries: ContactEntry[]): ContactsCommand => ({ type: 'ImportContacts', ownerId: OWNER, entries, now: NOW });

describe('contact ids', () => {
  it('reads a UUID as a user id, a + or digits as a phone, anything else as a username', () => {
    expect(parseContactId('3F1C2A34-5B6D-4E7F-8A9B-0C1D2E3F4A5B')).toEqual({
      ok: true,
      value: { kind: 'user', contactId: '3f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b' },
    });
    expect(parseContactId('+1 (555) 123-0001')).toEqual({ ok: true, value: { kind: 'phone', contactId: '+15551230001' } });
    expect(parseContactId('0015551230001')).toEqual({ ok: true, value: { kind: 'phone', contactId: '+15551230001' } });
    expect(parseContactId('Ben.B')).toEqual({ ok: true, value: { kind: 'username', contactId: 'ben.b' } });
  });

  it('refuses what is none of them, and honours an explicit kind', () => {
    expect(parseContactId('5551230001')).toMatchObject({ ok: false, reason: expect.stringContaining('phone number') });
    expect(parseContactId('12345678', 'username')).toEqual({ ok: true, value: { kind: 'username', contactId: '12345678' } });
    expect(parseContactId('ben.b', 'user')).toMatchObject({ ok: false, reason: expect.stringContaining('UUID') });
    expect(parseContactId('no spaces allowed')).toMatchObject({ ok: false, reason: expect.stringContaining('username') });
    expect(parseContactId('   ')).toMatchObject({ ok: false, reason: 'must not be empty' });
    expect(parseContactId('x'.repeat(65))).toMatchObject({ ok: false, reason: expect.stringContaining('64') });
    expect(() => requireContactId('nope!', 'contactId')).toThrow(expect.objectContaining({ code: 'CONTACT.INVALID_ID' }));
  });

  it('normalises phone numbers exactly as account lookup does', () => {
    for (const input of ['+1 555 123 0001', '0044 20 7946 0958', '+0123456789', '+1234567', '+1234567890123456', ' +49(30)1234567 ', 'abc']) {
      expect(normalizePhoneNumber(input)).toBe(normalizePhone(input));
    }
  });

  it('makes match keys that name the account kind', () => {
    expect(ANN.matchKey).toBe(matchKeys.phone(phoneKeyOf('+15551230001')));
    expect(matchKeys.username('Ben.B')).toBe('username:ben.b');
    expect(kindOfMatchKey(CAT.matchKey)).toBe('user');
    expect(kindOfMatchKey(ANN.matchKey)).toBe('phone');
  });

  it('reads an entry, naming each bad field with its path', () => {
    const details: ErrorDetail[] = [];
    expect(readContactEntry({ contactId: '+15551230001', firstName: ' Ann ' }, 'contacts[0]', phoneKeyOf, details)).toEqual({
      ...ANN,
      firstName: 'Ann',
      lastName: '',
    });
    expect(readContactEntry({ contactId: 42, kind: 'fax', firstName: 'x'.repeat(101), nickname: 'a' }, 'contacts[3]', phoneKeyOf, details)).toBeNull();
    expect(details.map((d) => d.field).sort()).toEqual(
      ['contacts[3].contactId', 'contacts[3].firstName', 'contacts[3].kind', 'contacts[3].nickname'].sort(),
    );
  });

  it('refuses a list with one bad entry whole, naming it', () => {
    const raw = Array.from({ length: 20 }, (_, i) => ({ contactId: `+1555123${String(i).padStart(4, '0')}` }));
    raw[17] = { contactId: '+12' };
    let error: unknown;
    try {
      readContactList(raw, phoneKeyOf);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'CONTACT.INVALID_ENTRIES', category: 'validation' });
    expect((error as { details: ErrorDetail[] }).details).toEqual([
      { field: 'contacts[17].contactId', reason: expect.stringContaining('phone number') },
    ]);
    expect(() => readContactList(Array.from({ length: MAX_CONTACTS + 1 }, () => ({})), phoneKeyOf)).toThrow(
      expect.objectContaining({ code: 'CONTACT.TOO_MANY' }),
    );
  });
});

describe('contacts decider', () => {
  it('adds a contact', () => {
    given([]).when({ type: 'AddContact', ownerId: OWNER, entry: ANN, now: NOW }).then([
      { type: 'ContactAdded', data: { ownerId: OWNER, matchKey: ANN.matchKey, contact: ANN, addedAt: NOW } },
    ]);
  });

  it('answers a repeated add with nothing, and refuses the same contact under another name', () => {
    given([added(ANN)]).when({ type: 'AddContact', ownerId: OWNER, entry: ANN, now: NOW }).then([]);
    given([added(ANN)])
      .when({ type: 'AddContact', ownerId: OWNER, entry: { ...ANN, firstName: 'Anne' }, now: NOW })
      .thenThrows('CONTACT.ALREADY_EXISTS', 'conflict');
  });

  it('refuses an add to a full address book', () => {
    const full = Array.from({ length: MAX_CONTACTS }, (_, i) => entry(`+1555${String(i).padStart(7, '0')}`));
    given([imported(full)]).when({ type: 'AddContact', ownerId: OWNER, entry: BEN, now: NOW }).thenThrows('CONTACT.BOOK_FULL', 'conflict');
  });

  it('imports a list in one event that replaces the book', () => {
    given([added(ANN)]).when(importCmd([BEN, CAT])).then([imported([BEN, CAT], NOW)]);
    const state = fold([added(ANN), imported([BEN, CAT])]);
    expect([...state.entries.keys()]).toEqual([BEN.matchKey, CAT.matchKey]);
  });

  it('writes nothing for the same list again, in any order', () => {
    given([imported([ANN, BEN, CAT])]).when(importCmd([CAT, ANN, BEN])).then([]);
    given([added(ANN), added(BEN)]).when(importCmd([BEN, ANN])).then([]);
  });

  it('imports when only a name changed', () => {
    const renamed = { ...BEN, lastName: 'Brown' };
    given([imported([ANN, BEN])]).when(importCmd([ANN, renamed])).then([imported([ANN, renamed], NOW)]);
  });

  it('imports an empty list (clears the book), and nothing for an empty book', () => {
    given([imported([ANN])]).when(importCmd([])).then([imported([], NOW)]);
    given([]).when(importCmd([])).then([]);
    expect(fold([imported([ANN]), imported([])]).entries.size).toBe(0);
  });

  it('refuses duplicates in one list, naming each later entry and the earlier one', () => {
    const samePhone = entry('+1 555 123 0001', 'Annie');
    const sameName = entry('BEN.B');
    const error = given([]).when(importCmd([ANN, BEN, samePhone, CAT, sameName])).thenThrows('CONTACT.DUPLICATE_ENTRIES', 'validation');
    expect(error.details).toEqual([
      { field: 'contacts[2].contactId', reason: 'is the same contact as contacts[0] (+15551230001)' },
      { field: 'contacts[4].contactId', reason: 'is the same contact as contacts[1] (ben.b)' },
    ]);
  });

  it('refuses more than the limit in one import', () => {
    const many = Array.from({ length: MAX_CONTACTS + 1 }, (_, i) => entry(`+1555${String(i).padStart(7, '0')}`));
    given([]).when(importCmd(many)).thenThrows('CONTACT.TOO_MANY', 'validation');
  });

  it('takes exactly the limit', () => {
    const many = Array.from({ length: MAX_CONTACTS }, (_, i) => entry(`+1555${String(i).padStart(7, '0')}`));
    const events = decideContacts(importCmd(many), initialContactsState);
    expect(events).toHaveLength(1);
    expect(fold(events).entries.size).toBe(MAX_CONTACTS);
  });

  it('renames a contact, changing only what is given', () => {
    given([added(ANN)])
      .when({ type: 'RenameContact', ownerId: OWNER, matchKey: ANN.matchKey, contactId: ANN.contactId, lastName: 'Smith', now: NOW })
      .then([
        {
          type: 'ContactRenamed',
          data: { ownerId: OWNER, matchKey: ANN.matchKey, name: { firstName: 'Ann', lastName: 'Smith' }, renamedAt: NOW },
        },
      ]);
    given([added(ANN)])
      .when({ type: 'RenameContact', ownerId: OWNER, matchKey: ANN.matchKey, contactId: ANN.contactId, firstName: 'Ann', now: NOW })
      .then([]);
    given([added(ANN)])
      .when({ type: 'RenameContact', ownerId: OWNER, matchKey: BEN.matchKey, contactId: BEN.contactId, firstName: 'B', now: NOW })
      .thenThrows('CONTACT.NOT_FOUND', 'not_found');
    const renamed = fold([
      added(ANN),
      { type: 'ContactRenamed', data: { ownerId: OWNER, matchKey: ANN.matchKey, name: { firstName: 'A', lastName: 'B' }, renamedAt: NOW } },
    ]);
    expect(renamed.entries.get(ANN.matchKey)).toMatchObject({ contactId: ANN.contactId, firstName: 'A', lastName: 'B' });
  });

  it('removes one strictly (404 when missing) and several leniently', () => {
    const remove = (keys: string[], strict: boolean): ContactsCommand => ({
      type: 'RemoveContacts',
      ownerId: OWNER,
      matchKeys: keys,
      strict,
      contactId: 'x',
      now: NOW,
    });
    given([added(ANN)]).when(remove([ANN.matchKey], true)).then([
      { type: 'ContactsRemoved', data: { ownerId: OWNER, matchKeys: [ANN.matchKey], removedAt: NOW } },
    ]);
    given([added(ANN)]).when(remove([BEN.matchKey], true)).thenThrows('CONTACT.NOT_FOUND', 'not_found');
    given([added(ANN), added(BEN)]).when(remove([BEN.matchKey, CAT.matchKey, BEN.matchKey], false)).then([
      { type: 'ContactsRemoved', data: { ownerId: OWNER, matchKeys: [BEN.matchKey], removedAt: NOW } },
    ]);
    given([added(ANN)]).when(remove([CAT.matchKey], false)).then([]);
    expect([...fold([added(ANN), added(BEN), { type: 'ContactsRemoved', data: { ownerId: OWNER, matchKeys: [ANN.matchKey], removedAt: NOW } }]).entries.keys()]).toEqual([
      BEN.matchKey,
    ]);
  });

  it('records a sync request', () => {
    given([added(ANN)]).when({ type: 'SyncContacts', ownerId: OWNER, now: NOW }).then([
      { type: 'ContactsSyncRequested', data: { ownerId: OWNER, requestedAt: NOW } },
    ]);
  });

  it('folds erased events (the owner removed) without failing', () => {
    const state = fold([
      added(ANN),
      { type: 'ContactAdded', data: { ownerId: OWNER, matchKey: BEN.matchKey, contact: null, addedAt: T0 } },
      { type: 'ContactRenamed', data: { ownerId: OWNER, matchKey: ANN.matchKey, name: null, renamedAt: T0 } },
    ]);
    expect([...state.entries.values()]).toEqual([ANN]);
    expect(fold([{ type: 'ContactsImported', data: { ownerId: OWNER, matchKeys: [ANN.matchKey], contacts: null, importedAt: T0 } }]).entries.size).toBe(0);
  });
});

import { assertNever, conflict, notFound, validationError, type ErrorDetail } from '../errors';
import type { Decider } from '../decider';
import type { ContactEntry, ContactEvent, ParleyEvent } from '../events';
import { MAX_CONTACTS, MAX_NAME_LENGTH, tooMany } from './contact-id';
import { hasCharactersNotInNames, NAME_CHARACTERS_REASON } from '../text';

/**
 * A user's address book (Windu contacts), stream `contacts-<ownerId>`. Entries
 * are named by their match key, one entry per key. Matching entries to
 * accounts is not decided here: the contacts read model does it, so a contact
 * who registers later is matched without a command.
 */
export interface ContactsState {
  /** By match key, in list order. */
  readonly entries: ReadonlyMap<string, ContactEntry>;
}

export const initialContactsState: ContactsState = { entries: new Map() };

export type ContactsCommand =
  | { readonly type: 'AddContact'; readonly ownerId: string; readonly entry: ContactEntry; readonly now: string }
  | { readonly type: 'ImportContacts'; readonly ownerId: string; readonly entries: readonly ContactEntry[]; readonly now: string }
  | {
      readonly type: 'RenameContact';
      readonly ownerId: string;
      readonly matchKey: string;
      /** As the caller named it, for messages. */
      readonly contactId: string;
      /** As the client sent them: a null (or any non-string) is refused naming the field. */
      readonly firstName?: string | null;
      readonly lastName?: string | null;
      readonly now: string;
    }
  | {
      readonly type: 'RemoveContacts';
      readonly ownerId: string;
      readonly matchKeys: readonly string[];
      /** One entry by path: a missing entry is a 404. Several: missing ones are skipped. */
      readonly strict: boolean;
      readonly contactId?: string;
      readonly now: string;
    }
  | { readonly type: 'SyncContacts'; readonly ownerId: string; readonly now: string };

const CONTACT_EVENTS: ReadonlySet<string> = new Set<ContactEvent['type']>([
  'ContactAdded',
  'ContactsImported',
  'ContactRenamed',
  'ContactsRemoved',
  'ContactsSyncRequested',
]);
export const isContactEvent = (event: ParleyEvent): event is ContactEvent => CONTACT_EVENTS.has(event.type);

export function evolveContacts(state: ContactsState, event: ContactEvent): ContactsState {
  switch (event.type) {
    case 'ContactAdded': {
      // Erased (the owner's key is gone): the owner is removed and the book with them.
      if (!event.data.contact) return state;
      const entries = new Map(state.entries);
      entries.set(event.data.matchKey, event.data.contact);
      return { entries };
    }
    case 'ContactsImported':
      return { entries: new Map((event.data.contacts ?? []).map((entry) => [entry.matchKey, entry])) };
    case 'ContactRenamed': {
      const entry = state.entries.get(event.data.matchKey);
      if (!entry || !event.data.name) return state;
      const entries = new Map(state.entries);
      entries.set(event.data.matchKey, { ...entry, ...event.data.name });
      return { entries };
    }
    case 'ContactsRemoved': {
      const entries = new Map(state.entries);
      for (const key of event.data.matchKeys) entries.delete(key);
      return { entries };
    }
    case 'ContactsSyncRequested':
      return state;
    default:
      return assertNever(event, 'contact event');
  }
}

const sameEntry = (a: ContactEntry, b: ContactEntry) =>
  a.contactId === b.contactId && a.kind === b.kind && a.firstName === b.firstName && a.lastName === b.lastName;

const notInBook = (contactId: string) => notFound('CONTACT.NOT_FOUND', `${contactId} is not in your contacts`);

export function decideContacts(command: ContactsCommand, state: ContactsState): ContactEvent[] {
  switch (command.type) {
    case 'AddContact':
      return add(command, state);
    case 'ImportContacts':
      return importList(command, state);
    case 'RenameContact':
      return rename(command, state);
    case 'RemoveContacts':
      return remove(command, state);
    case 'SyncContacts':
      return [{ type: 'ContactsSyncRequested', data: { ownerId: command.ownerId, requestedAt: command.now } }];
    default:
      return assertNever(command, 'contacts command');
  }
}

function add(command: Extract<ContactsCommand, { type: 'AddContact' }>, state: ContactsState): ContactEvent[] {
  const { entry } = command;
  const existing = state.entries.get(entry.matchKey);
  if (existing) {
    // A retried add changes nothing; a different name is a rename, not an add.
    if (sameEntry(existing, entry)) return [];
    throw conflict(
      'CONTACT.ALREADY_EXISTS',
      `${existing.contactId} is already in your contacts as "${fullName(existing)}": rename it with PATCH /v1/contacts/${existing.contactId}`,
    );
  }
  if (state.entries.size >= MAX_CONTACTS) {
    throw conflict('CONTACT.BOOK_FULL', `An address book holds at most ${MAX_CONTACTS} contacts: remove some first`);
  }
  return [{ type: 'ContactAdded', data: { ownerId: command.ownerId, matchKey: entry.matchKey, contact: entry, addedAt: command.now } }];
}

/**
 * The whole list, replacing what was there. Two entries for one contact (the
 * same match key: the same number typed two ways, a username in two cases)
 * refuse the import, naming both: Parley does not guess which name to keep.
 * The same list again, in any order, writes nothing.
 */
function importList(command: Extract<ContactsCommand, { type: 'ImportContacts' }>, state: ContactsState): ContactEvent[] {
  const { entries } = command;
  if (entries.length > MAX_CONTACTS) throw tooMany(entries.length);
  const first = new Map<string, number>();
  const duplicates: ErrorDetail[] = [];
  entries.forEach((entry, index) => {
    const earlier = first.get(entry.matchKey);
    if (earlier === undefined) first.set(entry.matchKey, index);
    else duplicates.push({ field: `contacts[${index}].contactId`, reason: `is the same contact as contacts[${earlier}] (${entry.contactId})` });
  });
  if (duplicates.length > 0) {
    throw validationError(
      'CONTACT.DUPLICATE_ENTRIES',
      `${duplicates.length} entr${duplicates.length === 1 ? 'y repeats' : 'ies repeat'} an earlier one; keep one entry per contact. First: ${duplicates[0]!.field} ${duplicates[0]!.reason}`,
      duplicates.slice(0, 100),
    );
  }
  if (entries.length === state.entries.size && entries.every((entry) => sameAs(state.entries.get(entry.matchKey), entry))) {
    return [];
  }
  return [
    {
      type: 'ContactsImported',
      data: { ownerId: command.ownerId, matchKeys: entries.map((e) => e.matchKey), contacts: [...entries], importedAt: command.now },
    },
  ];
}

const sameAs = (existing: ContactEntry | undefined, entry: ContactEntry) => existing !== undefined && sameEntry(existing, entry);

function rename(command: Extract<ContactsCommand, { type: 'RenameContact' }>, state: ContactsState): ContactEvent[] {
  const entry = state.entries.get(command.matchKey);
  if (!entry) throw notInBook(command.contactId);
  const details: ErrorDetail[] = [];
  const name = (value: string | null | undefined, current: string, field: string) => {
    if (value === undefined) return current;
    if (typeof value !== 'string') {
      details.push({ field, reason: 'must be a string' });
      return current;
    }
    const trimmed = value.trim();
    if (trimmed.length > MAX_NAME_LENGTH) details.push({ field, reason: `must be at most ${MAX_NAME_LENGTH} characters` });
    else if (hasCharactersNotInNames(value)) details.push({ field, reason: NAME_CHARACTERS_REASON });
    return trimmed;
  };
  const firstName = name(command.firstName, entry.firstName, 'firstName');
  const lastName = name(command.lastName, entry.lastName, 'lastName');
  if (details.length > 0) throw validationError('CONTACT.INVALID_NAME', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  if (firstName === entry.firstName && lastName === entry.lastName) return [];
  return [
    {
      type: 'ContactRenamed',
      data: { ownerId: command.ownerId, matchKey: command.matchKey, name: { firstName, lastName }, renamedAt: command.now },
    },
  ];
}

function remove(command: Extract<ContactsCommand, { type: 'RemoveContacts' }>, state: ContactsState): ContactEvent[] {
  const present = [...new Set(command.matchKeys)].filter((key) => state.entries.has(key));
  if (command.strict && present.length < new Set(command.matchKeys).size) {
    throw notInBook(command.contactId ?? 'That contact');
  }
  if (present.length === 0) return [];
  return [{ type: 'ContactsRemoved', data: { ownerId: command.ownerId, matchKeys: present, removedAt: command.now } }];
}

function fullName(entry: ContactEntry): string {
  return [entry.firstName, entry.lastName].filter((part) => part.length > 0).join(' ');
}

/** One user's address book, stream `contacts-<userId>`. */
export const contactsDecider: Decider<ContactsCommand, ContactsState, ContactEvent> = {
  initialState: initialContactsState,
  evolve: (state, event) => (isContactEvent(event) ? evolveContacts(state, event) : state),
  decide: decideContacts,
};

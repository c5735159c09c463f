import { validationError, type ErrorDetail } from '../errors';
import type { ContactEntry } from '../events';
import { normalizeUsername } from '../streams';
import { hasCharactersNotInNames, NAME_CHARACTERS_REASON } from '../text';

export type ContactKind = ContactEntry['kind'];
export const CONTACT_KINDS: readonly ContactKind[] = ['phone', 'username', 'user'];

/** Most entries of one address book, and of one import (Windu's sync of a phone's address book). */
export const MAX_CONTACTS = 10_000;
export const MAX_NAME_LENGTH = 100;
export const MAX_CONTACT_ID_LENGTH = 64;

/** A contact id as Parley keeps it: E.164 for phones, lower case for usernames and user ids. */
export interface ParsedContactId {
  readonly kind: ContactKind;
  readonly contactId: string;
}

/** Keyed hash of an E.164 number (`LookupKeys.phoneKey` in the app): the domain never sees the key. */
export type PhoneKeyOf = (e164: string) => string;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The sign-up rule for usernames (apps/api/users/users.dto.ts). */
const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
/** What reads as a phone number when no kind is given: a `+`, or digits with separators only. */
const PHONE_LIKE = /^(\+|[\d\s().-]+$)/;

/** What accounts are matched by, and what names an entry in its owner's list. */
export const matchKeys = {
  phone: (phoneKey: string) => `phone:${phoneKey}`,
  username: (username: string) => `username:${normalizeUsername(username)}`,
  user: (userId: string) => `user:${userId.toLowerCase()}`,
} as const;

export function kindOfMatchKey(matchKey: string): ContactKind {
  const prefix = matchKey.slice(0, matchKey.indexOf(':'));
  return (CONTACT_KINDS as readonly string[]).includes(prefix) ? (prefix as ContactKind) : 'username';
}

/**
 * An E.164 number from what a user typed: spaces, dots, dashes and brackets
 * are dropped, a leading `00` becomes `+`. Null unless `+` and 8 to 15 digits.
 * The same rule as `normalizePhone` in libs/personal-data (a spec holds them equal).
 */
export function normalizePhoneNumber(input: string): string | null {
  let text = input.trim().replace(/[\s.\-()]/g, '');
  if (text.startsWith('00')) text = '+' + text.slice(2);
  return /^\+[1-9]\d{7,14}$/.test(text) ? text : null;
}

export type ParseResult = { readonly ok: true; readonly value: ParsedContactId } | { readonly ok: false; readonly reason: string };

/**
 * Reads a contact id: with `kind` as the caller says; without, a UUID is a
 * user id, a `+` or a run of digits is a phone number, anything else a
 * username. A username made of digits needs `kind: "username"`.
 */
export function parseContactId(input: string, kind?: ContactKind): ParseResult {
  const text = input.trim();
  if (text.length === 0) return { ok: false, reason: 'must not be empty' };
  if (text.length > MAX_CONTACT_ID_LENGTH) return { ok: false, reason: `must be at most ${MAX_CONTACT_ID_LENGTH} characters` };
  const as = kind ?? (UUID.test(text) ? 'user' : PHONE_LIKE.test(text) ? 'phone' : 'username');
  switch (as) {
    case 'user':
      return UUID.test(text)
        ? { ok: true, value: { kind: 'user', contactId: text.toLowerCase() } }
        : { ok: false, reason: 'must be a user id (UUID)' };
    case 'phone': {
      const e164 = normalizePhoneNumber(text);
      return e164
        ? { ok: true, value: { kind: 'phone', contactId: e164 } }
        : { ok: false, reason: 'must be a phone number in international form (+ and 8 to 15 digits)' };
    }
    case 'username':
      return USERNAME.test(text)
        ? { ok: true, value: { kind: 'username', contactId: normalizeUsername(text) } }
        : { ok: false, reason: 'must be a username (3-32 letters, digits, ".", "-" or "_")' };
  }
}

export function matchKeyOf(parsed: ParsedContactId, phoneKeyOf: PhoneKeyOf): string {
  switch (parsed.kind) {
    case 'phone':
      return matchKeys.phone(phoneKeyOf(parsed.contactId));
    case 'username':
      return matchKeys.username(parsed.contactId);
    case 'user':
      return matchKeys.user(parsed.contactId);
  }
}

/** A contact id to use in a path or a single-entry body; a refusal names `field`. */
export function requireContactId(input: string, field: string, kind?: ContactKind): ParsedContactId {
  const parsed = parseContactId(input, kind);
  if (!parsed.ok) {
    throw validationError('CONTACT.INVALID_ID', `${field} ${parsed.reason}`, [{ field, reason: parsed.reason }]);
  }
  return parsed.value;
}

const ENTRY_FIELDS = new Set(['contactId', 'kind', 'firstName', 'lastName']);
const MAX_DETAILS = 100;

function nameOf(value: unknown, field: string, details: ErrorDetail[]): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    details.push({ field, reason: 'must be a string' });
    return '';
  }
  const name = value.trim();
  if (name.length > MAX_NAME_LENGTH) details.push({ field, reason: `must be at most ${MAX_NAME_LENGTH} characters` });
  else if (hasCharactersNotInNames(value)) details.push({ field, reason: NAME_CHARACTERS_REASON });
  return name;
}

/**
 * One address-book entry as a client sent it (`{ contactId, kind?, firstName?,
 * lastName? }`), checked and normalised. Problems go to `details`, each
 * naming `path` and the field (`contacts[17].contactId`); null then.
 */
export function readContactEntry(raw: unknown, path: string, phoneKeyOf: PhoneKeyOf, details: ErrorDetail[]): ContactEntry | null {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    details.push({ field: path || 'body', reason: 'must be an object with contactId, kind, firstName, lastName' });
    return null;
  }
  const before = details.length;
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!ENTRY_FIELDS.has(key)) details.push({ field: at(key), reason: 'is not allowed' });
  }
  let kind: ContactKind | undefined;
  if (input['kind'] !== undefined) {
    if ((CONTACT_KINDS as readonly unknown[]).includes(input['kind'])) kind = input['kind'] as ContactKind;
    else details.push({ field: at('kind'), reason: 'must be phone, username or user' });
  }
  let parsed: ParsedContactId | null = null;
  const contactId = input['contactId'];
  if (typeof contactId !== 'string') {
    details.push({ field: at('contactId'), reason: contactId === undefined ? 'is required' : 'must be a string' });
  } else {
    const result = parseContactId(contactId, kind);
    if (result.ok) parsed = result.value;
    else details.push({ field: at('contactId'), reason: result.reason });
  }
  const firstName = nameOf(input['firstName'], at('firstName'), details);
  const lastName = nameOf(input['lastName'], at('lastName'), details);
  if (details.length > before || !parsed) return null;
  return { contactId: parsed.contactId, kind: parsed.kind, matchKey: matchKeyOf(parsed, phoneKeyOf), firstName, lastName };
}

/**
 * A whole list to import: every entry is read; one bad entry refuses the list,
 * naming each bad entry and field (the first hundred). Duplicates are left to
 * the decider, which sees what they collide on.
 */
export function readContactList(raw: readonly unknown[], phoneKeyOf: PhoneKeyOf): ContactEntry[] {
  if (raw.length > MAX_CONTACTS) throw tooMany(raw.length);
  const details: ErrorDetail[] = [];
  const entries: ContactEntry[] = [];
  raw.forEach((item, index) => {
    const entry = readContactEntry(item, `contacts[${index}]`, phoneKeyOf, details);
    if (entry) entries.push(entry);
  });
  if (details.length > 0) {
    const bad = new Set(details.map((d) => d.field.slice(0, d.field.indexOf(']') + 1))).size;
    throw validationError(
      'CONTACT.INVALID_ENTRIES',
      `${bad} entr${bad === 1 ? 'y is' : 'ies are'} invalid; nothing was imported. First: ${details[0]!.field} ${details[0]!.reason}`,
      details.slice(0, MAX_DETAILS),
    );
  }
  return entries;
}

export const tooMany = (count: number) =>
  validationError('CONTACT.TOO_MANY', `An import holds at most ${MAX_CONTACTS} contacts, got ${count}`, [
    { field: 'contacts', reason: `must hold at most ${MAX_CONTACTS} entries (got ${count}); split the address book or leave some out` },
  ]);

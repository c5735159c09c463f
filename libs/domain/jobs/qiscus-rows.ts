import type { ImportRowError, JobResource, RoomKind } from '../events';
import { jsonLimitViolation, PAYLOAD_LIMITS } from '../json-limits';
import { MAX_ROOM_MEMBERS } from '../rooms/room.decider';
import { parseJobDate } from './export-job.decider';

/**
 * Qiscus' import formats (users, rooms, comments), checked row by row without
 * looking anything up: shapes, lengths, dates, duplicates inside the file and
 * replies to later rows. Whether users, rooms and parents exist is the
 * importer's second check. Keys are matched case-insensitively (Qiscus' own
 * samples spell `CreateAt` and `CreatedAt`); keys not named here are ignored,
 * as Qiscus does.
 */
export interface QiscusUserRow {
  readonly row: number;
  /** Lower-cased; the imported user's username and sign-in name. */
  readonly email: string;
  readonly name: string;
  readonly password: string | null;
  readonly createdAt: string | null;
}

export interface QiscusRoomRow {
  readonly row: number;
  readonly uniqueId: string;
  readonly kind: RoomKind;
  readonly name: string;
  readonly creatorEmail: string;
  /** Distinct, lower-cased, the creator left out. */
  readonly participantEmails: readonly string[];
  readonly avatarUrl: string | null;
  readonly createdAt: string | null;
}

export interface QiscusCommentRow {
  readonly row: number;
  readonly uniqueId: string;
  readonly roomUniqueId: string;
  readonly creatorEmail: string;
  readonly message: string;
  readonly commentType: string;
  readonly payload: Record<string, unknown> | null;
  readonly parentUniqueId: string | null;
  readonly createdAt: string | null;
}

export type QiscusRow = QiscusUserRow | QiscusRoomRow | QiscusCommentRow;

export interface RowsCheck<T> {
  readonly rows: readonly T[];
  readonly errors: readonly ImportRowError[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PRINTABLE_ID = /^[\x21-\x7e]{1,200}$/;
const COMMENT_TYPE = /^(?!system)[a-z][a-z0-9_]{0,31}$/;
const MAX_EMAIL = 200;

export const emailKey = (email: string): string => email.trim().toLowerCase();

/** A row's fields by lower-cased key. */
type Fields = { readonly get: (key: string) => unknown; readonly has: (key: string) => boolean };

function fieldsOf(raw: unknown): Fields | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const map = new Map<string, unknown>();
  for (const [key, value] of Object.entries(raw)) map.set(key.toLowerCase(), value);
  return { get: (key) => map.get(key.toLowerCase()), has: (key) => map.has(key.toLowerCase()) };
}

class RowErrors {
  readonly list: ImportRowError[] = [];
  constructor(readonly row: number) {}
  add(field: string, reason: string): void {
    this.list.push({ row: this.row, field, reason });
  }
}

const blank = (value: unknown) => value === undefined || value === null || value === '';

function text(fields: Fields, key: string, errors: RowErrors, rule: { required: boolean; min: number; max: number }): string | null {
  const value = fields.get(key);
  if (blank(value)) {
    if (rule.required) errors.add(key, 'is required');
    return null;
  }
  if (typeof value !== 'string') {
    errors.add(key, 'must be a string');
    return null;
  }
  const trimmed = value.trim();
  if (trimmed.length < rule.min || trimmed.length > rule.max) {
    errors.add(key, `must be ${rule.min} to ${rule.max} characters`);
    return null;
  }
  return trimmed;
}

function email(fields: Fields, key: string, errors: RowErrors): string | null {
  const value = text(fields, key, errors, { required: true, min: 3, max: MAX_EMAIL });
  if (value === null) return null;
  if (!EMAIL.test(value)) {
    errors.add(key, 'must be an email address');
    return null;
  }
  return emailKey(value);
}

function time(fields: Fields, keys: readonly string[], errors: RowErrors): string | null {
  const key = keys.find((k) => fields.has(k)) ?? keys[0]!;
  const value = fields.get(key);
  if (blank(value)) return null;
  const parsed = typeof value === 'string' ? parseJobDate(value) : null;
  if (parsed === null) errors.add(key, 'must be an ISO 8601 time, e.g. 2017-05-10T11:46:30Z');
  return parsed;
}

function printableId(fields: Fields, key: string, errors: RowErrors): string | null {
  const value = fields.get(key);
  if (blank(value)) {
    errors.add(key, 'is required');
    return null;
  }
  if (typeof value !== 'string' || !PRINTABLE_ID.test(value)) {
    errors.add(key, 'must be 1-200 printable ASCII characters');
    return null;
  }
  return value;
}

function notAnObject(row: number): ImportRowError {
  return { row, field: '(row)', reason: 'must be a JSON object' };
}

function checkUser(raw: unknown, row: number): { row?: QiscusUserRow; errors: ImportRowError[] } {
  const fields = fieldsOf(raw);
  if (!fields) return { errors: [notAnObject(row)] };
  const errors = new RowErrors(row);
  const address = email(fields, 'Email', errors);
  const name = text(fields, 'Name', errors, { required: false, min: 1, max: 100 });
  const password = text(fields, 'Password', errors, { required: false, min: 8, max: 200 });
  const createdAt = time(fields, ['CreateAt', 'CreatedAt'], errors);
  if (errors.list.length > 0 || address === null) return { errors: errors.list };
  return {
    row: { row, email: address, name: name ?? address.slice(0, address.indexOf('@')).slice(0, 100), password, createdAt },
    errors: [],
  };
}

function checkRoom(raw: unknown, row: number): { row?: QiscusRoomRow; errors: ImportRowError[] } {
  const fields = fieldsOf(raw);
  if (!fields) return { errors: [notAnObject(row)] };
  const errors = new RowErrors(row);
  const uniqueId = text(fields, 'UniqueId', errors, { required: true, min: 1, max: 200 });
  const type = fields.get('Type');
  let kind: RoomKind = 'group';
  if (type === 'single') kind = 'direct';
  else if (!blank(type) && type !== 'group') errors.add('Type', 'must be single or group');
  const name = kind === 'group' ? text(fields, 'Name', errors, { required: true, min: 1, max: 200 }) : '';
  const creator = email(fields, 'CreatorEmail', errors);
  const listed = fields.get('ParticipantEmails');
  let participants: string[] = [];
  if (!blank(listed)) {
    if (!Array.isArray(listed) || listed.some((p) => typeof p !== 'string' || !EMAIL.test(p.trim()) || p.length > MAX_EMAIL)) {
      errors.add('ParticipantEmails', 'must be an array of email addresses');
    } else {
      participants = [...new Set((listed as string[]).map(emailKey))].filter((p) => p !== creator);
      if (participants.length + 1 > MAX_ROOM_MEMBERS) {
        errors.add('ParticipantEmails', `a room holds at most ${MAX_ROOM_MEMBERS} members`);
      }
    }
  }
  if (kind === 'direct' && creator !== null && participants.length !== 1) {
    errors.add('ParticipantEmails', 'a single room has exactly two participants, one of them the creator');
  }
  const avatar = fields.get('AvatarUrl');
  let avatarUrl: string | null = null;
  if (!blank(avatar)) {
    if (typeof avatar !== 'string' || avatar.length > 2000 || !/^https?:\/\/[^\s]+$/.test(avatar)) {
      errors.add('AvatarUrl', 'must be an http(s) URL of at most 2000 characters');
    } else {
      avatarUrl = avatar;
    }
  }
  const createdAt = time(fields, ['CreatedAt', 'CreateAt'], errors);
  if (errors.list.length > 0 || uniqueId === null || name === null || creator === null) return { errors: errors.list };
  return {
    row: { row, uniqueId, kind, name, creatorEmail: creator, participantEmails: participants, avatarUrl, createdAt },
    errors: [],
  };
}

function checkComment(raw: unknown, row: number): { row?: QiscusCommentRow; errors: ImportRowError[] } {
  const fields = fieldsOf(raw);
  if (!fields) return { errors: [notAnObject(row)] };
  const errors = new RowErrors(row);
  const uniqueId = printableId(fields, 'UniqueId', errors);
  const roomUniqueId = text(fields, 'RoomUniqueId', errors, { required: true, min: 1, max: 200 });
  const creator = email(fields, 'CreatorEmail', errors);
  const message = fields.get('Message');
  if (typeof message !== 'string' || message.length < 1 || message.length > 10000) {
    errors.add('Message', 'must be a string of 1 to 10000 characters');
  }
  const type = fields.get('Type');
  let commentType = 'text';
  if (!blank(type)) {
    if (typeof type !== 'string' || !COMMENT_TYPE.test(type)) {
      errors.add('Type', 'must be 1-32 lowercase letters, digits or "_", and not a system type');
    } else {
      commentType = type;
    }
  }
  const rawPayload = fields.get('Payload');
  let payload: Record<string, unknown> | null = null;
  if (!blank(rawPayload)) {
    const violation =
      typeof rawPayload !== 'object' || Array.isArray(rawPayload) ? null : jsonLimitViolation(rawPayload, PAYLOAD_LIMITS);
    if (typeof rawPayload !== 'object' || Array.isArray(rawPayload)) errors.add('Payload', 'must be an object or null');
    else if (violation !== null) errors.add('Payload', violation);
    else payload = rawPayload as Record<string, unknown>;
  }
  const parent = fields.get('ParentCommentUniqueId');
  let parentUniqueId: string | null = null;
  if (!blank(parent)) {
    if (typeof parent !== 'string' || parent.length > 200) errors.add('ParentCommentUniqueId', 'must be a string of at most 200 characters');
    else parentUniqueId = parent;
  }
  if (commentType === 'reply' && parentUniqueId === null && !errors.list.some((e) => e.field === 'ParentCommentUniqueId')) {
    errors.add('ParentCommentUniqueId', 'is required for a reply');
  }
  const createdAt = time(fields, ['CreatedAt', 'CreateAt'], errors);
  if (errors.list.length > 0 || uniqueId === null || roomUniqueId === null || creator === null || typeof message !== 'string') {
    return { errors: errors.list };
  }
  return {
    row: { row, uniqueId, roomUniqueId, creatorEmail: creator, message, commentType, payload, parentUniqueId, createdAt },
    errors: [],
  };
}

/**
 * Checks every row of a file. `rows` holds the rows that passed; a row that
 * repeats an earlier row's key (Email, UniqueId) or answers a comment that
 * comes later in the file is refused.
 */
export function checkQiscusRows(resource: 'users', raw: readonly unknown[]): RowsCheck<QiscusUserRow>;
export function checkQiscusRows(resource: 'rooms', raw: readonly unknown[]): RowsCheck<QiscusRoomRow>;
export function checkQiscusRows(resource: 'comments', raw: readonly unknown[]): RowsCheck<QiscusCommentRow>;
export function checkQiscusRows(resource: JobResource, raw: readonly unknown[]): RowsCheck<QiscusRow>;
export function checkQiscusRows(resource: JobResource, raw: readonly unknown[]): RowsCheck<QiscusRow> {
  const rows: QiscusRow[] = [];
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  const commentRows = new Map<string, number>();
  if (resource === 'comments') {
    raw.forEach((item, index) => {
      const id = fieldsOf(item)?.get('UniqueId');
      if (typeof id === 'string' && !commentRows.has(id)) commentRows.set(id, index + 1);
    });
  }
  raw.forEach((item, index) => {
    const row = index + 1;
    const checked = resource === 'users' ? checkUser(item, row) : resource === 'rooms' ? checkRoom(item, row) : checkComment(item, row);
    const found = [...checked.errors];
    const key = checked.row ? ('email' in checked.row ? checked.row.email : checked.row.uniqueId) : null;
    const keyField = resource === 'users' ? 'Email' : 'UniqueId';
    if (key !== null) {
      const first = seen.get(key);
      if (first !== undefined) found.push({ row, field: keyField, reason: `repeats row ${first}` });
      else seen.set(key, row);
    }
    if (checked.row && 'parentUniqueId' in checked.row && checked.row.parentUniqueId !== null) {
      const parentRow = commentRows.get(checked.row.parentUniqueId);
      if (parentRow !== undefined && parentRow >= row) {
        found.push({ row, field: 'ParentCommentUniqueId', reason: `names row ${parentRow}; a parent must come earlier in the file` });
      }
    }
    if (found.length > 0) errors.push(...found);
    else if (checked.row) rows.push(checked.row);
  });
  return { rows, errors };
}

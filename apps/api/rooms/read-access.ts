import { notFound, validationError } from '../../../libs/domain/errors';
import type { Doc, ReadStore, Scalar } from '../../../libs/read-store/read-store.port';
import { membershipId } from '../../../projections/memberships.projection';

/**
 * The caller's active membership; a non-member learns nothing about the room
 * (404). The application owning a room reads it as its owner, without being
 * a member (the room decider's rule, on the read side).
 */
export async function requireMembership(readStore: ReadStore, roomId: string, userId: string): Promise<Doc> {
  if (userId.startsWith('application:')) {
    const room = await readStore.get('rooms', roomId);
    if (!room || `application:${String(room['applicationId'])}` !== userId) throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return { id: membershipId(roomId, userId), roomId, userId, active: true, role: 'owner', muted: false, lastReadSeq: 0, lastSeq: 0, markedUnread: false };
  }
  const membership = await readStore.get('memberships', membershipId(roomId, userId));
  if (!membership || membership['active'] !== true) throw notFound('ROOM.NOT_FOUND', 'Room not found');
  return membership;
}

/** The room, for an administrator who reads any room without being a member. */
export async function requireRoomDoc(readStore: ReadStore, roomId: string): Promise<Doc> {
  const room = await readStore.get('rooms', roomId);
  if (!room) throw notFound('ROOM.NOT_FOUND', 'Room not found');
  return room;
}

export const encodeCursor = (values: readonly Scalar[]): string =>
  Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

/** What one value of a keyset cursor must be: its sort key's type in the read model. */
export type CursorValue = 'string' | 'string-or-null' | 'revision';

const CURSOR_VALUE_FITS: { readonly [K in CursorValue]: (value: unknown) => boolean } = {
  string: (value) => typeof value === 'string',
  'string-or-null': (value) => value === null || typeof value === 'string',
  revision: (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0,
};

/**
 * The values of a cursor this API handed out, checked against the shape of
 * the sort it continues (`['string', 'string']` for a time and an id): a
 * cursor of the right length but the wrong types is refused here, never
 * handed to the read store.
 */
export function decodeCursor(cursor: string, shape: readonly CursorValue[]): Scalar[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === shape.length && shape.every((kind, i) => CURSOR_VALUE_FITS[kind](values[i]))) {
      return values as Scalar[];
    }
  } catch {
    // fall through to the refusal below
  }
  throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [
    { field: 'cursor', reason: 'is malformed' },
  ]);
}

import { notFound, validationError } from '../../../libs/domain/errors';
import type { Doc, ReadStore, Scalar } from '../../../libs/read-store/read-store.port';
import { membershipId } from '../../../projections/memberships.projection';

/** The caller's active membership; a non-member learns nothing about the room (404). */
export async function requireMembership(readStore: ReadStore, roomId: string, userId: string): Promise<Doc> {
  const membership = await readStore.get('memberships', membershipId(roomId, userId));
  if (!membership || membership['active'] !== true) throw notFound('ROOM.NOT_FOUND', 'Room not found');
  return membership;
}

export const encodeCursor = (values: readonly Scalar[]): string =>
  Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

export function decodeCursor(cursor: string, length: number): Scalar[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    ) {
      return values as Scalar[];
    }
  } catch {
    // fall through to the refusal below
  }
  throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [
    { field: 'cursor', reason: 'is malformed' },
  ]);
}

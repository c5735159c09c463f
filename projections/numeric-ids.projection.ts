import type { Projection } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

export const NUMERIC_IDS = 'numeric_ids';

/**
 * Some seeds name users and threads by number (Warmshowers' `uid` and
 * `thread_id`). A number is derived from the Parley id (its first 13 hex
 * digits, below 2^53); this read model maps it back: one document per
 * user and per room, `<kind>:<number>` → the Parley id.
 */
export const numericId = (uuid: string): number => Number.parseInt(uuid.replace(/-/g, '').slice(0, 13), 16);
export const numericKey = (kind: 'user' | 'room', n: number): string => `${kind}:${n}`;

export const numericIdsProjection: Projection = {
  name: 'numericIds',
  version: 1,
  collections: [{ name: NUMERIC_IDS, indexes: [] }],
  handlers: {
    UserRegistered: (event, ctx) =>
      ctx.update(NUMERIC_IDS, numericKey('user', numericId(event.data.userId)), (doc) => revised(doc, { target: event.data.userId }), () => ({ id: numericKey('user', numericId(event.data.userId)) })),
    PhoneAccountCreated: (event, ctx) =>
      ctx.update(NUMERIC_IDS, numericKey('user', numericId(event.data.userId)), (doc) => revised(doc, { target: event.data.userId }), () => ({ id: numericKey('user', numericId(event.data.userId)) })),
    RoomCreated: (event, ctx) =>
      ctx.update(NUMERIC_IDS, numericKey('room', numericId(event.data.roomId)), (doc) => revised(doc, { target: event.data.roomId }), () => ({ id: numericKey('room', numericId(event.data.roomId)) })),
  },
};

import { validationError } from '../../../libs/domain/errors';
import { parsePosition, type EventStore, type Position } from '../../../libs/event-store/event-store.port';

/** The codes a call site answers with: `<AREA>.<...>_INVALID` and `<AREA>.<...>_AHEAD`. */
export interface PositionCodes {
  readonly invalid: string;
  readonly ahead: string;
}

/**
 * A log position a client sent (a feed's `Last-Event-ID`, a replay's `from`),
 * checked by the store before anything reads from it: past the head, or not a
 * position of this log (on EventStoreDB, a packed pair that names no event),
 * is a 400 naming the field. The store would otherwise refuse the read
 * deep inside a stream or a retrying worker, as a 500 or a loop.
 */
export async function clientPosition(store: EventStore, text: string, field: string, codes: PositionCodes): Promise<Position> {
  const position = parsePosition(text.trim());
  if (position === null) {
    throw validationError(codes.invalid, `${field} must be a position this API sent`, [{ field, reason: 'must be a decimal position' }]);
  }
  switch (await store.checkPosition(position)) {
    case 'issued':
      return position;
    case 'ahead':
      throw validationError(codes.ahead, `${field} is past the end of the log`, [
        { field, reason: `no event has been written at ${position.toString()} yet` },
      ]);
    case 'not_issued':
      throw validationError(codes.invalid, `${field} must be a position this API sent`, [
        { field, reason: `${position.toString()} is no position of this log` },
      ]);
  }
}

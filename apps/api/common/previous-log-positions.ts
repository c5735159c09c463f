import { Inject, Injectable } from '@nestjs/common';
import { validationError } from '../../../libs/domain/errors';
import { parsePosition, type Position } from '../../../libs/event-store/event-store.port';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { PositionMap } from '../../../libs/streaming/position-map';
import { READ_STORE } from '../infrastructure/tokens';

/**
 * A position a client kept from the log Parley ran on before a move
 * (docs/operations/moving-to-production.md): a feed's last event id, an
 * export's last line, a webhook's last delivery. `fromPreviousLog` on the
 * feed, `GET /v1/admin/events` and a webhook replay takes it once, after the
 * move, and translates it through `position_map`; from then on the client
 * holds positions of the new log. Refusals are 400s naming the field:
 * `POSITION.PREVIOUS_LOG_INVALID` (not a decimal position),
 * `POSITION.NO_PREVIOUS_LOG` (no import recorded a previous log here),
 * `POSITION.BEYOND_PREVIOUS_LOG` (past the last event the import carried:
 * what the client saw after it is not in this log, and no position stands
 * for it).
 */
@Injectable()
export class PreviousLogPositions {
  private readonly map: PositionMap;

  constructor(@Inject(READ_STORE) readStore: ReadStore) {
    this.map = new PositionMap(readStore);
  }

  /**
   * Where a client that had read the previous log through `text` goes on:
   * read strictly after the answer. `from`, a position of this log sent
   * with it, is refused with 400 `conflict`: a client names one start.
   */
  async after(text: string, field: string, from: { readonly text: string | undefined; readonly conflict: string }): Promise<Position> {
    refuseBoth(from, field);
    const old = await this.checked(text, field);
    const translation = await this.map.translate(old);
    if (translation.kind === 'beyond') throw beyond(field, old, translation.lastImported);
    return translation.position;
  }

  /** Where a read that was to start at `text` (inclusive) in the previous log starts in this one; `from` as in `after`. */
  async from(text: string, field: string, from: { readonly text: string | undefined; readonly conflict: string }): Promise<Position> {
    refuseBoth(from, field);
    const old = await this.checked(text, field);
    const next = await this.map.firstAtOrAfter(old);
    if (next === null) throw beyond(field, old, await this.map.lastOld());
    return next;
  }

  private async checked(text: string, field: string): Promise<Position> {
    const old = parsePosition(text.trim());
    if (old === null) {
      throw validationError('POSITION.PREVIOUS_LOG_INVALID', `${field} must be a position of the previous log`, [
        { field, reason: 'must be a decimal position' },
      ]);
    }
    if ((await this.map.bounds()) === null) {
      throw validationError('POSITION.NO_PREVIOUS_LOG', 'No import into this log recorded the positions of a previous log', [
        { field, reason: 'this log was not moved here from another: send the position as from' },
      ]);
    }
    return old;
  }
}

function refuseBoth(from: { readonly text: string | undefined; readonly conflict: string }, field: string): void {
  if (from.text === undefined || from.text === '') return;
  throw validationError(from.conflict, `Send from or ${field}, not both`, [{ field, reason: 'cannot be combined with from' }]);
}

function beyond(field: string, old: Position, lastImported: Position | null) {
  return validationError('POSITION.BEYOND_PREVIOUS_LOG', `${field} is past the last event imported from the previous log`, [
    {
      field,
      reason: `${old.toString()} is after ${lastImported?.toString() ?? 'every'} imported event: what followed it in the previous log is not in this one`,
    },
  ]);
}

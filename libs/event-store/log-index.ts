import type { EventStore, Position } from './event-store.port';

/**
 * What an adapter can answer beside the EventStore port, for the audit
 * console's filtered log pages: where in the log events of a type, or of
 * streams with a prefix, are, without reading the events between. The
 * embedded store answers from indexes on its table, EventStoreDB from its
 * system projections' `$et-`/`$ce-` streams where the server runs them
 * (EVENTSTORE_LOG_INDEX); a store without it (memory, EventStoreDB without
 * them) is read in order instead, a bounded number of events a page. Not part of the port: no command or projection depends on
 * it, and an adapter need not offer it.
 */
export interface LogIndex {
  /** Positions in (after, to] of the events of `type`, ascending, at most `maxCount`. */
  positionsOfType(type: string, after: Position, to: Position, maxCount: number): Promise<Position[]>;
  /**
   * Positions in (after, to] of the events whose stream id starts with
   * `prefix`, ascending, at most `maxCount`; null where the prefix covers so
   * much of the log that reading it in order is the cheaper way.
   */
  positionsInStreams(prefix: string, after: Position, to: Position, maxCount: number): Promise<Position[] | null>;
  /** False where the adapter could answer but its server does not keep the index (EventStoreDB without system projections). */
  readonly logIndexAvailable?: boolean;
}

export const hasLogIndex = (store: EventStore): store is EventStore & LogIndex =>
  typeof (store as Partial<LogIndex>).positionsOfType === 'function' &&
  typeof (store as Partial<LogIndex>).positionsInStreams === 'function' &&
  (store as Partial<LogIndex>).logIndexAvailable !== false;

/**
 * The least string greater than every string that starts with `prefix`, in
 * code point order (SQLite's binary order of UTF-8): the prefix with its
 * last code point raised by one; null when there is none (an empty prefix,
 * or one of U+10FFFF only).
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Surrogate code points are no characters: the next one after U+D7FF is U+E000.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}

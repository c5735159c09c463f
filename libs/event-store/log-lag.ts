import type { EventStore, Position } from './event-store.port';

/** How far a reader (the read models, a projector) trails the log. */
export interface LogLag {
  /** Events after the reader's position, where the store can count them (the embedded ones); else null. */
  readonly events: number | null;
  /** Seconds since the oldest event the reader has not passed was recorded; 0 when caught up. */
  readonly secondsBehind: number;
}

/**
 * Lag told without subtracting positions (EventStoreDB's are packed pairs:
 * their difference counts nothing): a count where the store gives one, and
 * always the age of the first event not yet passed.
 */
export async function logLag(store: EventStore, after: Position | null, now: number = Date.now()): Promise<LogLag> {
  const from = after ?? undefined;
  const [events, [oldest]] = await Promise.all([store.countAfter(from), store.readAll({ after: from, maxCount: 1 })]);
  return {
    events: oldest === undefined ? 0 : events,
    secondsBehind: oldest === undefined ? 0 : Math.max(0, Math.round((now - Date.parse(oldest.recordedAt)) / 1000)),
  };
}

/**
 * Events after `after`, counted up to `cap` (a larger count reads as `cap`):
 * the store's own count where it has one (the embedded stores count index
 * entries, reading no event), else the events themselves, at most `cap`.
 * A scrape of /metrics or a call of /health asks this for every checkpoint,
 * so it must not read thousands of envelopes while the projector trails.
 */
export async function countBehind(store: EventStore, after: Position | undefined, cap: number): Promise<number> {
  const counted = await store.countAfter(after);
  if (counted !== null) return Math.min(counted, cap);
  return (await store.readAll({ after, maxCount: cap })).length;
}

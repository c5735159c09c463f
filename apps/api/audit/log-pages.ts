import { Inject, Injectable } from '@nestjs/common';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { RAW_EVENT_STORE } from '../infrastructure/tokens';

export interface LogFilter {
  readonly types?: ReadonlySet<string>;
  readonly streamPrefix?: string;
  readonly actor?: string;
  readonly correlationId?: string;
  readonly since?: string;
  readonly until?: string;
  /** Inclusive upper bound of the position range. */
  readonly to?: Position;
}

export interface LogPage {
  readonly items: readonly StoredEvent[];
  /** Pass as `after` for the next page; null once the page reached the head or `to`. */
  readonly next: Position | null;
  readonly scanned: number;
  readonly head: Position | null;
}

export interface RoomChange {
  readonly position: string;
  readonly type: string;
  readonly recordedAt: string;
}

const BATCH = 1000;
/**
 * Events read per page at most: a filter that matches rarely answers a partial
 * page and a `next` to go on from (10,000 events read in about 250 ms on the
 * development machine, bench/console.bench.ts).
 */
export const SCAN_MAX = 10_000;
const STREAM_PAGE = 500;
const COMMENT_CHANGES = 1000;

/**
 * The log as pages for the console: in log order from a position, filtered
 * by type, stream prefix, actor, correlation id, time and position range.
 * Filters other than position have no index, so a page reads at most
 * SCAN_MAX events and says where it stopped. Events come as stored (personal
 * fields sealed); the controller redacts secrets.
 */
@Injectable()
export class LogPages {
  constructor(@Inject(RAW_EVENT_STORE) private readonly store: EventStore) {}

  async page(after: Position, limit: number, filter: LogFilter): Promise<LogPage> {
    const head = await this.store.headPosition();
    const items: StoredEvent[] = [];
    let cursor = after;
    let scanned = 0;
    const end = filter.to !== undefined && head !== null && filter.to < head ? filter.to : head;
    // Without a filter every event read is shown: read no more than the page.
    const unfiltered = Object.entries(filter).every(([name, value]) => name === 'to' || value === undefined);
    while (end !== null && cursor < end && items.length < limit && scanned < SCAN_MAX) {
      const batch = await this.store.readAll({ after: cursor, maxCount: Math.min(unfiltered ? limit - items.length : BATCH, SCAN_MAX - scanned) });
      if (batch.length === 0) break;
      for (const event of batch) {
        if (event.position > end) {
          cursor = end;
          break;
        }
        scanned++;
        cursor = event.position;
        if (matches(event, filter)) items.push(event);
        if (items.length >= limit) break;
      }
    }
    return { items, next: end === null || cursor >= end ? null : cursor, scanned, head };
  }

  /** The positions at which a room changed (its own events and its latest comments), oldest first: the console's slider. */
  async roomChanges(roomId: string): Promise<RoomChange[] | null> {
    const changes: StoredEvent[] = [];
    for (let from = 0; ; from += STREAM_PAGE) {
      const page = await this.store.readStream(streams.room(roomId), { fromRevision: from, maxCount: STREAM_PAGE });
      changes.push(...page);
      if (page.length < STREAM_PAGE) break;
    }
    if (changes.length === 0) return null;
    const head = await this.store.streamRevision(streams.comments(roomId));
    if (head !== null) {
      const comments = await this.store.readStream(streams.comments(roomId), {
        direction: 'backwards',
        fromRevision: head,
        maxCount: COMMENT_CHANGES,
      });
      changes.push(...comments);
    }
    return changes
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
      .map((event) => ({ position: event.position.toString(), type: event.type, recordedAt: event.recordedAt }));
  }
}

function matches(event: StoredEvent, filter: LogFilter): boolean {
  return (
    (filter.types === undefined || filter.types.has(event.type)) &&
    (filter.streamPrefix === undefined || event.streamId.startsWith(filter.streamPrefix)) &&
    (filter.actor === undefined || event.metadata.actor === filter.actor) &&
    (filter.correlationId === undefined || event.metadata.correlationId === filter.correlationId) &&
    (filter.since === undefined || event.recordedAt >= filter.since) &&
    (filter.until === undefined || event.recordedAt < filter.until)
  );
}

import { Inject, Injectable } from '@nestjs/common';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { hasLogIndex } from '../../../libs/event-store/log-index';
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
 * development machine, bench/console.bench.ts). Where the store indexes the
 * type or the stream prefix (LogIndex), only the events the index names are
 * read, so a rare type fills its page however far apart its events are.
 */
export const SCAN_MAX = 10_000;
const STREAM_PAGE = 500;
const COMMENT_CHANGES = 1000;

/** The events to look at after a position, up to an end, in log order: the log itself, or those an index names. */
type Candidates = (after: Position, end: Position) => AsyncGenerator<StoredEvent>;

/**
 * The log as pages for the console: in log order from a position, filtered
 * by type, stream prefix, actor, correlation id, time and position range.
 * A page reads at most SCAN_MAX events and says where it stopped. Events come
 * as stored (personal fields sealed); the controller redacts secrets.
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
    if (end !== null && cursor < end) {
      // Without a filter every event read is shown: read no more than the page.
      const unfiltered = Object.entries(filter).every(([name, value]) => name === 'to' || value === undefined);
      const candidates = (await this.indexed(filter)) ?? this.inOrder(unfiltered ? limit : BATCH);
      let reachedEnd = true;
      for await (const event of candidates(cursor, end)) {
        if (event.position > end) break;
        scanned++;
        cursor = event.position;
        if (matches(event, filter)) items.push(event);
        if (items.length >= limit || scanned >= SCAN_MAX) {
          reachedEnd = false;
          break;
        }
      }
      // Nothing more matches up to the end: this page is the last.
      if (reachedEnd) cursor = end;
    }
    return { items, next: end === null || cursor >= end ? null : cursor, scanned, head };
  }

  private inOrder(batch: number): Candidates {
    const store = this.store;
    return async function* (after, end) {
      for (let cursor = after; cursor < end; ) {
        const events = await store.readAll({ after: cursor, maxCount: batch });
        if (events.length === 0) return;
        yield* events;
        cursor = events[events.length - 1]!.position;
      }
    };
  }

  /**
   * The events of the filter's types (or, without types, of its stream
   * prefix) in log order, from the store's index: each type's next positions
   * merged, and only the events read that the page looks at. Null where the
   * store has no index or the prefix is too common for one.
   */
  private async indexed(filter: LogFilter): Promise<Candidates | null> {
    const store = this.store;
    if (!hasLogIndex(store)) return null;
    let positions: (after: Position, end: Position) => Promise<Position[]>;
    if (filter.types !== undefined) {
      const types = [...filter.types];
      positions = async (after, end) => {
        const lists = await Promise.all(types.map((type) => store.positionsOfType(type, after, end, BATCH)));
        // Each list ascends, so the first BATCH of their union are among the first BATCH of each.
        return lists
          .flat()
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .slice(0, BATCH);
      };
    } else if (filter.streamPrefix !== undefined && filter.streamPrefix !== '') {
      const prefix = filter.streamPrefix;
      const head = await store.headPosition();
      if (head === null || (await store.positionsInStreams(prefix, 0n, head, 1)) === null) return null;
      positions = async (after, end) => (await store.positionsInStreams(prefix, after, end, BATCH)) ?? [];
    } else return null;
    return async function* (after, end) {
      for (let cursor = after; cursor < end; ) {
        const found = await positions(cursor, end);
        for (const position of found) {
          const [event] = await store.readAll({ from: position, maxCount: 1 });
          if (event !== undefined) yield event;
        }
        if (found.length < BATCH) return;
        cursor = found[found.length - 1]!;
      }
    };
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

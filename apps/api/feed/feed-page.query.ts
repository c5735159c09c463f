import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore, Position } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from '../infrastructure/tokens';
import { canSee, FeedAudience, type FeedMessage } from './feed-audience';

export interface FeedPage {
  /** What the user may see after the position asked, of the types asked, oldest first. */
  readonly items: readonly FeedMessage[];
  /** The last position read: the next page starts after it (the position asked when nothing was read). */
  readonly through: Position;
}

/** Events read per step; a page reads at most `SCAN_STEPS` of them before it answers what it found. */
const STEP = 500;
const SCAN_STEPS = 20;

/**
 * The feed as pages instead of a stream, for clients that poll (Qiscus'
 * client SDK syncs so when it has no realtime connection): what `userId`
 * may see after `after`, by the same audience rules as the live feed
 * (deleted comments as tombstones). A page ends at `limit` items or after
 * a bounded read of the log, so a poll after a long absence costs the same
 * as any other; `through` says where to go on.
 */
export class FeedPageQuery extends Query<FeedPage> {
  constructor(
    readonly userId: string,
    readonly after: Position,
    readonly types: readonly string[],
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(FeedPageQuery)
export class FeedPageHandler implements IQueryHandler<FeedPageQuery, FeedPage> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly audience: FeedAudience,
  ) {}

  async execute({ userId, after, types, limit }: FeedPageQuery): Promise<FeedPage> {
    const wanted = new Set(types);
    const items: FeedMessage[] = [];
    let through = after;
    for (let step = 0; step < SCAN_STEPS && items.length < limit; step++) {
      const batch = await this.store.readAll({ after: through, maxCount: STEP });
      if (batch.length === 0) break;
      const relevant = batch.filter((event) => wanted.has(event.type));
      for (const item of await this.audience.resolve(relevant)) {
        if (!canSee(item, userId)) continue;
        items.push(item.message);
        if (items.length === limit) {
          return { items, through: item.position };
        }
      }
      through = batch[batch.length - 1]!.position;
      if (batch.length < STEP) break;
    }
    return { items, through };
  }
}

/** The log's head: where a client that polls the feed starts when it wants only what comes next (null: an empty log). */
export class FeedHeadQuery extends Query<Position | null> {}

@QueryHandler(FeedHeadQuery)
export class FeedHeadHandler implements IQueryHandler<FeedHeadQuery, Position | null> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute(): Promise<Position | null> {
    return this.store.headPosition();
  }
}

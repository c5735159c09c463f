import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { packsPositions, type ParleyConfig } from '../../../libs/config/config';
import { aliasOf, positionOfAlias } from '../../../libs/domain/aliases';
import type { Position } from '../../../libs/event-store/event-store.port';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { PositionMap } from '../../../libs/streaming/position-map';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';

/*
 * A poller's integer cursor (the Qiscus SDK's `last_received_comment_id` and
 * `start_event_id`) and the log position it stands for, across a move of the
 * log to a store with positions of its own (docs/operations/moving-to-production.md).
 *
 * Before a move a cursor is the position's alias (libs/domain/aliases.ts).
 * After it, a cursor a client kept from before is an old position: at or
 * before the last imported event's old position it goes through
 * `position_map` to the new position after which the client reads on. A
 * position inside the imported stretch is answered as its old position
 * again, so a client polling across the move stays in one space of numbers
 * and never jumps; past it, the cursor is the new position's alias. Those are
 * larger than every old position (EventStoreDB's prepare parts are byte
 * offsets of a log that first holds every imported event; `memory:packed`
 * counts events), so a cursor says by its size which space it is in.
 */

/** The position a cursor stands for: the next page reads the log after it. */
export class FeedCursorPositionQuery extends Query<Position> {
  constructor(readonly cursor: number) {
    super();
  }
}

/** The cursor to hand a poller that has read the log through `position`. */
export class FeedCursorQuery extends Query<number> {
  constructor(readonly position: Position) {
    super();
  }
}

/** How long a process trusts "no import recorded": an import runs with the API stopped, so this only bounds a stale answer. */
const NO_MAP_TRUST_MS = 60_000;

abstract class CursorSpace {
  private readonly map: PositionMap;
  private known: { bounds: { lastOld: Position; lastNew: Position } | null; at: number } | null = null;

  constructor(
    protected readonly config: ParleyConfig,
    readStore: ReadStore,
  ) {
    this.map = new PositionMap(readStore);
  }

  protected async bounds(): Promise<{ lastOld: Position; lastNew: Position } | null> {
    if (this.known !== null && (this.known.bounds !== null || Date.now() - this.known.at < NO_MAP_TRUST_MS)) return this.known.bounds;
    const bounds = await this.map.bounds();
    this.known = { bounds, at: Date.now() };
    return bounds;
  }

  protected async toPosition(cursor: bigint): Promise<Position> {
    if (cursor === 0n) return 0n;
    const bounds = await this.bounds();
    if (bounds !== null && cursor <= bounds.lastOld) {
      const translation = await this.map.translate(cursor);
      if (translation.kind === 'mapped') return translation.position;
    }
    return positionOfAlias(cursor, packsPositions(this.config.eventStore));
  }

  protected async toCursor(position: Position): Promise<number> {
    const bounds = await this.bounds();
    if (bounds !== null && position <= bounds.lastNew) {
      const old = await this.map.reverse(position);
      if (old !== null) return Number(old);
    }
    return aliasOf(position);
  }
}

@QueryHandler(FeedCursorPositionQuery)
export class FeedCursorPositionHandler extends CursorSpace implements IQueryHandler<FeedCursorPositionQuery, Position> {
  constructor(@Inject(PARLEY_CONFIG) config: ParleyConfig, @Inject(READ_STORE) readStore: ReadStore) {
    super(config, readStore);
  }

  execute({ cursor }: FeedCursorPositionQuery): Promise<Position> {
    return this.toPosition(BigInt(cursor));
  }
}

@QueryHandler(FeedCursorQuery)
export class FeedCursorHandler extends CursorSpace implements IQueryHandler<FeedCursorQuery, number> {
  constructor(@Inject(PARLEY_CONFIG) config: ParleyConfig, @Inject(READ_STORE) readStore: ReadStore) {
    super(config, readStore);
  }

  execute({ position }: FeedCursorQuery): Promise<number> {
    return this.toCursor(position);
  }
}

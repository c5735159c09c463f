import { Inject } from '@nestjs/common';
import { Query, QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { weekRange } from '../../../libs/domain/history-weeks';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { HISTORY_ROOMS, HISTORY_WEEKS } from '../../../projections/history-weeks.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { requireMembership, requireRoomDoc } from '../rooms/read-access';
import { ListCommentsQuery, type TimelinePage } from './comments.queries';

export interface HistoryWeekView {
  readonly year: number;
  readonly week: number;
  /** Comments of the week that stand (deleted ones not counted). */
  readonly count: number;
  /** Moves with every comment posted or deleted in the week. */
  readonly revision: number;
}

export interface HistoryWeeksView {
  readonly roomId: string;
  /** Moves with any change in any week of the room. */
  readonly revision: number;
  readonly weeks: readonly HistoryWeekView[];
}

/** Most comments one week answers at once; a busier week pages on with `after` on the comments route. */
export const WEEK_PAGE_MAX = 1000;

export class ListHistoryWeeksQuery extends Query<HistoryWeeksView> {
  constructor(
    readonly userId: string,
    readonly roomId: string,
    /** An administrator (`admin:rooms`), who reads any room without being a member. */
    readonly administrator = false,
  ) {
    super();
  }
}

/** The ISO weeks of a room's history that hold comments, oldest first (the history-weeks read model). */
@QueryHandler(ListHistoryWeeksQuery)
export class ListHistoryWeeksHandler implements IQueryHandler<ListHistoryWeeksQuery, HistoryWeeksView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, roomId, administrator }: ListHistoryWeeksQuery): Promise<HistoryWeeksView> {
    if (administrator) await requireRoomDoc(this.readStore, roomId);
    else await requireMembership(this.readStore, roomId, userId);
    const [room, weeks] = await Promise.all([
      this.readStore.get(HISTORY_ROOMS, roomId),
      this.readStore.find(HISTORY_WEEKS, { filter: { roomId }, sort: [{ field: 'key', direction: 'asc' }], fields: ['year', 'week', 'count', 'revision'] }),
    ]);
    return {
      roomId,
      revision: (room?.['revision'] as number | undefined) ?? 0,
      weeks: weeks
        .filter((doc) => (doc['count'] as number) > 0)
        .map((doc) => ({ year: doc['year'] as number, week: doc['week'] as number, count: doc['count'] as number, revision: doc['revision'] as number })),
    };
  }
}

export class HistoryWeekQuery extends Query<TimelinePage> {
  constructor(
    readonly userId: string,
    readonly roomId: string,
    readonly year: number,
    readonly week: number,
    readonly sessionId: string | null,
    readonly administrator = false,
  ) {
    super();
  }
}

/** One ISO week of a room's timeline, oldest first, under the same visibility and policy as any page of it. */
@QueryHandler(HistoryWeekQuery)
export class HistoryWeekHandler implements IQueryHandler<HistoryWeekQuery, TimelinePage> {
  constructor(private readonly queries: QueryBus) {}

  execute({ userId, roomId, year, week, sessionId, administrator }: HistoryWeekQuery): Promise<TimelinePage> {
    const { from, until } = weekRange(year, week);
    return this.queries.execute(new ListCommentsQuery(userId, roomId, { since: from, until, limit: WEEK_PAGE_MAX }, sessionId, administrator));
  }
}

import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound, validationError } from '../../../libs/domain/errors';
import { DEFAULT_HISTORY_VISIBILITY } from '../../../libs/domain/events';
import type { Doc, FindOptions, ReadStore } from '../../../libs/read-store/read-store.port';
import { timelineJoinId } from '../../../projections/timeline.projection';
import { userSummary, type UserSummary } from '../../../projections/users.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { cloudHistoryOff, historyServedFrom } from '../../../libs/domain/org/effective-policy';
import { OrgStates } from '../org/org-states';
import { requireMembership, requireRoomDoc } from '../rooms/read-access';
import { timelineItemView, type TimelineItemView } from './comment-views';

/** A timeline item with its sender as views show users: a removed account is "Deleted user". */
export type TimelineItemWithSender = TimelineItemView & { readonly sender: UserSummary };

export interface TimelinePage {
  readonly items: readonly TimelineItemWithSender[];
  /** Whether older items exist before the first one returned. */
  readonly hasMoreBefore: boolean;
  /** Whether newer items exist after the last one returned. */
  readonly hasMoreAfter: boolean;
}

export interface TimelineRange {
  readonly before?: number;
  readonly after?: number;
  /** Items before or after this `eventId` (an item's `ord`), system items included: for clients that name items, not comments. */
  readonly beforeEventId?: number;
  readonly afterEventId?: number;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
}

export class ListCommentsQuery extends Query<TimelinePage> {
  constructor(
    readonly userId: string,
    readonly roomId: string,
    readonly range: TimelineRange,
    /** The caller's sign-in (refresh-token family): a policy without cloud history serves only what came after it began. */
    readonly sessionId: string | null = null,
    /** An administrator (`admin:rooms`): any room's whole history, without being a member. */
    readonly administrator = false,
  ) {
    super();
  }
}

/**
 * A room's timeline, oldest first within the page. Without `after` or `since`
 * the page is the newest one (or the one just before `before`); `after` and
 * `since` page forwards. `before`/`after` name comment seqs; system items
 * between comments come with them.
 */
@QueryHandler(ListCommentsQuery)
export class ListCommentsHandler implements IQueryHandler<ListCommentsQuery, TimelinePage> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly org: OrgStates,
  ) {}

  async execute({ userId, roomId, range, sessionId, administrator }: ListCommentsQuery): Promise<TimelinePage> {
    const membership = administrator ? null : await requireMembership(this.readStore, roomId, userId);
    if (administrator) await requireRoomDoc(this.readStore, roomId);
    const servedFrom = administrator ? null : await this.servedFrom(userId, sessionId);
    const floor = membership === null ? 0 : Math.max(await this.visibleAfter(roomId, userId), await this.clearedThrough(roomId, membership));
    if (range.since && range.until && range.since >= range.until) {
      throw validationError('COMMENTS.RANGE_EMPTY', 'since must be earlier than until', [
        { field: 'since', reason: 'must be earlier than until' },
      ]);
    }
    const ord: { $gt?: number; $lt?: number } = {};
    if (range.before !== undefined) ord.$lt = await this.ordOf(roomId, range.before, 'before');
    if (range.after !== undefined) ord.$gt = range.after === 0 ? 0 : await this.ordOf(roomId, range.after, 'after');
    if (range.beforeEventId !== undefined) ord.$lt = Math.min(ord.$lt ?? Infinity, range.beforeEventId);
    if (range.afterEventId !== undefined) ord.$gt = Math.max(ord.$gt ?? 0, range.afterEventId);
    if (floor > 0) ord.$gt = Math.max(ord.$gt ?? 0, floor);
    const createdAt: { $gte?: string; $lt?: string } = {};
    if (range.since) createdAt.$gte = new Date(range.since).toISOString();
    if (range.until) createdAt.$lt = new Date(range.until).toISOString();
    if (servedFrom !== null && (createdAt.$gte === undefined || createdAt.$gte < servedFrom)) createdAt.$gte = servedFrom;
    const forwards =
      range.after !== undefined ||
      range.afterEventId !== undefined ||
      (range.since !== undefined && range.before === undefined && range.beforeEventId === undefined);
    const options: FindOptions = {
      filter: {
        roomId,
        ...(Object.keys(ord).length ? { ord } : {}),
        ...(Object.keys(createdAt).length ? { createdAt } : {}),
      },
      sort: [{ field: 'ord', direction: forwards ? 'asc' : 'desc' }],
      limit: range.limit + 1,
    };
    const found = await this.readStore.find('timeline', options);
    const more = found.length > range.limit;
    const page = found.slice(0, range.limit);
    if (!forwards) page.reverse();
    const users = await this.users(page);
    const names = new Map([...users.keys()].map((id) => [id, nameOf(userSummary(users.get(id), id))]));
    const first = page[0];
    const last = page[page.length - 1];
    const hasMoreBefore = forwards
      ? first !== undefined && (first['ord'] as number) > floor + 1
      : more;
    const hasMoreAfter = forwards ? more : last !== undefined && (await this.newerThan(roomId, last['ord'] as number));
    const items = page.map((doc) => {
      const senderId = doc['senderId'] as string;
      return { ...timelineItemView(doc, names), sender: userSummary(users.get(senderId), senderId) };
    });
    return { items, hasMoreBefore, hasMoreAfter };
  }

  /** The organisation's policy (`trillian.history.cloud 0`) may keep the caller's history from before this sign-in. */
  private async servedFrom(userId: string, sessionId: string | null): Promise<string | null> {
    const items = await this.org.policyOf(userId);
    if (!cloudHistoryOff(items)) return null;
    const session = sessionId === null ? null : await this.readStore.get('sessions', sessionId);
    return historyServedFrom(items, (session?.['createdAt'] as string | undefined) ?? null);
  }

  /**
   * The last `ord` the caller may not see: 0 in a `shared` room; in a
   * `joined` room, the room's last item before the caller (last) joined.
   */
  private async visibleAfter(roomId: string, userId: string): Promise<number> {
    const room = await this.readStore.get('rooms', roomId);
    if ((room?.['historyVisibility'] ?? DEFAULT_HISTORY_VISIBILITY) !== 'joined') return 0;
    const joined = await this.readStore.get('timeline_joins', timelineJoinId(roomId, userId));
    return (joined?.['afterOrd'] as number | undefined) ?? 0;
  }

  /** The last `ord` the member cleared for themselves (HistoryCleared): their comment at that seq. */
  private async clearedThrough(roomId: string, membership: Doc): Promise<number> {
    const seq = (membership['clearedThroughSeq'] as number | undefined) ?? 0;
    if (seq === 0) return 0;
    const [comment] = await this.readStore.find('timeline', { filter: { roomId, seq }, limit: 1 });
    return (comment?.['ord'] as number | undefined) ?? 0;
  }

  private async ordOf(roomId: string, seq: number, field: string): Promise<number> {
    const [comment] = await this.readStore.find('timeline', { filter: { roomId, seq }, limit: 1 });
    if (!comment) {
      throw validationError('COMMENTS.SEQ_UNKNOWN', `No comment with seq ${seq} in this room`, [
        { field, reason: `no comment with seq ${seq}` },
      ]);
    }
    return comment['ord'] as number;
  }

  private async newerThan(roomId: string, ord: number): Promise<boolean> {
    return (await this.readStore.find('timeline', { filter: { roomId, ord: { $gt: ord } }, limit: 1 })).length > 0;
  }

  /** The user documents of the page's senders and of the people its system items name. */
  private async users(page: readonly Doc[]): Promise<Map<string, Doc>> {
    const ids = new Set<string>();
    for (const doc of page) {
      ids.add(doc['senderId'] as string);
      if (doc['kind'] !== 'system') continue;
      const event = doc['systemEvent'] as { actorId: string; subjectId?: string };
      ids.add(event.actorId);
      if (event.subjectId) ids.add(event.subjectId);
    }
    if (ids.size === 0) return new Map();
    const users = await this.readStore.getMany('users', [...ids]);
    return new Map(users.map((u) => [u.id, u]));
  }
}

/** The name system texts use; a removed account reads "Deleted user". */
const nameOf = (user: UserSummary): string => user.displayName ?? user.username ?? user.userId;

export class GetCommentQuery extends Query<TimelineItemWithSender> {
  constructor(
    readonly userId: string,
    readonly roomId: string,
    readonly commentId: string,
  ) {
    super();
  }
}

/**
 * One comment of a room by id, as the timeline shows it; a comment the
 * caller may not see (not a member, before their joining in a `joined`
 * room, of another room) is a 404 like one that does not exist.
 */
@QueryHandler(GetCommentQuery)
export class GetCommentHandler implements IQueryHandler<GetCommentQuery, TimelineItemWithSender> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, roomId, commentId }: GetCommentQuery): Promise<TimelineItemWithSender> {
    const membership = await requireMembership(this.readStore, roomId, userId);
    const doc = await this.readStore.get('timeline', commentId);
    if (!doc || doc['roomId'] !== roomId || doc['kind'] !== 'comment') throw notFound('COMMENT.NOT_FOUND', 'Comment not found');
    // A comment the caller cleared for themselves is gone for them.
    if ((doc['seq'] as number) <= ((membership['clearedThroughSeq'] as number | undefined) ?? 0)) throw notFound('COMMENT.NOT_FOUND', 'Comment not found');
    const room = await this.readStore.get('rooms', roomId);
    if ((room?.['historyVisibility'] ?? DEFAULT_HISTORY_VISIBILITY) === 'joined') {
      const joined = await this.readStore.get('timeline_joins', timelineJoinId(roomId, userId));
      if ((doc['ord'] as number) <= ((joined?.['afterOrd'] as number | undefined) ?? 0)) {
        throw notFound('COMMENT.NOT_FOUND', 'Comment not found');
      }
    }
    const senderId = doc['senderId'] as string;
    const sender = await this.readStore.get('users', senderId);
    const summary = userSummary(sender, senderId);
    return { ...timelineItemView(doc, new Map([[senderId, nameOf(summary)]])), sender: summary };
  }
}

import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';
import { decodeCursor, encodeCursor } from './read-access';
import type { Page } from './rooms.queries';

/** One direct conversation of a user, as an administrator sees it. */
export interface AdminConversationView {
  /** The direct room: its history by week is the room's (`/v1/rooms/:roomId/history/weeks`). */
  readonly roomId: string;
  /** The other party; the user themselves for a conversation with oneself. */
  readonly withUserId: string;
  readonly lastActivityAt: string;
}

/** Memberships read per round while a page of direct rooms fills up. */
const SCAN_CHUNK = 200;

export class ListUserConversationsQuery extends Query<Page<AdminConversationView>> {
  constructor(
    readonly userId: string,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/**
 * A user's direct conversations, most recent first (Trillian's user message
 * history), read by an administrator (`admin:rooms`) who is in none of them.
 * The user's memberships are walked in their index order and group rooms
 * skipped, so a page costs what the user's rooms up to it cost.
 */
@QueryHandler(ListUserConversationsQuery)
export class ListUserConversationsHandler implements IQueryHandler<ListUserConversationsQuery, Page<AdminConversationView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, cursor, limit }: ListUserConversationsQuery): Promise<Page<AdminConversationView>> {
    const user = await this.readStore.get('users', userId);
    if (!user) throw notFound('USER.NOT_FOUND', 'No such user');
    const items: AdminConversationView[] = [];
    let after = cursor ? decodeCursor(cursor, ['string', 'string']) : undefined;
    let more = true;
    while (items.length < limit && more) {
      const memberships = await this.readStore.find('memberships', {
        filter: { userId, active: true },
        sort: [{ field: 'lastActivityAt', direction: 'desc' }],
        after,
        limit: SCAN_CHUNK,
      });
      more = memberships.length === SCAN_CHUNK;
      const rooms = new Map((await this.readStore.getMany('rooms', memberships.map((m) => m['roomId'] as string))).map((room) => [room.id, room]));
      for (const membership of memberships) {
        after = [membership['lastActivityAt'] as string, membership.id];
        const room = rooms.get(membership['roomId'] as string);
        if (!room || room['kind'] !== 'direct') continue;
        const others = Object.keys((room['members'] ?? {}) as Record<string, unknown>).filter((id) => id !== userId);
        items.push({ roomId: room.id, withUserId: others[0] ?? userId, lastActivityAt: membership['lastActivityAt'] as string });
        if (items.length === limit) {
          more = more || memberships.indexOf(membership) < memberships.length - 1;
          break;
        }
      }
    }
    return { items, nextCursor: items.length === limit && more && after ? encodeCursor(after) : null };
  }
}

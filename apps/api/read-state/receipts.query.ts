import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sharesReadReceipts, type PrivacySettings } from '../../../libs/domain/events';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';
import { requireMembership } from '../rooms/read-access';

/** How far one other member of the room read. */
export interface ReceiptView {
  readonly userId: string;
  readonly lastReadSeq: number;
}

export interface ReceiptsView {
  /** False when the caller hides their own receipts: then they see no one's. */
  readonly shared: boolean;
  readonly items: readonly ReceiptView[];
}

/** Receipts a room answers at most: the members who joined first. */
export const RECEIPTS_LIMIT = 1000;

export class RoomReceiptsQuery extends Query<ReceiptsView> {
  constructor(
    readonly userId: string,
    readonly roomId: string,
  ) {
    super();
  }
}

/**
 * The other members' read positions in a room, as the caller may see them:
 * receipts are reciprocal (privacy `read_receipts`), so a caller who hides
 * theirs sees none, and a member who hides theirs is not listed.
 */
@QueryHandler(RoomReceiptsQuery)
export class RoomReceiptsHandler implements IQueryHandler<RoomReceiptsQuery, ReceiptsView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, roomId }: RoomReceiptsQuery): Promise<ReceiptsView> {
    await requireMembership(this.readStore, roomId, userId);
    const me = await this.readStore.get('users', userId);
    if (!sharesReadReceipts(me?.['privacy'] as PrivacySettings | undefined)) return { shared: false, items: [] };
    const members = await this.readStore.find('memberships', {
      filter: { roomId, active: true },
      sort: [{ field: 'joinedAt', direction: 'asc' }],
      limit: RECEIPTS_LIMIT + 1,
    });
    const others = members.filter((m) => m['userId'] !== userId).slice(0, RECEIPTS_LIMIT);
    const users = await this.readStore.getMany('users', others.map((m) => m['userId'] as string));
    const sharing = new Set(users.filter((u) => sharesReadReceipts(u['privacy'] as PrivacySettings | undefined)).map((u) => u.id));
    return {
      shared: true,
      items: others
        .filter((m) => sharing.has(m['userId'] as string))
        .map((m) => ({ userId: m['userId'] as string, lastReadSeq: (m['lastReadSeq'] as number | undefined) ?? 0 })),
    };
  }
}

import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { unreadCount } from '../../../projections/memberships.projection';
import { userSummary } from '../../../projections/users.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { PrivacyPolicy } from '../presence/privacy-policy';
import type { SeenPresence } from '../../../libs/domain/presence/visibility';
import { decodeCursor, encodeCursor, requireMembership } from './read-access';
import { myRoomView, type MyRoomView } from './room-views';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export class ListMyRoomsQuery extends Query<Page<MyRoomView>> {
  constructor(
    readonly userId: string,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(ListMyRoomsQuery)
export class ListMyRoomsHandler implements IQueryHandler<ListMyRoomsQuery, Page<MyRoomView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, cursor, limit }: ListMyRoomsQuery): Promise<Page<MyRoomView>> {
    const memberships = await this.readStore.find('memberships', {
      filter: { userId, active: true },
      sort: [{ field: 'lastActivityAt', direction: 'desc' }],
      after: cursor ? decodeCursor(cursor, ['string', 'string']) : undefined,
      limit: limit + 1,
    });
    const page = memberships.slice(0, limit);
    const rooms = await this.readStore.getMany(
      'rooms',
      page.map((m) => m['roomId'] as string),
    );
    const byId = new Map(rooms.map((room) => [room.id, room]));
    const items = page.flatMap((membership) => {
      const room = byId.get(membership['roomId'] as string);
      return room ? [myRoomView(room, membership)] : [];
    });
    const last = page[page.length - 1];
    const nextCursor =
      memberships.length > limit && last ? encodeCursor([last['lastActivityAt'] as string, last.id]) : null;
    return { items, nextCursor };
  }
}

export class GetRoomQuery extends Query<MyRoomView> {
  constructor(
    readonly userId: string,
    readonly roomId: string,
  ) {
    super();
  }
}

@QueryHandler(GetRoomQuery)
export class GetRoomHandler implements IQueryHandler<GetRoomQuery, MyRoomView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, roomId }: GetRoomQuery): Promise<MyRoomView> {
    const membership = await requireMembership(this.readStore, roomId, userId);
    const room = await this.readStore.get('rooms', roomId);
    if (!room) throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return myRoomView(room, membership);
  }
}

export interface MemberView {
  readonly userId: string;
  readonly username: string | null;
  /** "Deleted user" for a removed account (see `removed`). */
  readonly displayName: string | null;
  readonly removed: boolean;
  readonly role: string;
  readonly muted: boolean;
  /** Posts in a moderated room (one whose members may not send). */
  readonly voice: boolean;
  readonly joinedAt: string;
  /** Status message, photo and presence as the caller may see them (PrivacyPolicy): null when hidden. */
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly presence: SeenPresence;
}

export class ListMembersQuery extends Query<MemberView[]> {
  constructor(
    readonly userId: string,
    readonly roomId: string,
  ) {
    super();
  }
}

@QueryHandler(ListMembersQuery)
export class ListMembersHandler implements IQueryHandler<ListMembersQuery, MemberView[]> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly privacy: PrivacyPolicy,
  ) {}

  async execute({ userId, roomId }: ListMembersQuery): Promise<MemberView[]> {
    await requireMembership(this.readStore, roomId, userId);
    const memberships = await this.readStore.find('memberships', {
      filter: { roomId, active: true },
      sort: [{ field: 'joinedAt', direction: 'asc' }],
    });
    const users = new Map(
      (await this.readStore.getMany(
        'users',
        memberships.map((m) => m['userId'] as string),
      )).map((u): [string, Doc] => [u.id, u]),
    );
    const seen = await this.privacy.profiles(userId, memberships.map((m) => m['userId'] as string));
    return memberships.map((m) => {
      const user = users.get(m['userId'] as string);
      const profile = seen.get(m['userId'] as string)!;
      const summary = userSummary(user, m['userId'] as string);
      return {
        userId: m['userId'] as string,
        username: summary.username,
        displayName: summary.displayName,
        removed: summary.removed,
        role: m['role'] as string,
        muted: m['muted'] === true,
        voice: m['voice'] === true,
        joinedAt: m['joinedAt'] as string,
        statusMessage: profile.statusMessage,
        photoUrl: profile.photoUrl,
        presence: profile.presence,
      };
    });
  }
}

export interface UnreadView {
  readonly total: number;
  readonly rooms: readonly { readonly roomId: string; readonly unreadCount: number }[];
}

export class UnreadQuery extends Query<UnreadView> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(UnreadQuery)
export class UnreadHandler implements IQueryHandler<UnreadQuery, UnreadView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId }: UnreadQuery): Promise<UnreadView> {
    const memberships = await this.readStore.find('memberships', {
      filter: { userId, active: true },
      sort: [{ field: 'lastActivityAt', direction: 'desc' }],
    });
    const rooms = memberships
      .map((m) => ({ roomId: m['roomId'] as string, unreadCount: unreadCount(m) }))
      .filter((r) => r.unreadCount > 0);
    return { total: rooms.reduce((sum, r) => sum + r.unreadCount, 0), rooms };
  }
}

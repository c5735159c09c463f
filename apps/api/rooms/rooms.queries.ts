import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { unreadCount } from '../../../projections/memberships.projection';
import { READ_STORE } from '../infrastructure/tokens';
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
      after: cursor ? decodeCursor(cursor, 2) : undefined,
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
  readonly displayName: string | null;
  readonly role: string;
  readonly muted: boolean;
  readonly joinedAt: string;
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
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

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
    return memberships.map((m) => {
      const user = users.get(m['userId'] as string);
      return {
        userId: m['userId'] as string,
        username: (user?.['username'] as string) ?? null,
        displayName: (user?.['displayName'] as string) ?? null,
        role: m['role'] as string,
        muted: m['muted'] === true,
        joinedAt: m['joinedAt'] as string,
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

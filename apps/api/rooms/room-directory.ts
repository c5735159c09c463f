import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { RoomPermissions } from '../../../libs/domain/events';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { membershipId } from '../../../projections/memberships.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { decodeCursor, encodeCursor } from './read-access';
import type { Page } from './rooms.queries';

/** A room of the directory: what a non-member may know of it (no members, no history). */
export interface DirectoryRoomView {
  readonly id: string;
  readonly name: string;
  readonly topic: string | null;
  readonly avatarUrl: string | null;
  readonly memberCount: number;
  /** The caller is a member already. */
  readonly member: boolean;
  /** The caller may join it by themselves (POST /v1/rooms/:roomId/join). */
  readonly joinable: boolean;
}

export class ListRoomDirectoryQuery extends Query<Page<DirectoryRoomView>> {
  constructor(
    readonly userId: string,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/** The room directory by name: one index range (`listed`, `name`, `id`) and the caller's memberships of the page. */
@QueryHandler(ListRoomDirectoryQuery)
export class ListRoomDirectoryHandler implements IQueryHandler<ListRoomDirectoryQuery, Page<DirectoryRoomView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, cursor, limit }: ListRoomDirectoryQuery): Promise<Page<DirectoryRoomView>> {
    const docs = await this.readStore.find('rooms', {
      filter: { listed: true },
      sort: [{ field: 'name', direction: 'asc' }],
      after: cursor ? decodeCursor(cursor, ['string', 'string']) : undefined,
      limit: limit + 1,
      fields: ['name', 'topic', 'avatarUrl', 'memberCount', 'permissions'],
    });
    const page = docs.slice(0, limit);
    const memberships = await this.readStore.getMany('memberships', page.map((doc) => membershipId(doc.id, userId)));
    const memberOf = new Set(memberships.filter((m) => m['active'] === true).map((m) => m['roomId'] as string));
    const last = page[page.length - 1];
    return {
      items: page.map((doc) => {
        const member = memberOf.has(doc.id);
        return {
          id: doc.id,
          name: doc['name'] as string,
          topic: (doc['topic'] as string | null) ?? null,
          avatarUrl: (doc['avatarUrl'] as string | null) ?? null,
          memberCount: (doc['memberCount'] as number | undefined) ?? 0,
          member,
          joinable: !member && (doc['permissions'] as RoomPermissions).addMembers,
        };
      }),
      nextCursor: docs.length > limit && last ? encodeCursor([last['name'] as string, last.id]) : null,
    };
  }
}

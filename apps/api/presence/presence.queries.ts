import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PresenceDevice, PresenceStatus } from '../../../libs/domain/events';
import type { Filter, ReadStore } from '../../../libs/read-store/read-store.port';
import { presenceStateOf } from '../../../projections/presence.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { decodeCursor, encodeCursor } from '../rooms/read-access';
import { ownPresenceView, type OwnPresenceView } from './set-presence.command';

export class MyPresenceQuery extends Query<OwnPresenceView> {
  constructor(readonly userId: string) {
    super();
  }
}

/** The caller's own presence, unfiltered (invisible included). */
@QueryHandler(MyPresenceQuery)
export class MyPresenceHandler implements IQueryHandler<MyPresenceQuery, OwnPresenceView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId }: MyPresenceQuery): Promise<OwnPresenceView> {
    return ownPresenceView(userId, presenceStateOf(await this.readStore.get('presence', userId)));
  }
}

/** One user's presence as administrators see it: as set, with who set it last. */
export interface AdminPresenceView {
  readonly userId: string;
  readonly status: PresenceStatus;
  readonly message: string | null;
  readonly device: PresenceDevice | null;
  readonly lastSeenAt: string | null;
  readonly changedAt: string | null;
  readonly changedBy: string | null;
  readonly removed: boolean;
}

export interface AdminPresencePage {
  readonly items: readonly AdminPresenceView[];
  readonly nextCursor: string | null;
}

export class ListPresenceQuery extends Query<AdminPresencePage> {
  constructor(
    readonly status: PresenceStatus | undefined,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/** Every user's presence, by user id, keyset-paged; no privacy filter (an administrator's view). */
@QueryHandler(ListPresenceQuery)
export class ListPresenceHandler implements IQueryHandler<ListPresenceQuery, AdminPresencePage> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ status, cursor, limit }: ListPresenceQuery): Promise<AdminPresencePage> {
    const filter: Filter = status ? { status } : {};
    const docs = await this.readStore.find('presence', {
      filter,
      after: cursor ? decodeCursor(cursor, ['string']) : undefined,
      limit: limit + 1,
    });
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((doc) => ({
        ...ownPresenceView(doc.id, presenceStateOf(doc)),
        changedBy: (doc['changedBy'] as string | null | undefined) ?? null,
        removed: doc['removed'] === true,
      })),
      nextCursor: docs.length > limit && last ? encodeCursor([last.id]) : null,
    };
  }
}

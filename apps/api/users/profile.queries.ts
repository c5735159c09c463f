import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { PROFILE_HISTORY, type ProfileHistoryKind } from '../../../projections/profile-history.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { decodeCursor, encodeCursor } from '../rooms/read-access';
import { meView, type MeView } from './profile-views';

/** The caller's user document; 404 until it is projected (use `X-Min-Position`) and for a removed account. */
async function ownDoc(readStore: ReadStore, userId: string): Promise<Doc> {
  const doc = await readStore.get('users', userId);
  if (!doc) throw notFound('USER.NOT_FOUND', 'No such user (yet: a new account shows once projected)');
  if (doc['removed'] === true) throw notFound('USER.REMOVED', 'This account has been removed');
  return doc;
}

export class GetMeQuery extends Query<MeView> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(GetMeQuery)
export class GetMeHandler implements IQueryHandler<GetMeQuery, MeView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId }: GetMeQuery): Promise<MeView> {
    return meView(await ownDoc(this.readStore, userId));
  }
}

export interface StatusMessageEntry {
  readonly message: string | null;
  readonly changedAt: string;
}

export interface PhotoEntry {
  readonly url: string | null;
  readonly changedAt: string;
}

export interface HistoryPage<T> {
  /** Newest first. A clear (null) is an entry of its own. */
  readonly items: readonly T[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

export class ProfileHistoryQuery extends Query<HistoryPage<StatusMessageEntry | PhotoEntry>> {
  constructor(
    readonly userId: string,
    readonly kind: ProfileHistoryKind,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/** The caller's status messages or photos, newest first, by keyset cursor over their place in the user stream. */
@QueryHandler(ProfileHistoryQuery)
export class ProfileHistoryHandler
  implements IQueryHandler<ProfileHistoryQuery, HistoryPage<StatusMessageEntry | PhotoEntry>>
{
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId, kind, cursor, limit }: ProfileHistoryQuery): Promise<HistoryPage<StatusMessageEntry | PhotoEntry>> {
    await ownDoc(this.readStore, userId);
    const found = await this.readStore.find(PROFILE_HISTORY, {
      filter: { userId, kind },
      sort: [{ field: 'revision', direction: 'desc' }],
      after: cursor === undefined ? undefined : decodeCursor(cursor, ['revision', 'string']),
      limit: limit + 1,
    });
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = found.length > limit && last ? encodeCursor([last['revision'] as number, last.id]) : null;
    const items = page.map((doc) => {
      const value = (doc['value'] as string | null) ?? null;
      const changedAt = doc['changedAt'] as string;
      return kind === 'status' ? { message: value, changedAt } : { url: value, changedAt };
    });
    return { items, nextCursor };
  }
}

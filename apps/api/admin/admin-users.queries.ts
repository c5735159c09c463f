import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { PrivacySettings } from '../../../libs/domain/events';
import type { Doc, Filter, ReadStore } from '../../../libs/read-store/read-store.port';
import { normalizeSearch, userSummary } from '../../../projections/users.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { privacyView, type PrivacyView } from '../users/profile-views';

/** A user as administrators see it (never credentials or phone numbers). */
export interface AdminUserView {
  readonly id: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly privacy: PrivacyView;
  /** `pending`: a phone account not verified yet; `removed`: shown as a deleted user. */
  readonly status: 'active' | 'pending' | 'removed';
  readonly removed: boolean;
  readonly registeredAt: string;
}

export function adminUserView(doc: Doc): AdminUserView {
  const summary = userSummary(doc, doc.id);
  return {
    id: doc.id,
    username: summary.username,
    displayName: summary.displayName,
    statusMessage: (doc['statusMessage'] as string | null) ?? null,
    photoUrl: (doc['photoUrl'] as string | null) ?? null,
    privacy: privacyView(doc['privacy'] as PrivacySettings),
    status: doc['status'] as AdminUserView['status'],
    removed: summary.removed,
    registeredAt: doc['registeredAt'] as string,
  };
}

export interface AdminUserPage {
  /** Every active user matching `q`, whatever the page. */
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly users: readonly AdminUserView[];
}

export class ListAdminUsersQuery extends Query<AdminUserPage> {
  constructor(
    readonly keyword: string | undefined,
    readonly offset: number,
    readonly limit: number,
  ) {
    super();
  }
}

/**
 * Active users, oldest registration first; `q` matches anywhere in the
 * username or display name, case-insensitive. Pending and removed accounts
 * are not listed (GET by id shows them).
 */
@QueryHandler(ListAdminUsersQuery)
export class ListAdminUsersHandler implements IQueryHandler<ListAdminUsersQuery, AdminUserPage> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ keyword, offset, limit }: ListAdminUsersQuery): Promise<AdminUserPage> {
    const term = keyword === undefined ? '' : normalizeSearch(keyword.trim());
    const filter: Filter = { status: 'active', ...(term === '' ? {} : { searchKey: { $contains: term } }) };
    const [total, docs] = await Promise.all([
      this.readStore.count('users', filter),
      this.readStore.find('users', { filter, sort: [{ field: 'registeredAt', direction: 'asc' }], offset, limit }),
    ]);
    return { total, offset, limit, users: docs.map(adminUserView) };
  }
}

export class GetAdminUserQuery extends Query<AdminUserView> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(GetAdminUserQuery)
export class GetAdminUserHandler implements IQueryHandler<GetAdminUserQuery, AdminUserView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId }: GetAdminUserQuery): Promise<AdminUserView> {
    const doc = await this.readStore.get('users', userId);
    if (!doc) throw notFound('USER.NOT_FOUND', 'No such user');
    return adminUserView(doc);
  }
}

import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';
import { UserStates } from '../users/user-states';

export interface PhoneAccountView {
  readonly id: string;
  /** E.164; null once erased. */
  readonly phone: string | null;
  readonly nickname: string | null;
  readonly status: 'pending' | 'verified';
  readonly createdAt: string;
}

/** A login's phone accounts, oldest first: the first is the one a surface uses when a call names none. */
export class ListMyAccountsQuery extends Query<{ readonly items: readonly PhoneAccountView[] }> {
  constructor(readonly loginId: string) {
    super();
  }
}

/** Removed accounts never show. A login holds a handful of numbers: one page is all of them. */
const MAX_ACCOUNTS = 100;

/**
 * Which accounts a login holds comes from the `users` read model (by
 * `loginId`); each account's number, nickname and status from its own
 * stream, where the number is readable to its login alone.
 */
@QueryHandler(ListMyAccountsQuery)
export class ListMyAccountsHandler implements IQueryHandler<ListMyAccountsQuery, { readonly items: readonly PhoneAccountView[] }> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly users: UserStates,
  ) {}

  async execute({ loginId }: ListMyAccountsQuery): Promise<{ readonly items: readonly PhoneAccountView[] }> {
    const docs = await this.readStore.find('users', {
      filter: { loginId },
      sort: [{ field: 'registeredAt', direction: 'asc' }],
      limit: MAX_ACCOUNTS,
      fields: ['registeredAt'],
    });
    const states = await Promise.all(docs.map((doc) => this.users.load(doc.id)));
    const items: PhoneAccountView[] = [];
    docs.forEach((doc, index) => {
      const { state } = states[index]!;
      if ((state.status !== 'pending' && state.status !== 'registered') || state.loginId !== loginId) return;
      items.push({
        id: doc.id,
        phone: state.phone,
        nickname: state.displayName,
        status: state.status === 'registered' ? 'verified' : 'pending',
        createdAt: String(doc['registeredAt']),
      });
    });
    return { items };
  }
}

import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { CONTACTS, contactDocId } from '../../../projections/contacts.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { decodeCursor, encodeCursor } from '../rooms/read-access';
import type { Page } from '../rooms/rooms.queries';
import { BlockStates } from './block-states';
import { contactView, type ContactView } from './contact-directory';

export class ListContactsQuery extends Query<Page<ContactView>> {
  constructor(
    readonly ownerId: string,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/** The caller's address book by contact id, keyset-paged, each entry with its matched account. */
@QueryHandler(ListContactsQuery)
export class ListContactsHandler implements IQueryHandler<ListContactsQuery, Page<ContactView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ ownerId, cursor, limit }: ListContactsQuery): Promise<Page<ContactView>> {
    const docs = await this.readStore.find(CONTACTS, {
      filter: { ownerId },
      sort: [{ field: 'contactId', direction: 'asc' }],
      after: cursor ? decodeCursor(cursor, ['string-or-null', 'string']) : undefined,
      limit: limit + 1,
    });
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.flatMap((doc) => contactView(doc) ?? []),
      nextCursor: docs.length > limit && last ? encodeCursor([last['contactId'] as string | null, last.id]) : null,
    };
  }
}

export class GetContactQuery extends Query<ContactView> {
  constructor(
    readonly ownerId: string,
    readonly matchKey: string,
    readonly contactId: string,
  ) {
    super();
  }
}

@QueryHandler(GetContactQuery)
export class GetContactHandler implements IQueryHandler<GetContactQuery, ContactView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ ownerId, matchKey, contactId }: GetContactQuery): Promise<ContactView> {
    const doc = await this.readStore.get(CONTACTS, contactDocId(ownerId, matchKey));
    const view = doc ? contactView(doc) : null;
    if (!view) throw notFound('CONTACT.NOT_FOUND', `${contactId} is not in your contacts`);
    return view;
  }
}

export interface BlockedView {
  readonly userId: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly blockedAt: string;
}

export class ListBlockedQuery extends Query<{ items: BlockedView[] }> {
  constructor(readonly userId: string) {
    super();
  }
}

/** The caller's block list from the log (in the order of blocking), with names from the users read model. */
@QueryHandler(ListBlockedQuery)
export class ListBlockedHandler implements IQueryHandler<ListBlockedQuery, { items: BlockedView[] }> {
  constructor(
    private readonly blocks: BlockStates,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ userId }: ListBlockedQuery): Promise<{ items: BlockedView[] }> {
    const { state } = await this.blocks.load(userId);
    const ids = [...state.blocked.keys()];
    const users = new Map<string, Doc>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const doc of await this.readStore.getMany('users', ids.slice(i, i + 500))) users.set(doc.id, doc);
    }
    return {
      items: [...state.blocked.entries()].map(([id, blockedAt]) => ({
        userId: id,
        username: (users.get(id)?.['username'] as string | undefined) ?? null,
        displayName: (users.get(id)?.['displayName'] as string | undefined) ?? null,
        blockedAt,
      })),
    };
  }
}

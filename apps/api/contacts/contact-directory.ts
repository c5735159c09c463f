import { Inject, Injectable } from '@nestjs/common';
import type { BlockFacts } from '../../../libs/domain/contacts/blocking.decider';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { CONTACTS, contactDocId } from '../../../projections/contacts.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { BlockStates } from './block-states';
import { ContactIds } from './contact-ids';
import { MatchedContacts, type MatchedEntry } from './matched-contacts';

/** One entry of a user's address book as the API shows it. */
export interface ContactView {
  readonly contactId: string;
  readonly kind: 'phone' | 'username' | 'user';
  readonly firstName: string;
  readonly lastName: string;
  /** The registered account the entry is matched to, or null. */
  readonly userId: string | null;
}

/** The view of a `contacts` document; null for an erased entry (its owner is being removed). */
export function contactView(doc: Doc): ContactView | null {
  if (typeof doc['contactId'] !== 'string') return null;
  return {
    contactId: doc['contactId'],
    kind: doc['kind'] as ContactView['kind'],
    firstName: (doc['firstName'] as string | null) ?? '',
    lastName: (doc['lastName'] as string | null) ?? '',
    userId: (doc['userId'] as string | null) ?? null,
  };
}

/** `$in` lists stay short enough for any read store. */
const IN_CHUNK = 500;

/**
 * What other features ask of contacts and blocking (issue #5): privacy rules
 * ("contacts" means the viewer is in the owner's address book, matched to an
 * account) and the block lists that blocking decisions are made on. Address books come from the
 * contacts read model; blocks from the log (`blocks-<userId>`), never stale.
 */
@Injectable()
export class ContactDirectory {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly ids: ContactIds,
    private readonly blocks: BlockStates,
    private readonly matched: MatchedContacts,
  ) {}

  /** The owner's entry for `contactId` (a phone number, username or user id as typed), or null. */
  async entry(ownerId: string, contactId: string): Promise<ContactView | null> {
    const matchKey = this.ids.tryMatchKey(contactId);
    if (matchKey === null) return null;
    const doc = await this.readStore.get(CONTACTS, contactDocId(ownerId, matchKey));
    return doc ? contactView(doc) : null;
  }

  /** Every entry of the owner's address book, by contact id. */
  async contactsOf(ownerId: string): Promise<ContactView[]> {
    const docs = await this.readStore.find(CONTACTS, { filter: { ownerId }, sort: [{ field: 'contactId', direction: 'asc' }] });
    return docs.flatMap((doc) => contactView(doc) ?? []);
  }

  /**
   * The entries matched to an account, in contact-id order, one per account
   * (the first), with only what identifies them: what views of all contacts
   * at once start from (5,000 entries should not parse 5,000 whole documents).
   */
  matchedOf(ownerId: string): Promise<readonly MatchedEntry[]> {
    // A large book is kept between requests while the log says it is current (MatchedContacts).
    return this.matched.of(ownerId, async () => {
      const docs = await this.readStore.find(CONTACTS, {
        filter: { ownerId, userId: { $ne: null } },
        sort: [{ field: 'contactId', direction: 'asc' }],
        fields: ['contactId', 'userId'],
      });
      const accounts = new Set<string>();
      const entries: MatchedEntry[] = [];
      for (const doc of docs) {
        const { contactId, userId } = doc;
        if (typeof contactId !== 'string' || typeof userId !== 'string' || accounts.has(userId)) continue;
        accounts.add(userId);
        entries.push({ contactId, userId });
      }
      return entries;
    });
  }

  /** Whether `userId` is in `ownerId`'s address book (an entry matched to that account). */
  async isContact(ownerId: string, userId: string): Promise<boolean> {
    const found = await this.readStore.find(CONTACTS, { filter: { ownerId, userId }, limit: 1 });
    return found.length > 0;
  }

  /** Of `userIds`, those in `ownerId`'s address book; one query per 500 ids. */
  async contactsAmong(ownerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>> {
    const wanted = [...new Set(userIds)];
    const found = new Set<string>();
    for (let i = 0; i < wanted.length; i += IN_CHUNK) {
      const docs = await this.readStore.find(CONTACTS, { filter: { ownerId, userId: { $in: wanted.slice(i, i + IN_CHUNK) } } });
      for (const doc of docs) found.add(doc['userId'] as string);
    }
    return found;
  }

  /** Whether `userId` has blocked `otherId` (from the log, never stale). */
  async hasBlocked(userId: string, otherId: string): Promise<boolean> {
    const { state } = await this.blocks.load(userId);
    return state.blocked.has(otherId);
  }

  /** Whether either of the two has blocked the other. */
  async blockedEitherWay(a: string, b: string): Promise<boolean> {
    return (await this.hasBlocked(a, b)) || (await this.hasBlocked(b, a));
  }

  /**
   * The block lists of `userIds`, from the log (never stale): the facts a
   * blocking decision (libs/domain/contacts/blocking.decider.ts) is made on.
   */
  async blockFacts(userIds: readonly string[]): Promise<BlockFacts> {
    const ids = [...new Set(userIds)];
    const loaded = await Promise.all(ids.map((id) => this.blocks.load(id)));
    return new Map(ids.map((id, index) => [id, loaded[index]!.state]));
  }
}

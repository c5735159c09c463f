import { Inject, Injectable } from '@nestjs/common';
import {
  needsContactCheck,
  profileAsSeen,
  relationOf,
  type OwnerData,
  type SeenProfile,
  type ViewerRelation,
} from '../../../libs/domain/presence/visibility';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { CONTACTS } from '../../../projections/contacts.projection';
import { blockedOf, presenceStateOf, privacyOf } from '../../../projections/presence.projection';
import { ContactDirectory } from '../contacts/contact-directory';
import { READ_STORE } from '../infrastructure/tokens';
import { PresenceDocs } from './presence-docs';

/** `$in` lists stay short enough for any read store. */
const IN_CHUNK = 1_000;

/** OwnerData of the presence documents PresenceDocs keeps: they are shared and never changed, so read once. */
const ownerDataOfDoc = new WeakMap<Doc, OwnerData>();

/** ownerDataOf, once per document object (a view of 5,000 contacts would otherwise build 10,000 objects a request). */
function ownerDataCached(doc: Doc | undefined): OwnerData {
  if (doc === undefined) return ownerDataOf(doc);
  let data = ownerDataOfDoc.get(doc);
  if (data === undefined) {
    data = ownerDataOf(doc);
    ownerDataOfDoc.set(doc, data);
  }
  return data;
}

/** An owner's data from their presence document; no document (pending, unknown) counts as removed. */
export function ownerDataOf(doc: Doc | null | undefined): OwnerData {
  const state = presenceStateOf(doc);
  return {
    privacy: privacyOf(doc),
    statusMessage: (doc?.['statusMessage'] as string | null | undefined) ?? null,
    photoUrl: (doc?.['photoUrl'] as string | null | undefined) ?? null,
    presence: { status: state.status, message: state.message, device: state.device, lastSeenAt: state.lastSeenAt },
    removed: !doc || doc['removed'] === true,
  };
}

/**
 * The one place that decides what a viewer sees of other users' status
 * message, photo, presence and last seen; the rule itself is
 * libs/domain/presence/visibility.ts. Contacts' endpoints, member lists and
 * anything else that shows those fields go through here.
 *
 * Many owners at once (all contacts, a member list of up to 5,000): one
 * `getMany` of the presence read model, which carries each owner's settings,
 * values and block list (through PresenceDocs, which keeps copies the log
 * has not moved past), and one address-book query per 500 owners who set a
 * field to `contacts`. A block therefore shows once the read models have
 * it, like any query (X-Min-Position waits for it). One owner (the single
 * contact endpoints) also asks ContactDirectory, whose block check reads
 * the log and is never stale.
 */
@Injectable()
export class PrivacyPolicy {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly directory: ContactDirectory,
    private readonly docs: PresenceDocs,
  ) {}

  /** What `viewerId` sees of each owner. */
  async profiles(viewerId: string, ownerIds: readonly string[]): Promise<Map<string, SeenProfile>> {
    const { owners, relations } = await this.load(viewerId, ownerIds);
    const seen = new Map<string, SeenProfile>();
    for (const [id, data] of owners) seen.set(id, profileAsSeen(data, relations.get(id)!));
    return seen;
  }

  /** What `viewerId` sees of each owner, with the relation it was decided on (a directory leaves out the blocked). */
  async seen(viewerId: string, ownerIds: readonly string[]): Promise<Map<string, { readonly profile: SeenProfile; readonly relation: ViewerRelation }>> {
    const { owners, relations } = await this.load(viewerId, ownerIds);
    return new Map([...owners].map(([id, data]) => [id, { profile: profileAsSeen(data, relations.get(id)!), relation: relations.get(id)! }]));
  }

  /**
   * Of `ownerIds`, those the viewer may not be shown at all: blocked either
   * way, removed, or unknown. One `getMany` of the presence read model; no
   * address book is read (what a list without profile fields needs).
   */
  async hidden(viewerId: string, ownerIds: readonly string[]): Promise<ReadonlySet<string>> {
    const ids = [...new Set(ownerIds)];
    const docs = await this.docs.getMany([...new Set([...ids, viewerId])]);
    const viewerBlocked = new Set(blockedOf(docs.get(viewerId)));
    return new Set(ids.filter((id) => ownerDataOf(docs.get(id)).removed || viewerBlocked.has(id) || blockedOf(docs.get(id)).includes(viewerId)));
  }

  /** What `viewerId` sees of one owner, blocks checked against the log as well. */
  async profile(viewerId: string, ownerId: string): Promise<SeenProfile> {
    const { data, relation } = await this.relation(viewerId, ownerId);
    return profileAsSeen(data, relation);
  }

  /** The viewer's relation to one owner and the owner's data, blocks checked against the log as well. */
  async relation(viewerId: string, ownerId: string): Promise<{ readonly data: OwnerData; readonly relation: ViewerRelation }> {
    const { owners, relations } = await this.load(viewerId, [ownerId]);
    const data = owners.get(ownerId)!;
    let relation = relations.get(ownerId)!;
    if (relation === 'contact' || relation === 'other') {
      if (await this.directory.blockedEitherWay(viewerId, ownerId)) relation = 'blocked';
    }
    return { data, relation };
  }

  private async load(
    viewerId: string,
    ownerIds: readonly string[],
  ): Promise<{ owners: Map<string, OwnerData>; relations: Map<string, ViewerRelation> }> {
    const ids = [...new Set(ownerIds)];
    const docs = await this.docs.getMany(ids.includes(viewerId) ? ids : [...ids, viewerId]);
    const viewerBlocked = new Set(blockedOf(docs.get(viewerId)));
    // One pass: each owner's data, whether either blocked the other, and whether their book must be asked.
    const owners = new Map<string, OwnerData>();
    const blocked = new Set<string>();
    const asking: string[] = [];
    for (const id of ids) {
      const doc = docs.get(id);
      const data = ownerDataCached(doc);
      owners.set(id, data);
      if (id === viewerId) continue;
      if (viewerBlocked.has(id) || blockedOf(doc).includes(viewerId)) blocked.add(id);
      else if (!data.removed && needsContactCheck(data.privacy)) asking.push(id);
    }
    const inBooks = await this.ownersWithInBook(viewerId, asking);
    const relations = new Map<string, ViewerRelation>();
    for (const ownerId of ids) {
      relations.set(ownerId, relationOf({ viewerId, ownerId, blocked: blocked.has(ownerId), inOwnersContacts: inBooks.has(ownerId) }));
    }
    return { owners, relations };
  }

  /**
   * Of `ownerIds`, those whose address book holds an entry matched to
   * `viewerId`. One owner: ContactDirectory.isContact. Many: the contacts
   * read model by (ownerId, userId), its own index, 1,000 owners a query
   * (ContactDirectory only answers this for one owner at a time).
   */
  private async ownersWithInBook(viewerId: string, ownerIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (ownerIds.length === 1) {
      const [ownerId] = ownerIds as [string];
      return (await this.directory.isContact(ownerId, viewerId)) ? new Set([ownerId]) : new Set();
    }
    const found = new Set<string>();
    for (let i = 0; i < ownerIds.length; i += IN_CHUNK) {
      const docs = await this.readStore.find(CONTACTS, {
        filter: { ownerId: { $in: ownerIds.slice(i, i + IN_CHUNK) }, userId: viewerId },
      });
      for (const doc of docs) found.add(doc['ownerId'] as string);
    }
    return found;
  }
}

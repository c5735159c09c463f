import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import { canSee, type SeenPresence } from '../../../libs/domain/presence/visibility';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { PROFILE_HISTORY } from '../../../projections/profile-history.projection';
import { MEDIA, mediaIdOfUrl, type MediaDoc } from '../../../projections/media.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { decodeCursor, encodeCursor } from '../rooms/read-access';
import { PrivacyPolicy } from './privacy-policy';
import { ContactDirectory } from '../contacts/contact-directory';

/** Which contact a view is about: the entry as the viewer typed it and the account it is matched to. */
interface ContactRef {
  readonly contactId: string;
  readonly userId: string;
}

export interface ContactPresenceView extends ContactRef, SeenPresence {}

export interface ContactStatusMessageView extends ContactRef {
  /** Null when unset or not for this viewer to see. */
  readonly message: string | null;
}

export interface ContactPhotoView extends ContactRef {
  readonly url: string | null;
}

export interface HistoryPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}
export interface StatusMessageChange {
  readonly message: string | null;
  readonly changedAt: string;
}
export interface PhotoChange {
  readonly url: string | null;
  readonly changedAt: string;
}

/**
 * Acting on a contact's data needs them in the viewer's address book, matched
 * to an account (Windu): otherwise 404, saying which of the two is missing.
 */
async function requireContact(directory: ContactDirectory, viewerId: string, contactId: string): Promise<ContactRef> {
  const entry = await directory.entry(viewerId, contactId);
  if (!entry) throw notFound('CONTACT.NOT_FOUND', `${contactId} is not in your contacts`);
  if (entry.userId === null) throw notFound('CONTACT.NOT_REGISTERED', `${contactId} has no Parley account`);
  return { contactId: entry.contactId, userId: entry.userId };
}

const presenceView = (ref: ContactRef, seen: SeenPresence): ContactPresenceView => ({
  contactId: ref.contactId,
  userId: ref.userId,
  status: seen.status,
  message: seen.message,
  device: seen.device,
  lastSeenAt: seen.lastSeenAt,
});

/** One contact of the viewer's book and what the viewer may see of them (404 unless matched). */
async function seenContact(directory: ContactDirectory, policy: PrivacyPolicy, viewerId: string, contactId: string) {
  const ref = await requireContact(directory, viewerId, contactId);
  return { ref, seen: await policy.profile(viewerId, ref.userId) };
}

/** Every matched contact of the viewer's book and what the viewer may see of each, in one batch. */
async function seenContacts(directory: ContactDirectory, policy: PrivacyPolicy, viewerId: string) {
  const refs = await directory.matchedOf(viewerId);
  const seen = await policy.profiles(viewerId, refs.map((r) => r.userId));
  return refs.map((ref) => ({ ref, seen: seen.get(ref.userId)! }));
}

export class ContactPresenceQuery extends Query<ContactPresenceView> {
  constructor(
    readonly viewerId: string,
    readonly contactId: string,
  ) {
    super();
  }
}

@QueryHandler(ContactPresenceQuery)
export class ContactPresenceHandler implements IQueryHandler<ContactPresenceQuery, ContactPresenceView> {
  constructor(
    private readonly directory: ContactDirectory,
    private readonly policy: PrivacyPolicy,
  ) {}

  async execute({ viewerId, contactId }: ContactPresenceQuery): Promise<ContactPresenceView> {
    const { ref, seen } = await seenContact(this.directory, this.policy, viewerId, contactId);
    return presenceView(ref, seen.presence);
  }
}

export class AllContactsPresenceQuery extends Query<{ readonly items: readonly ContactPresenceView[] }> {
  constructor(readonly viewerId: string) {
    super();
  }
}

@QueryHandler(AllContactsPresenceQuery)
export class AllContactsPresenceHandler
  implements IQueryHandler<AllContactsPresenceQuery, { readonly items: readonly ContactPresenceView[] }>
{
  constructor(
    private readonly directory: ContactDirectory,
    private readonly policy: PrivacyPolicy,
  ) {}

  async execute({ viewerId }: AllContactsPresenceQuery): Promise<{ readonly items: readonly ContactPresenceView[] }> {
    const contacts = await seenContacts(this.directory, this.policy, viewerId);
    return { items: contacts.map(({ ref, seen }) => presenceView(ref, seen.presence)) };
  }
}

export class ContactStatusMessageQuery extends Query<ContactStatusMessageView> {
  constructor(
    readonly viewerId: string,
    readonly contactId: string,
  ) {
    super();
  }
}

@QueryHandler(ContactStatusMessageQuery)
export class ContactStatusMessageHandler implements IQueryHandler<ContactStatusMessageQuery, ContactStatusMessageView> {
  constructor(
    private readonly directory: ContactDirectory,
    private readonly policy: PrivacyPolicy,
  ) {}

  async execute({ viewerId, contactId }: ContactStatusMessageQuery): Promise<ContactStatusMessageView> {
    const { ref, seen } = await seenContact(this.directory, this.policy, viewerId, contactId);
    return { ...ref, message: seen.statusMessage };
  }
}

export class AllContactsStatusesQuery extends Query<{ readonly items: readonly ContactStatusMessageView[] }> {
  constructor(readonly viewerId: string) {
    super();
  }
}

@QueryHandler(AllContactsStatusesQuery)
export class AllContactsStatusesHandler
  implements IQueryHandler<AllContactsStatusesQuery, { readonly items: readonly ContactStatusMessageView[] }>
{
  constructor(
    private readonly directory: ContactDirectory,
    private readonly policy: PrivacyPolicy,
  ) {}

  async execute({ viewerId }: AllContactsStatusesQuery): Promise<{ readonly items: readonly ContactStatusMessageView[] }> {
    const contacts = await seenContacts(this.directory, this.policy, viewerId);
    return { items: contacts.map(({ ref, seen }) => ({ ...ref, message: seen.statusMessage })) };
  }
}

export class ContactPhotoQuery extends Query<ContactPhotoView> {
  constructor(
    readonly viewerId: string,
    readonly contactId: string,
  ) {
    super();
  }
}

@QueryHandler(ContactPhotoQuery)
export class ContactPhotoHandler implements IQueryHandler<ContactPhotoQuery, ContactPhotoView> {
  constructor(
    private readonly directory: ContactDirectory,
    private readonly policy: PrivacyPolicy,
  ) {}

  async execute({ viewerId, contactId }: ContactPhotoQuery): Promise<ContactPhotoView> {
    const { ref, seen } = await seenContact(this.directory, this.policy, viewerId, contactId);
    return { ...ref, url: seen.photoUrl };
  }
}

/** A contact's photo at a preview size: where to fetch it, and its pixels when Parley holds the image. */
export interface ContactPreviewPhotoView extends ContactRef {
  /** The photo as set (an absolute URL or an upload's /v1/media/<id>); null when unset or hidden from the viewer. */
  readonly url: string | null;
  /**
   * The preview: for an uploaded photo, its thumbnail at the size asked for
   * (never larger than the original); for a linked photo, the link itself
   * (Parley does not fetch other servers' images); null with `url`.
   */
  readonly preview: { readonly url: string; readonly width: number | null; readonly height: number | null } | null;
}

export class AllContactsPreviewPhotosQuery extends Query<{ readonly size: number; readonly items: readonly ContactPreviewPhotoView[] }> {
  constructor(
    readonly viewerId: string,
    readonly size: number,
  ) {
    super();
  }
}

/**
 * Every matched contact's photo at one preview size, in one answer (Windu's
 * preview-photos list), under each owner's photo privacy and the blocks
 * between them and the viewer, as one contact's photo is. One read of the
 * media read model for all the uploaded photos.
 */
@QueryHandler(AllContactsPreviewPhotosQuery)
export class AllContactsPreviewPhotosHandler
  implements IQueryHandler<AllContactsPreviewPhotosQuery, { readonly size: number; readonly items: readonly ContactPreviewPhotoView[] }>
{
  constructor(
    private readonly directory: ContactDirectory,
    private readonly policy: PrivacyPolicy,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ viewerId, size }: AllContactsPreviewPhotosQuery): Promise<{ readonly size: number; readonly items: readonly ContactPreviewPhotoView[] }> {
    const contacts = await seenContacts(this.directory, this.policy, viewerId);
    const mediaIds = contacts.map(({ seen }) => mediaIdOfUrl(seen.photoUrl)).filter((id): id is string => id !== null);
    const docs = mediaIds.length === 0 ? [] : ((await this.readStore.getMany(MEDIA, mediaIds)) as unknown as MediaDoc[]);
    const media = new Map(docs.map((doc) => [doc.id, doc]));
    const items = contacts.map(({ ref, seen }): ContactPreviewPhotoView => {
      const url = seen.photoUrl;
      if (url === null) return { ...ref, url: null, preview: null };
      const mediaId = mediaIdOfUrl(url);
      if (mediaId === null) return { ...ref, url, preview: { url, width: null, height: null } };
      const doc = media.get(mediaId);
      // Deleted, or its owner erased: nothing left to show.
      if (doc === undefined || doc.deleted || doc.removed || doc.ownerId !== ref.userId) return { ...ref, url: null, preview: null };
      const thumbnail = doc.thumbnails.find((t) => t.size === size);
      return {
        ...ref,
        url,
        preview: thumbnail
          ? { url: `${url}/thumbnails/${size}`, width: thumbnail.width, height: thumbnail.height }
          : { url, width: doc.width, height: doc.height },
      };
    });
    return { size, items };
  }
}

export type ProfileHistoryKind = 'statusMessage' | 'photo';

export class ContactHistoryQuery extends Query<HistoryPage<StatusMessageChange | PhotoChange>> {
  constructor(
    readonly viewerId: string,
    readonly contactId: string,
    readonly kind: ProfileHistoryKind,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/**
 * A contact's status message or photo history, newest first, under the same
 * privacy field as the current value: a viewer who may not see the field
 * gets an empty history (no error).
 */
@QueryHandler(ContactHistoryQuery)
export class ContactHistoryHandler implements IQueryHandler<ContactHistoryQuery, HistoryPage<StatusMessageChange | PhotoChange>> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly directory: ContactDirectory,
    private readonly policy: PrivacyPolicy,
  ) {}

  async execute({ viewerId, contactId, kind, cursor, limit }: ContactHistoryQuery): Promise<HistoryPage<StatusMessageChange | PhotoChange>> {
    const ref = await requireContact(this.directory, viewerId, contactId);
    const { data, relation } = await this.policy.relation(viewerId, ref.userId);
    if (data.removed || !canSee(kind === 'statusMessage' ? data.privacy.statusMessage : data.privacy.photo, relation)) {
      return { items: [], nextCursor: null };
    }
    return readHistory(this.readStore, ref.userId, kind, cursor, limit);
  }
}

/** The profile history read model (projections/profile-history.projection.ts), newest first, keyset-paged as GET /v1/me/... is. */
async function readHistory(
  readStore: ReadStore,
  userId: string,
  kind: ProfileHistoryKind,
  cursor: string | undefined,
  limit: number,
): Promise<HistoryPage<StatusMessageChange | PhotoChange>> {
  const found = await readStore.find(PROFILE_HISTORY, {
    filter: { userId, kind: kind === 'statusMessage' ? 'status' : 'photo' },
    sort: [{ field: 'revision', direction: 'desc' }],
    after: cursor === undefined ? undefined : decodeCursor(cursor, ['revision', 'string']),
    limit: limit + 1,
  });
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  const items = page.map((doc) => {
    const value = (doc['value'] as string | null | undefined) ?? null;
    const changedAt = doc['changedAt'] as string;
    return kind === 'statusMessage' ? { message: value, changedAt } : { url: value, changedAt };
  });
  return { items, nextCursor: found.length > limit && last ? encodeCursor([last['revision'] as number, last.id]) : null };
}

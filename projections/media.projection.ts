import type { MediaThumbnail } from '../libs/domain/events';
import type { ProjectedEvent, Projection, ProjectionContext } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

export const MEDIA = 'media';
/** One document per (blob, media item) that holds it: a blob's bytes go only when no live media names them. */
export const MEDIA_BLOBS = 'mediaBlobs';
/** One document per (room, media item): a room's media (Trillian group-chat media), its avatar and comment attachments. */
export const ROOM_MEDIA = 'roomMedia';
/** One document per room avatar change: a room's avatar history, links and uploads alike. */
export const ROOM_AVATARS = 'roomAvatars';
/** Per user: their media ids, so that erasure marks them removed. */
export const MEDIA_OWNERS = 'mediaOwners';

/** One change of a room's avatar, as the read model holds it. */
export interface RoomAvatarDoc {
  readonly id: string;
  readonly roomId: string;
  readonly url: string | null;
  /** The upload it shows, when the avatar is Parley media. */
  readonly mediaId: string | null;
  readonly changedBy: string;
  readonly changedAt: string;
  readonly position: string;
}

/** A media item as the read model holds it. */
export interface MediaDoc {
  readonly id: string;
  readonly ownerId: string;
  readonly type: string;
  readonly size: number;
  /** Null once the owner is erased. */
  readonly sha256: string | null;
  readonly name: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly blob: string;
  readonly thumbnails: readonly MediaThumbnail[];
  readonly rooms: readonly string[];
  /** Set as a profile photo at some time: viewers the owner's photo privacy allows may read it. */
  readonly photo: boolean;
  readonly deleted: boolean;
  /** The owner's account was erased: the bytes are unreadable. */
  readonly removed: boolean;
  readonly uploadedAt: string;
}

export const asMediaDoc = (doc: { readonly [field: string]: unknown } | null): MediaDoc | null => (doc ? (doc as unknown as MediaDoc) : null);

/**
 * Media read model (issue #15): each upload's metadata, where it is used, and
 * whether it is deleted or its owner erased. Access checks and listings read
 * it; the blob store is consulted only for the bytes.
 */
export const mediaProjection: Projection = {
  name: 'media',
  // v2: roomAvatars, a room's avatar history.
  version: 2,
  collections: [
    { name: MEDIA, indexes: [{ fields: ['ownerId', 'deleted', 'uploadedAt', 'id'] }] },
    { name: MEDIA_BLOBS, indexes: [{ fields: ['address', 'id'] }] },
    { name: ROOM_MEDIA, indexes: [{ fields: ['roomId', 'attachedAt', 'id'] }] },
    { name: MEDIA_OWNERS, indexes: [] },
    { name: ROOM_AVATARS, indexes: [{ fields: ['roomId', 'position', 'id'] }] },
  ],
  handlers: {
    MediaUploaded: async (event, ctx) => {
      const d = event.data;
      const owner = await ctx.get(MEDIA_OWNERS, d.ownerId);
      const removed = owner?.['removed'] === true;
      await ctx.update(
        MEDIA,
        d.mediaId,
        (doc) => revised(doc, {
          ownerId: d.ownerId,
          type: d.type,
          size: d.size,
          sha256: removed ? null : d.sha256,
          name: removed ? null : d.name,
          width: d.width,
          height: d.height,
          blob: d.blob,
          thumbnails: d.thumbnails,
          uploadedAt: d.uploadedAt,
          removed,
        }),
        () => ({ id: d.mediaId, rooms: [], photo: false, deleted: false }),
      );
      for (const address of new Set([d.blob, ...d.thumbnails.map((t) => t.blob)])) {
        await ctx.update(MEDIA_BLOBS, `${address}:${d.mediaId}`, (doc) => revised(doc, { address, mediaId: d.mediaId }), () => ({ id: `${address}:${d.mediaId}` }));
      }
      await ctx.update(
        MEDIA_OWNERS,
        d.ownerId,
        (doc) => revised(doc, { media: [...new Set([...((doc['media'] as string[] | undefined) ?? []), d.mediaId])] }),
        () => ({ id: d.ownerId, media: [], removed: false }),
      );
    },
    MediaAttached: async (event, ctx) => {
      const d = event.data;
      await inRoom(ctx, d.mediaId, d.roomId, d.purpose, d.attachedAt, null);
    },
    MediaDeleted: async (event, ctx) => {
      const d = event.data;
      let rooms: readonly string[] = [];
      await ctx.update(MEDIA, d.mediaId, (doc) => {
        rooms = (doc['rooms'] as string[] | undefined) ?? [];
        return revised(doc, { deleted: true, deletedAt: d.deletedAt, deletedBy: d.deletedBy });
      });
      for (const address of d.blobs) await ctx.update(MEDIA_BLOBS, `${address}:${d.mediaId}`, () => null);
      for (const roomId of rooms) await ctx.update(ROOM_MEDIA, `${roomId}:${d.mediaId}`, (doc) => revised(doc, { deleted: true }));
    },
    CommentPosted: async (event, ctx) => {
      for (const attachment of event.data.attachments ?? []) {
        await inRoom(ctx, attachment.mediaId, event.data.roomId, 'attachment', event.data.postedAt, event.data.commentId);
      }
    },
    RoomCreated: async (event, ctx) => {
      const d = event.data;
      if (d.avatarUrl !== null) await avatarChanged(ctx, event.id, event.position, d.roomId, d.avatarUrl, d.createdBy, d.createdAt);
    },
    RoomAvatarChanged: async (event, ctx) => {
      const d = event.data;
      await avatarChanged(ctx, event.id, event.position, d.roomId, d.avatarUrl, d.changedBy, d.changedAt);
    },
    ProfilePhotoChanged: async (event, ctx) => {
      const mediaId = mediaIdOfUrl(event.data.photoUrl);
      if (mediaId !== null) await ctx.update(MEDIA, mediaId, (doc) => (doc['ownerId'] === event.data.userId ? revised(doc, { photo: true }) : doc));
    },
    UserRemoved: async (event: ProjectedEvent<'UserRemoved'>, ctx) => {
      const { userId } = event.data;
      const owner = await ctx.get(MEDIA_OWNERS, userId);
      for (const mediaId of (owner?.['media'] as string[] | undefined) ?? []) {
        await ctx.update(MEDIA, mediaId, (doc) => revised(doc, { sha256: null, name: null, removed: true }));
      }
      await ctx.update(MEDIA_OWNERS, userId, (doc) => revised(doc, { removed: true }), () => ({ id: userId, media: [], removed: true }));
    },
  },
};

async function avatarChanged(
  ctx: ProjectionContext,
  eventId: string,
  position: bigint,
  roomId: string,
  url: string | null,
  changedBy: string,
  changedAt: string,
): Promise<void> {
  await ctx.update(
    ROOM_AVATARS,
    eventId,
    (doc) => revised(doc, {
      roomId,
      url,
      mediaId: mediaIdOfUrl(url),
      changedBy,
      changedAt,
      // Sorted as text: zero-padded, so that text order is log order.
      position: position.toString().padStart(20, '0'),
    }),
    () => ({ id: eventId }),
  );
}

async function inRoom(ctx: ProjectionContext, mediaId: string, roomId: string, purpose: string, at: string, commentId: string | null): Promise<void> {
  const media = await ctx.get(MEDIA, mediaId);
  if (media === null) return;
  await ctx.update(MEDIA, mediaId, (doc) => {
    const rooms = (doc['rooms'] as string[] | undefined) ?? [];
    return rooms.includes(roomId) ? doc : revised(doc, { rooms: [...rooms, roomId] });
  });
  await ctx.update(
    ROOM_MEDIA,
    `${roomId}:${mediaId}`,
    (doc) => revised(doc, { roomId, mediaId, purposes: [...new Set([...((doc['purposes'] as string[] | undefined) ?? []), purpose])], commentId: doc['commentId'] ?? commentId }),
    () => ({ id: `${roomId}:${mediaId}`, attachedAt: at, deleted: media['deleted'] === true, purposes: [], commentId: null }),
  );
}

/** The media id of a Parley media URL (`/v1/media/<id>`), or null for any other URL. */
export function mediaIdOfUrl(url: string | null): string | null {
  const match = url === null ? null : /^\/v1\/media\/([0-9a-f-]{36})$/.exec(url);
  return match?.[1] ?? null;
}

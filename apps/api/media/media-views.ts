import type { MediaThumbnail } from '../../../libs/domain/events';
import type { MediaDoc } from '../../../projections/media.projection';

export const mediaUrl = (mediaId: string): string => `/v1/media/${mediaId}`;
export const thumbnailUrl = (mediaId: string, size: number): string => `/v1/media/${mediaId}/thumbnails/${size}`;

export interface ThumbnailView {
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly url: string;
}

export interface MediaView {
  readonly id: string;
  readonly ownerId: string;
  readonly type: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
  /** Null once the owner is erased. */
  readonly sha256: string | null;
  readonly name: string | null;
  readonly url: string;
  readonly thumbnails: readonly ThumbnailView[];
  readonly createdAt: string;
  /** The owner's account was erased: the bytes can no longer be read. */
  readonly removed: boolean;
}

export const thumbnailViews = (mediaId: string, thumbnails: readonly MediaThumbnail[]): ThumbnailView[] =>
  thumbnails.map((t) => ({ size: t.size, width: t.width, height: t.height, url: thumbnailUrl(mediaId, t.size) }));

export function mediaView(doc: MediaDoc): MediaView {
  return {
    id: doc.id,
    ownerId: doc.ownerId,
    type: doc.type,
    size: doc.size,
    width: doc.width,
    height: doc.height,
    sha256: doc.sha256,
    name: doc.name,
    url: mediaUrl(doc.id),
    thumbnails: thumbnailViews(doc.id, doc.thumbnails),
    createdAt: doc.uploadedAt,
    removed: doc.removed,
  };
}

import { Inject, Injectable } from '@nestjs/common';
import type { BlobStore } from '../../../libs/blob-store/blob-store.port';
import { sha256Of } from '../../../libs/blob-store/chunked-hash';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { ParleyConfig } from '../../../libs/config/config';
import { notFound, validationError } from '../../../libs/domain/errors';
import type { MediaAttached, MediaThumbnail } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import { mediaDecider, requireFileTransfer, requireUploadTarget } from '../../../libs/domain/media/media.decider';
import { fileTransferOff } from '../../../libs/domain/org/effective-policy';
import { claimAgrees, dimensionsDisagree, isImageType, sniffMediaType } from '../../../libs/domain/media/media-type';
import { streams } from '../../../libs/domain/streams';
import { MediaCipher } from '../../../libs/personal-data/media-cipher';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { OrgStates } from '../org/org-states';
import { RoomStates } from '../rooms/room-states';
import { refuseZipBomb } from './archive-check';
import { ImageWork } from './image-work';
import { BLOB_STORE } from './media-tokens';
import { mediaTooLarge, type UploadBody } from './upload-body';
import { mediaUrl, thumbnailViews, type MediaView } from './media-views';

export interface UploadedMedia extends MediaView {
  readonly position: string;
}

/** Where an upload goes besides its owner's media: a room's media or avatar; `ownedByRoom`, an administrator's upload the room owns. */
export interface UploadTarget {
  readonly roomId: string;
  readonly purpose: MediaAttached['data']['purpose'];
  readonly ownedByRoom?: boolean;
}

/**
 * An upload's way into Parley: what the bytes are (sniffed, checked against
 * the configured types and the client's claim), the image's dimensions and
 * thumbnails (sharp, off the loop), the bytes sealed with the owner's key and
 * made durable in the blob store, and only then `MediaUploaded` appended.
 * Refused input stores nothing and appends nothing; an append that fails
 * after the bytes were stored leaves blobs no event names (see the decision
 * record: a sweep of unnamed blobs is left to do).
 */
@Injectable()
export class MediaUploads {
  /** Uploads of this process between their first read and their append: the sweep deletes nothing meanwhile. */
  private uploading = 0;

  get inFlight(): number {
    return this.uploading;
  }

  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly cipher: MediaCipher,
    private readonly pipeline: CommandPipeline,
    private readonly rooms: RoomStates,
    private readonly org: OrgStates,
    private readonly images: ImageWork,
  ) {}

  /**
   * Stores an upload as `context.actor`'s media. `byAdministrator`: an API
   * key with `admin:media` adds it for the user (`context.actor`), which is
   * not the user transferring a file, so their file-transfer policy does not
   * bind it.
   */
  async upload(
    body: UploadBody,
    context: CommandContext,
    room: UploadTarget | null = null,
    byAdministrator = false,
  ): Promise<UploadedMedia> {
    this.uploading++;
    try {
      return await this.admit(body, context, room, byAdministrator);
    } finally {
      this.uploading--;
    }
  }

  private async admit(
    body: UploadBody,
    context: CommandContext,
    room: UploadTarget | null,
    byAdministrator: boolean,
  ): Promise<UploadedMedia> {
    const { maxBytes, maxPixels, allowedTypes } = this.config.media;
    if (body.bytes.length > maxBytes) throw mediaTooLarge(maxBytes, body.field);
    // What the policy or the room forbids is refused before any byte is stored (and again in the decision).
    const fileTransfer = byAdministrator || !fileTransferOff(await this.org.policyOf(context.actor));
    requireFileTransfer(fileTransfer);
    const ownedByRoom = room?.ownedByRoom === true;
    if (room) requireUploadTarget((await this.rooms.load(room.roomId)).state, context.actor, room.purpose, ownedByRoom);
    // A room's own media is sealed with the room's key: it belongs to no member.
    const ownerId = ownedByRoom ? room!.roomId : context.actor;
    const type = sniffMediaType(body.bytes);
    if (!claimAgrees(body.claimedType, type)) {
      const field = body.field === 'data' ? 'type' : body.field;
      throw validationError('MEDIA.TYPE_MISMATCH', `${field}: the bytes are ${type}, not ${body.claimedType}`, [
        { field, reason: `the bytes are ${type}, not ${body.claimedType}` },
      ]);
    }
    if (!allowedTypes.includes(type)) {
      throw validationError('MEDIA.TYPE_NOT_ALLOWED', `${body.field}: ${type} is not accepted here`, [
        { field: body.field, reason: `${type} is not among the accepted types (${allowedTypes.join(', ')})` },
      ]);
    }
    if (type === 'application/zip') await refuseZipBomb(body.bytes, body.field, this.config.media.maxZipRatio, maxBytes);
    const image = isImageType(type) ? await this.images.examine(body.bytes, maxPixels, body.field) : null;
    const disagreement = body.claimedDimensions ? dimensionsDisagree(body.claimedDimensions, image) : null;
    if (disagreement) throw validationError('MEDIA.DIMENSIONS_MISMATCH', `${disagreement.field}: ${disagreement.reason}`, [disagreement]);
    const sha256 = await sha256Of(body.bytes);
    const blob = await this.store(ownerId, body.bytes, sha256);
    const thumbnails: MediaThumbnail[] = [];
    for (const thumbnail of image?.thumbnails ?? []) {
      const own = thumbnail.bytes === null ? null : await this.store(ownerId, thumbnail.bytes, await sha256Of(thumbnail.bytes));
      thumbnails.push({
        size: thumbnail.size,
        type: thumbnail.bytes === null ? type : thumbnail.type,
        width: thumbnail.width,
        height: thumbnail.height,
        bytes: thumbnail.bytes?.length ?? body.bytes.length,
        blob: own ?? blob,
      });
    }
    const mediaId = newId();
    const now = new Date().toISOString();
    const { appended } = await this.pipeline.handle(
      mediaDecider,
      streams.media(mediaId),
      async () => ({
        type: 'UploadMedia' as const,
        mediaId,
        actor: context.actor,
        mediaType: type,
        size: body.bytes.length,
        sha256,
        name: body.name,
        width: image?.width ?? null,
        height: image?.height ?? null,
        blob,
        thumbnails,
        fileTransfer: byAdministrator || !fileTransferOff(await this.org.policyOf(context.actor)),
        room: room && { roomId: room.roomId, state: (await this.rooms.load(room.roomId)).state, purpose: room.purpose },
        ownedByRoom,
        now,
      }),
      context,
    );
    return {
      id: mediaId,
      ownerId,
      type,
      size: body.bytes.length,
      width: image?.width ?? null,
      height: image?.height ?? null,
      sha256,
      name: body.name,
      url: mediaUrl(mediaId),
      thumbnails: thumbnailViews(mediaId, thumbnails),
      createdAt: now,
      removed: false,
      position: appended!.position.toString(),
    };
  }

  /** Seals and stores the bytes; resolves once they are durable. */
  private async store(ownerId: string, bytes: Buffer, sha256: string): Promise<string> {
    const sealed = await this.cipher.seal(ownerId, bytes, sha256);
    if (sealed === null) throw notFound('USER.NOT_FOUND', 'The account is removed');
    return (await this.blobs.put(sealed)).address;
  }
}

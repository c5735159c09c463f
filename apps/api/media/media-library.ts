import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from '../../../libs/blob-store/blob-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { ParleyConfig } from '../../../libs/config/config';
import { notFound } from '../../../libs/domain/errors';
import { mediaDecider, type MediaCommand } from '../../../libs/domain/media/media.decider';
import { streams } from '../../../libs/domain/streams';
import { MediaCipher } from '../../../libs/personal-data/media-cipher';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { asMediaDoc, MEDIA, MEDIA_BLOBS, ROOM_MEDIA, type MediaDoc } from '../../../projections/media.projection';
import { ParleyLogger, scopeOf } from '../../../libs/logging/logger';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { PrivacyPolicy } from '../presence/privacy-policy';
import { RoomStates } from '../rooms/room-states';
import { BLOB_STORE } from './media-tokens';
import { mediaView, type MediaView } from './media-views';

/** What a download serves: the bytes' type, size and strong validator. */
export interface Servable {
  readonly type: string;
  readonly size: number;
  readonly etag: string;
  readonly open: (range?: ByteRange) => Promise<Readable | null>;
}

const MEDIA_NOT_FOUND = () => notFound('MEDIA.NOT_FOUND', 'Media not found');

/**
 * Reading media: who may (the uploader; members of a room it belongs to; for
 * a profile photo, whom the owner's photo privacy allows), its metadata from
 * the read model, its bytes from the blob store opened with the owner's key.
 * Another user's private upload is not found (404), like a room one is not in.
 */
@Injectable()
export class MediaLibrary {
  private readonly logger: ParleyLogger;

  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly cipher: MediaCipher,
    private readonly rooms: RoomStates,
    private readonly privacy: PrivacyPolicy,
    private readonly pipeline: CommandPipeline,
    private readonly gate: ReadModelGate,
  ) {
    this.logger = new ParleyLogger(config);
  }

  /** The media as `viewer` may see it; 404 when it does not exist, is deleted, or is not theirs to see. */
  async readable(viewer: string, mediaId: string): Promise<MediaDoc> {
    const doc = asMediaDoc(await this.readStore.get(MEDIA, mediaId));
    if (doc === null || doc.deleted || !(await this.mayRead(viewer, doc))) throw MEDIA_NOT_FOUND();
    return doc;
  }

  async view(viewer: string, mediaId: string): Promise<MediaView> {
    return mediaView(await this.readable(viewer, mediaId));
  }

  /**
   * An administrator's view of `ownerId`'s media (`admin:media`): any of the
   * owner's live media, whatever its audience; 404 when it is not theirs.
   */
  async ofOwnerForAdministrator(ownerId: string, mediaId: string): Promise<MediaDoc> {
    const doc = asMediaDoc(await this.readStore.get(MEDIA, mediaId));
    if (doc === null || doc.deleted || doc.ownerId !== ownerId) throw MEDIA_NOT_FOUND();
    return doc;
  }

  /** The bytes of the media (or of one of its thumbnails) for a download. */
  async servable(viewer: string, mediaId: string, size: number | null): Promise<Servable> {
    return this.servableOf(await this.readable(viewer, mediaId), size);
  }

  /** An administrator's view of a room's media (`admin:media`): any live media of the room; 404 when it is not the room's. */
  async inRoomForAdministrator(roomId: string, mediaId: string): Promise<MediaDoc> {
    const doc = asMediaDoc(await this.readStore.get(MEDIA, mediaId));
    if (doc === null || doc.deleted || !doc.rooms.includes(roomId)) throw MEDIA_NOT_FOUND();
    return doc;
  }

  /** The bytes of a room's media for an administrator. */
  async servableInRoomForAdministrator(roomId: string, mediaId: string, size: number | null): Promise<Servable> {
    return this.servableOf(await this.inRoomForAdministrator(roomId, mediaId), size);
  }

  /** The whole bytes of what a download serves, for answers that carry them inline (Trillian's base64 `data`). */
  async bytesOf(servable: Servable): Promise<Buffer> {
    const stream = await servable.open();
    if (stream === null) throw notFound('MEDIA.REMOVED', 'The media\'s bytes are gone');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  /** The bytes of `ownerId`'s media for an administrator. */
  async servableForAdministrator(ownerId: string, mediaId: string, size: number | null): Promise<Servable> {
    return this.servableOf(await this.ofOwnerForAdministrator(ownerId, mediaId), size);
  }

  servableOf(doc: MediaDoc, size: number | null): Servable {
    if (doc.removed || doc.sha256 === null) throw notFound('MEDIA.REMOVED', "The media's owner was erased: its bytes are gone");
    if (size === null) {
      return { type: doc.type, size: doc.size, etag: `"${doc.sha256}"`, open: (range) => this.cipher.open(this.blobs, doc.ownerId, doc.blob, range) };
    }
    const thumbnail = doc.thumbnails.find((t) => t.size === size);
    if (!thumbnail) throw notFound('MEDIA.THUMBNAIL_NOT_FOUND', `No thumbnail of ${size} px (images have 64, 256 and 1024)`);
    return {
      type: thumbnail.type,
      size: thumbnail.bytes,
      etag: `"${doc.sha256}-${size}"`,
      open: (range) => this.cipher.open(this.blobs, doc.ownerId, thumbnail.blob, range),
    };
  }

  /** A user's own media, newest first. */
  async ofOwner(ownerId: string, limit: number): Promise<MediaView[]> {
    const docs = await this.readStore.find(MEDIA, {
      filter: { ownerId, deleted: false },
      sort: [{ field: 'uploadedAt', direction: 'desc' }],
      limit,
    });
    return docs.map((doc) => mediaView(doc as unknown as MediaDoc));
  }

  /** A room's media (uploads into it, its avatar, comment attachments), newest first; members only. */
  async ofRoom(viewer: string, roomId: string, limit: number): Promise<MediaView[]> {
    const room = (await this.rooms.load(roomId)).state;
    if (room.status !== 'active' || !room.members.has(viewer)) throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return (await this.roomMedia(roomId, limit)).map(mediaView);
  }

  /** A room's media for an administrator (`admin:media`), newest first, whoever the members are; a closed room's too. */
  async ofRoomForAdministrator(roomId: string, limit: number): Promise<MediaDoc[]> {
    if ((await this.rooms.load(roomId)).state.status === 'absent') throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return this.roomMedia(roomId, limit);
  }

  private async roomMedia(roomId: string, limit: number): Promise<MediaDoc[]> {
    const entries = await this.readStore.find(ROOM_MEDIA, { filter: { roomId }, sort: [{ field: 'attachedAt', direction: 'desc' }], limit: limit * 2 });
    const docs = await this.readStore.getMany(MEDIA, entries.map((entry) => entry['mediaId'] as string));
    const byId = new Map(docs.map((doc) => [doc.id, doc as unknown as MediaDoc]));
    return entries
      .map((entry) => byId.get(entry['mediaId'] as string))
      .filter((doc): doc is MediaDoc => doc !== undefined && !doc.deleted)
      .slice(0, limit);
  }

  /**
   * Deletes the media, then its bytes: each blob goes once no live media names
   * it (one owner's same bytes uploaded twice share a blob), which the read
   * model tells once it has passed the deletion.
   */
  async delete(mediaId: string, context: CommandContext, viaRoomId: string | null, asAdministrator = false): Promise<{ readonly position: string }> {
    const { events, appended } = await this.pipeline.handle(
      mediaDecider,
      streams.media(mediaId),
      async (): Promise<MediaCommand> => ({
        type: 'DeleteMedia',
        mediaId,
        actor: context.actor,
        viaRoom: viaRoomId === null ? null : { roomId: viaRoomId, state: (await this.rooms.load(viaRoomId)).state },
        asAdministrator,
        now: new Date().toISOString(),
      }),
      context,
    );
    const position = appended!.position;
    const deleted = events[0];
    if (deleted?.type === 'MediaDeleted') {
      if (await this.gate.waitFor(position, this.config.minPositionWaitMs)) {
        for (const address of deleted.data.blobs) {
          if ((await this.readStore.count(MEDIA_BLOBS, { address })) === 0) await this.blobs.delete(address);
        }
      } else {
        this.logger.warn({ ...scopeOf(context), msg: 'media deleted; its bytes stay until the read models catch up', mediaId }, 'media');
      }
    }
    return { position: position.toString() };
  }

  private async mayRead(viewer: string, doc: MediaDoc): Promise<boolean> {
    if (doc.ownerId === viewer) return true;
    for (const roomId of doc.rooms) {
      const room = (await this.rooms.load(roomId)).state;
      if (room.status === 'active' && room.members.has(viewer)) return true;
    }
    if (doc.photo) return (await this.privacy.profile(viewer, doc.ownerId)).photoUrl !== null;
    return false;
  }
}


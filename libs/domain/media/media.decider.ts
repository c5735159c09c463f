import type { Decider } from '../decider';
import { assertNever, conflict, forbidden, notFound, validationError, type ErrorDetail } from '../errors';
import type { MediaAttached, MediaDeleted, MediaEvent, MediaThumbnail, MediaUploaded, ParleyEvent } from '../events';
import { requireAvatarChange, requireMember, requireRoom, type RoomState } from '../rooms/room.decider';
import { hasCharactersNotInNames, NAME_CHARACTERS_REASON } from '../text';
import { isImageType, KNOWN_MEDIA_TYPES, THUMBNAIL_SIZES } from './media-type';

export type MediaState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'live';
      readonly mediaId: string;
      readonly ownerId: string;
      readonly type: string;
      readonly size: number;
      readonly width: number | null;
      readonly height: number | null;
      readonly blob: string;
      readonly thumbnails: readonly MediaThumbnail[];
      /** Rooms whose media it is or whose avatar it is. */
      readonly rooms: readonly string[];
    }
  | { readonly status: 'deleted'; readonly mediaId: string; readonly ownerId: string };
export type LiveMedia = Extract<MediaState, { status: 'live' }>;

export const initialMediaState: MediaState = { status: 'absent' };

/** Longest file name kept with an upload (Trillian's `name`). */
export const MEDIA_NAME_MAX = 255;

export interface UploadMedia {
  readonly type: 'UploadMedia';
  readonly mediaId: string;
  readonly actor: string;
  /** What the bytes are (sniffed), their size and digest, as the edge measured them. */
  readonly mediaType: string;
  readonly size: number;
  readonly sha256: string;
  readonly name: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly blob: string;
  readonly thumbnails: readonly MediaThumbnail[];
  /**
   * Whether the uploader's organisation policy lets them transfer files
   * (`trillian.filetransfer 0` forbids it). An administrator adding media
   * for a user is not the user transferring a file: true there.
   */
  readonly fileTransfer: boolean;
  /** Upload straight into a room's media (Trillian's group-chat media): the room as it is now. */
  readonly room: { readonly roomId: string; readonly state: RoomState; readonly purpose: MediaAttached['data']['purpose'] } | null;
  /**
   * An administrator's upload into a room's media (`admin:media`, Trillian's
   * "media owned by a group chat"): the room owns it, not the actor, so it is
   * sealed with the room's key and outlives any member; no membership asked.
   */
  readonly ownedByRoom?: boolean;
  readonly now: string;
}

export interface AttachMedia {
  readonly type: 'AttachMedia';
  readonly mediaId: string;
  readonly actor: string;
  readonly roomId: string;
  readonly room: RoomState;
  readonly purpose: MediaAttached['data']['purpose'];
  readonly now: string;
}

export interface DeleteMedia {
  readonly type: 'DeleteMedia';
  readonly mediaId: string;
  readonly actor: string;
  /** Deleting a room's media as that room's operator or owner: the room as it is now. */
  readonly viaRoom: { readonly roomId: string; readonly state: RoomState } | null;
  /**
   * An administrator (an API key with `admin:media`) deleting a user's or a
   * room's media: no ownership asked; through a room, only that room's media.
   */
  readonly asAdministrator?: boolean;
  readonly now: string;
}

export type MediaCommand = UploadMedia | AttachMedia | DeleteMedia;

const MEDIA_NOT_FOUND = () => notFound('MEDIA.NOT_FOUND', 'Media not found');

/** The live media as `actor` may see it in a command: someone else's media is not found (404), so ids do not leak. */
function requireOwnMedia(state: MediaState, actor: string): LiveMedia {
  if (state.status !== 'live' || state.ownerId !== actor) throw MEDIA_NOT_FOUND();
  return state;
}

/**
 * Whether `actor` may put media into the room for `purpose`: a member for the
 * room's media; for its avatar, a member who may change it (the rename
 * permission). Checked before any byte is stored and again in the decision.
 */
export function requireRoomUse(room: RoomState, actor: string, purpose: MediaAttached['data']['purpose']): void {
  const active = requireRoom(room);
  if (purpose === 'avatar') requireAvatarChange(active, actor);
  else requireMember(active, actor);
}

/** Refuses an upload the uploader's organisation policy forbids (`trillian.filetransfer 0`). */
export function requireFileTransfer(allowed: boolean): void {
  if (!allowed) {
    throw forbidden('MEDIA.FILE_TRANSFER_DISABLED', "Your organisation's policy (trillian.filetransfer 0) does not allow file transfer");
  }
}

function checkUpload(command: UploadMedia): void {
  const details: ErrorDetail[] = [];
  if (!(KNOWN_MEDIA_TYPES as readonly string[]).includes(command.mediaType)) details.push({ field: 'type', reason: 'is not a type Parley recognises' });
  if (!Number.isSafeInteger(command.size) || command.size < 0) details.push({ field: 'size', reason: 'must be a whole number of bytes' });
  if (!/^[0-9a-f]{64}$/.test(command.sha256)) details.push({ field: 'sha256', reason: 'must be 64 lowercase hex digits' });
  if (command.name !== null) {
    if (command.name.length === 0 || command.name.length > MEDIA_NAME_MAX) details.push({ field: 'name', reason: `must be 1 to ${MEDIA_NAME_MAX} characters` });
    else if (hasCharactersNotInNames(command.name) || /[/\\]/.test(command.name)) details.push({ field: 'name', reason: `${NAME_CHARACTERS_REASON}, nor / or \\` });
  }
  const image = isImageType(command.mediaType);
  if (image && (command.width === null || command.height === null)) details.push({ field: 'width', reason: 'an image has dimensions' });
  if (!image && (command.width !== null || command.height !== null || command.thumbnails.length > 0)) {
    details.push({ field: 'type', reason: 'only images have dimensions and thumbnails' });
  }
  for (const [field, value] of [['width', command.width], ['height', command.height]] as const) {
    if (value !== null && (!Number.isSafeInteger(value) || value < 1)) details.push({ field, reason: 'must be a whole number of pixels, at least 1' });
  }
  command.thumbnails.forEach((thumbnail, index) => {
    const known = (THUMBNAIL_SIZES as readonly number[]).includes(thumbnail.size);
    const within = Math.max(thumbnail.width, thumbnail.height) <= thumbnail.size;
    const notEnlarged = command.width !== null && command.height !== null && thumbnail.width <= command.width && thumbnail.height <= command.height;
    if (!known || !within || !notEnlarged) {
      details.push({ field: `thumbnails[${index}]`, reason: 'must be one of the documented sizes, within it, and never larger than the original' });
    }
  });
  if (details.length > 0) throw validationError('MEDIA.INVALID', `${details[0]!.field} ${details[0]!.reason}`, details);
}

/** Where an upload may go: an administrator's room-owned upload needs only a live room, for its media. */
export function requireUploadTarget(room: RoomState, actor: string, purpose: MediaAttached['data']['purpose'], ownedByRoom: boolean): void {
  if (!ownedByRoom) return requireRoomUse(room, actor, purpose);
  requireRoom(room);
  if (purpose !== 'room_media') throw validationError('MEDIA.INVALID', "A room owns only its media, not its avatar", [{ field: 'purpose', reason: 'must be room_media' }]);
}

export function decideUploadMedia(command: UploadMedia, state: MediaState): MediaEvent[] {
  if (state.status !== 'absent') throw conflict('MEDIA.ALREADY_EXISTS', 'A media item with this id exists');
  requireFileTransfer(command.fileTransfer);
  checkUpload(command);
  const ownedByRoom = command.ownedByRoom === true;
  if (ownedByRoom && command.room === null) throw validationError('MEDIA.INVALID', 'Media owned by a room names the room', [{ field: 'roomId', reason: 'is required' }]);
  const ownerId = ownedByRoom ? command.room!.roomId : command.actor;
  const uploaded: MediaUploaded = {
    type: 'MediaUploaded',
    data: {
      mediaId: command.mediaId,
      ownerId,
      type: command.mediaType,
      size: command.size,
      sha256: command.sha256,
      name: command.name,
      width: command.width,
      height: command.height,
      blob: command.blob,
      thumbnails: command.thumbnails,
      uploadedAt: command.now,
    },
  };
  if (command.room === null) return [uploaded];
  requireUploadTarget(command.room.state, command.actor, command.room.purpose, ownedByRoom);
  return [uploaded, attached(command.mediaId, ownerId, command.room.roomId, command.room.purpose, command.actor, command.now)];
}

function attached(mediaId: string, ownerId: string, roomId: string, purpose: MediaAttached['data']['purpose'], by: string, at: string): MediaAttached {
  return { type: 'MediaAttached', data: { mediaId, ownerId, roomId, purpose, attachedBy: by, attachedAt: at } };
}

/** Only one's own media goes into a room, and only into a room one belongs to; attaching again changes nothing. */
export function decideAttachMedia(command: AttachMedia, state: MediaState): MediaEvent[] {
  const media = requireOwnMedia(state, command.actor);
  requireRoomUse(command.room, command.actor, command.purpose);
  if (media.rooms.includes(command.roomId) && command.purpose === 'room_media') return [];
  return [attached(media.mediaId, media.ownerId, command.roomId, command.purpose, command.actor, command.now)];
}

/** The uploader deletes their media; an operator or owner of a room deletes that room's media. */
export function decideDeleteMedia(command: DeleteMedia, state: MediaState): MediaEvent[] {
  if (state.status !== 'live') throw MEDIA_NOT_FOUND();
  if (command.asAdministrator === true) {
    if (command.viaRoom !== null && !state.rooms.includes(command.viaRoom.roomId)) throw MEDIA_NOT_FOUND();
  } else if (state.ownerId !== command.actor) {
    const via = command.viaRoom;
    if (via === null || !state.rooms.includes(via.roomId)) throw MEDIA_NOT_FOUND();
    const member = requireMember(requireRoom(via.state), command.actor);
    if (member.role !== 'owner' && member.role !== 'operator') {
      throw forbidden('MEDIA.DELETE_NOT_ALLOWED', "Only the uploader or an operator of the room deletes a room's media");
    }
  }
  const deleted: MediaDeleted = {
    type: 'MediaDeleted',
    data: {
      mediaId: state.mediaId,
      ownerId: state.ownerId,
      blobs: [...new Set([state.blob, ...state.thumbnails.map((t) => t.blob)])],
      deletedBy: command.actor,
      deletedAt: command.now,
    },
  };
  return [deleted];
}

export function evolveMedia(state: MediaState, event: ParleyEvent): MediaState {
  switch (event.type) {
    case 'MediaUploaded': {
      const d = event.data;
      return {
        status: 'live',
        mediaId: d.mediaId,
        ownerId: d.ownerId,
        type: d.type,
        size: d.size,
        width: d.width,
        height: d.height,
        blob: d.blob,
        thumbnails: d.thumbnails,
        rooms: [],
      };
    }
    case 'MediaAttached':
      return state.status === 'live' && !state.rooms.includes(event.data.roomId) ? { ...state, rooms: [...state.rooms, event.data.roomId] } : state;
    case 'MediaDeleted':
      return { status: 'deleted', mediaId: event.data.mediaId, ownerId: event.data.ownerId };
    default:
      return state;
  }
}

export const mediaDecider: Decider<MediaCommand, MediaState, MediaEvent> = {
  initialState: initialMediaState,
  evolve: evolveMedia,
  decide: (command, state) => {
    switch (command.type) {
      case 'UploadMedia':
        return decideUploadMedia(command, state);
      case 'AttachMedia':
        return decideAttachMedia(command, state);
      case 'DeleteMedia':
        return decideDeleteMedia(command, state);
      default:
        return assertNever(command, 'media command');
    }
  },
};

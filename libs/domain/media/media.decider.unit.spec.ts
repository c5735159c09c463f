import { DEFAULT_PERMISSIONS, type MediaEvent, type MediaUploaded, type RoomEvent, type RoomRole } from '../events';
import { evolveRoom, initialRoomState, type RoomState } from '../rooms/room.decider';
import { deciderSpec } from '../testing/given-when-then';
import { mediaDecider, type MediaCommand, type MediaState, type UploadMedia } from './media.decider';

const { given } = deciderSpec<MediaCommand, MediaEvent, MediaState>(mediaDecider as never);

const MEDIA = 'm-1';
const ROOM = 'r-1';
const OWNER = 'u-owner';
const OTHER = 'u-other';
const NOW = '2026-01-01T10:00:00.000Z';
const SHA = 'a'.repeat(64);
const BLOB = 'b'.repeat(64);
const THUMB = 'c'.repeat(64);

function roomWith(members: readonly [string, RoomRole][]): RoomState {
  const events: RoomEvent[] = [
    {
      type: 'RoomCreated',
      data: { roomId: ROOM, kind: 'group', name: 'General', topic: null, avatarUrl: null, createdBy: members[0]![0], permissions: DEFAULT_PERMISSIONS, historyVisibility: 'shared', applicationId: null, createdAt: NOW },
    },
    ...members.map(([userId, role]): RoomEvent => ({ type: 'MemberAdded', data: { roomId: ROOM, userId, role, addedBy: members[0]![0], addedAt: NOW } })),
  ];
  return events.reduce(evolveRoom, initialRoomState);
}

const upload = (overrides: Partial<UploadMedia> = {}): UploadMedia => ({
  type: 'UploadMedia',
  mediaId: MEDIA,
  actor: OWNER,
  mediaType: 'image/jpeg',
  size: 5000,
  sha256: SHA,
  name: 'harbour.jpg',
  width: 640,
  height: 480,
  blob: BLOB,
  thumbnails: [{ size: 64, type: 'image/jpeg', width: 64, height: 48, bytes: 900, blob: THUMB }],
  fileTransfer: true,
  room: null,
  now: NOW,
  ...overrides,
});

const uploaded = (overrides: Partial<MediaUploaded['data']> = {}): MediaEvent => ({
  type: 'MediaUploaded',
  data: {
    mediaId: MEDIA,
    ownerId: OWNER,
    type: 'image/jpeg',
    size: 5000,
    sha256: SHA,
    name: 'harbour.jpg',
    width: 640,
    height: 480,
    blob: BLOB,
    thumbnails: [{ size: 64, type: 'image/jpeg', width: 64, height: 48, bytes: 900, blob: THUMB }],
    uploadedAt: NOW,
    ...overrides,
  },
});
const attachedTo = (roomId = ROOM, purpose: 'room_media' | 'avatar' = 'room_media'): MediaEvent => ({
  type: 'MediaAttached',
  data: { mediaId: MEDIA, ownerId: OWNER, roomId, purpose, attachedBy: OWNER, attachedAt: NOW },
});

describe('media decider', () => {
  describe('UploadMedia', () => {
    it('given nothing, when an image is uploaded, then MediaUploaded records its metadata only', () => {
      given([]).when(upload()).then([uploaded()]);
    });

    it('given nothing, when uploaded into a room the uploader belongs to, then it is attached to that room in the same append', () => {
      given([])
        .when(upload({ room: { roomId: ROOM, state: roomWith([[OWNER, 'owner']]), purpose: 'room_media' } }))
        .then([uploaded(), attachedTo()]);
    });

    it('given nothing, when uploaded into a room the uploader does not belong to, then the room is not found', () => {
      given([])
        .when(upload({ room: { roomId: ROOM, state: roomWith([[OTHER, 'owner']]), purpose: 'room_media' } }))
        .thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it("given nothing, when uploaded as a room's avatar by a member who may change it, then it is attached as the avatar", () => {
      given([])
        .when(upload({ room: { roomId: ROOM, state: roomWith([[OWNER, 'owner']]), purpose: 'avatar' } }))
        .then([uploaded(), attachedTo(ROOM, 'avatar')]);
    });

    it("given nothing, when a plain member uploads the avatar of a room whose members may not rename it, then it is forbidden", () => {
      const locked = evolveRoom(roomWith([[OTHER, 'owner'], [OWNER, 'member']]), {
        type: 'RoomPermissionsChanged',
        data: { roomId: ROOM, permissions: { ...DEFAULT_PERMISSIONS, rename: false }, changedBy: OTHER, changedAt: NOW },
      });
      given([])
        .when(upload({ room: { roomId: ROOM, state: locked, purpose: 'avatar' } }))
        .thenThrows('ROOM.RENAME_NOT_ALLOWED', 'forbidden');
    });

    it("given nothing, when an administrator uploads into a room's media as the room's own, then the room owns it, attached in the same append", () => {
      given([])
        .when(upload({ actor: 'key-1', ownedByRoom: true, room: { roomId: ROOM, state: roomWith([[OTHER, 'owner']]), purpose: 'room_media' } }))
        .then([uploaded({ ownerId: ROOM }), { type: 'MediaAttached', data: { mediaId: MEDIA, ownerId: ROOM, roomId: ROOM, purpose: 'room_media', attachedBy: 'key-1', attachedAt: NOW } }]);
    });

    it('given nothing, when a room-owned upload names no room or a closed one, then it is refused', () => {
      given([]).when(upload({ ownedByRoom: true, room: null })).thenThrows('MEDIA.INVALID', 'validation');
      given([]).when(upload({ ownedByRoom: true, room: { roomId: ROOM, state: initialRoomState, purpose: 'room_media' } })).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it('given nothing, when a user whose policy forbids file transfer uploads, then it is forbidden', () => {
      given([]).when(upload({ fileTransfer: false })).thenThrows('MEDIA.FILE_TRANSFER_DISABLED', 'forbidden');
    });

    it('given an upload, when the same id is uploaded again, then it conflicts', () => {
      given([uploaded()]).when(upload()).thenThrows('MEDIA.ALREADY_EXISTS', 'conflict');
    });

    it('refuses a thumbnail larger than the original (never enlarged)', () => {
      const error = given([])
        .when(upload({ width: 40, height: 30, thumbnails: [{ size: 64, type: 'image/jpeg', width: 64, height: 48, bytes: 1, blob: THUMB }] }))
        .thenThrows('MEDIA.INVALID', 'validation');
      expect(error.details).toEqual([expect.objectContaining({ field: 'thumbnails[0]' })]);
    });

    it('refuses dimensions or thumbnails on what is not an image, and an image without dimensions', () => {
      given([]).when(upload({ mediaType: 'application/pdf' })).thenThrows('MEDIA.INVALID', 'validation');
      given([]).when(upload({ width: null, height: null, thumbnails: [] })).thenThrows('MEDIA.INVALID', 'validation');
    });

    it('refuses a file name with a path or control characters', () => {
      const error = given([]).when(upload({ name: '../etc/passwd' })).thenThrows('MEDIA.INVALID', 'validation');
      expect(error.details).toEqual([expect.objectContaining({ field: 'name' })]);
      given([]).when(upload({ name: 'a\u0000b' })).thenThrows('MEDIA.INVALID', 'validation');
    });
  });

  describe('AttachMedia', () => {
    const attach = (actor = OWNER, room = roomWith([[OWNER, 'owner']])): MediaCommand => ({
      type: 'AttachMedia',
      mediaId: MEDIA,
      actor,
      roomId: ROOM,
      room,
      purpose: 'room_media',
      now: NOW,
    });

    it('given an upload, when its owner adds it to their room, then MediaAttached', () => {
      given([uploaded()]).when(attach()).then([attachedTo()]);
    });

    it('given media already in the room, when added again, then nothing changes', () => {
      given([uploaded(), attachedTo()]).when(attach()).then([]);
    });

    it("given someone else's upload, when another user attaches it, then it is not found", () => {
      given([uploaded()]).when(attach(OTHER, roomWith([[OTHER, 'owner']]))).thenThrows('MEDIA.NOT_FOUND', 'not_found');
    });

    it('given deleted media, when attached, then it is not found', () => {
      given([uploaded(), { type: 'MediaDeleted', data: { mediaId: MEDIA, ownerId: OWNER, blobs: [BLOB, THUMB], deletedBy: OWNER, deletedAt: NOW } }])
        .when(attach())
        .thenThrows('MEDIA.NOT_FOUND', 'not_found');
    });
  });

  describe('DeleteMedia', () => {
    const del = (actor: string, viaRoom: RoomState | null = null): MediaCommand => ({
      type: 'DeleteMedia',
      mediaId: MEDIA,
      actor,
      viaRoom: viaRoom && { roomId: ROOM, state: viaRoom },
      now: NOW,
    });
    const deleted = (by: string): MediaEvent => ({
      type: 'MediaDeleted',
      data: { mediaId: MEDIA, ownerId: OWNER, blobs: [BLOB, THUMB], deletedBy: by, deletedAt: NOW },
    });

    it('given an upload, when the uploader deletes it, then MediaDeleted names every blob to remove', () => {
      given([uploaded()]).when(del(OWNER)).then([deleted(OWNER)]);
    });

    it("given room media, when an operator of the room deletes it, then MediaDeleted", () => {
      given([uploaded(), attachedTo()])
        .when(del(OTHER, roomWith([[OWNER, 'owner'], [OTHER, 'operator']])))
        .then([deleted(OTHER)]);
    });

    it('given room media, when a plain member deletes it, then it is forbidden', () => {
      given([uploaded(), attachedTo()])
        .when(del(OTHER, roomWith([[OWNER, 'owner'], [OTHER, 'member']])))
        .thenThrows('MEDIA.DELETE_NOT_ALLOWED', 'forbidden');
    });

    it("given someone's private upload, when another user deletes it, then it is not found", () => {
      given([uploaded()]).when(del(OTHER)).thenThrows('MEDIA.NOT_FOUND', 'not_found');
    });

    it("given someone's private upload, when an administrator deletes it, then MediaDeleted names the administrator", () => {
      given([uploaded()]).when({ ...(del('apikey:admin') as Extract<MediaCommand, { type: 'DeleteMedia' }>), asAdministrator: true }).then([deleted('apikey:admin')]);
    });

    it("given a room's media, when an administrator deletes it through that room, then MediaDeleted; through another room, not found", () => {
      const command = (roomId: string): MediaCommand => ({ type: 'DeleteMedia', mediaId: MEDIA, actor: 'key-1', viaRoom: { roomId, state: initialRoomState }, asAdministrator: true, now: NOW });
      given([uploaded({ ownerId: ROOM }), attachedTo()])
        .when(command(ROOM))
        .then([{ type: 'MediaDeleted', data: { mediaId: MEDIA, ownerId: ROOM, blobs: [BLOB, THUMB], deletedBy: 'key-1', deletedAt: NOW } }]);
      given([uploaded({ ownerId: ROOM }), attachedTo()]).when(command('r-2')).thenThrows('MEDIA.NOT_FOUND', 'not_found');
    });

    it('given deleted media, when deleted again, then it is not found', () => {
      given([uploaded(), deleted(OWNER)]).when(del(OWNER)).thenThrows('MEDIA.NOT_FOUND', 'not_found');
    });
  });
});

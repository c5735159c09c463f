import type { RoomPermissions } from '../../../../libs/domain/events';
import { validationError } from '../../../../libs/domain/errors';
import type { AdminRoomMemberView, AdminRoomView } from '../../rooms/admin-rooms';

/**
 * Trillian's group chat flags (an unsigned 32-bit mask) onto Parley's named
 * settings: DELETED is a deleted room, DISABLE_LIST an unlisted one, and each
 * DISABLE_* switches off what plain members may do (DISABLE_MESSAGE_SEND makes
 * the room moderated). The rules stay the room decider's.
 */
export const GROUPCHAT_FLAGS = {
  DELETED: 0x1,
  DISABLE_DISPLAYNAME_SET: 0x100,
  DISABLE_TOPIC_SET: 0x200,
  DISABLE_LIST: 0x400,
  DISABLE_MEMBER_ADD: 0x800,
  DISABLE_MEMBER_REMOVE: 0x1000,
  DISABLE_MESSAGE_SEND: 0x2000,
} as const;
const KNOWN = Object.values(GROUPCHAT_FLAGS).reduce((all, bit) => all | bit, 0);

export const MEMBER_FLAGS = { OP: 0x1, VOICE: 0x2 } as const;

export interface GroupchatSettings {
  readonly deleted: boolean;
  readonly unlisted: boolean;
  readonly permissions: RoomPermissions;
}

/** A `flags` parameter: a whole number within 32 bits naming only known flags; otherwise a 400 naming `flags`. */
export function parseFlags(value: string, known = KNOWN): number {
  const flags = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(flags) || flags > 0xffffffff) {
    throw validationError('REQUEST.VALIDATION_FAILED', 'flags must be an unsigned 32-bit integer', [{ field: 'flags', reason: 'must be an unsigned 32-bit integer' }]);
  }
  const unknown = flags & ~known;
  if (unknown !== 0) {
    throw validationError('TRILLIAN.FLAGS_UNKNOWN', `flags holds unknown bits 0x${(unknown >>> 0).toString(16)}`, [
      { field: 'flags', reason: `unknown bits 0x${(unknown >>> 0).toString(16)}` },
    ]);
  }
  return flags;
}

export function settingsOf(flags: number): GroupchatSettings {
  const off = (bit: number) => (flags & bit) === 0;
  return {
    deleted: !off(GROUPCHAT_FLAGS.DELETED),
    unlisted: !off(GROUPCHAT_FLAGS.DISABLE_LIST),
    permissions: {
      rename: off(GROUPCHAT_FLAGS.DISABLE_DISPLAYNAME_SET),
      changeTopic: off(GROUPCHAT_FLAGS.DISABLE_TOPIC_SET),
      addMembers: off(GROUPCHAT_FLAGS.DISABLE_MEMBER_ADD),
      removeMembers: off(GROUPCHAT_FLAGS.DISABLE_MEMBER_REMOVE),
      send: off(GROUPCHAT_FLAGS.DISABLE_MESSAGE_SEND),
    },
  };
}

export function flagsOf(room: AdminRoomView): number {
  const p = room.permissions;
  return (
    (room.deleted ? GROUPCHAT_FLAGS.DELETED : 0) |
    (p.rename ? 0 : GROUPCHAT_FLAGS.DISABLE_DISPLAYNAME_SET) |
    (p.changeTopic ? 0 : GROUPCHAT_FLAGS.DISABLE_TOPIC_SET) |
    (room.unlisted ? GROUPCHAT_FLAGS.DISABLE_LIST : 0) |
    (p.addMembers ? 0 : GROUPCHAT_FLAGS.DISABLE_MEMBER_ADD) |
    (p.removeMembers ? 0 : GROUPCHAT_FLAGS.DISABLE_MEMBER_REMOVE) |
    (p.send ? 0 : GROUPCHAT_FLAGS.DISABLE_MESSAGE_SEND)
  );
}

/** OP for operators and owners (Trillian knows no owner), VOICE for voiced members. */
export const memberFlagsOf = (member: AdminRoomMemberView): number =>
  (member.role === 'member' ? 0 : MEMBER_FLAGS.OP) | (member.voice ? MEMBER_FLAGS.VOICE : 0);

import type { ParleyEvent } from '../events';

/**
 * Which of a room stream's events make an item of the room's timeline, and
 * what the item says. One rule, read by the timeline projection (which gives
 * each item its per-room event id, `ord`) and by the comment sequencer (which
 * answers a comment's event id at write time, without waiting for the
 * projection): both must count the same items, or the ids drift apart.
 *
 * A comment is always an item; this rule is about the system items Qiscus,
 * Vonage and Nexmo show for room events. It depends on the event and on who
 * created the room, a fact that never changes, so a replay decides the same.
 */
export type SystemEventKind =
  | 'room_created'
  | 'member_added'
  | 'member_invited'
  | 'member_joined'
  | 'member_removed'
  | 'member_left'
  | 'room_renamed'
  | 'topic_changed'
  | 'avatar_changed';

export interface SystemItem {
  readonly kind: SystemEventKind;
  readonly actorId: string;
  readonly subjectId?: string;
  readonly name?: string;
  readonly topic?: string | null;
  readonly avatarUrl?: string | null;
  /** When it happened, as the event says. */
  readonly at: string;
}

/**
 * The system item a room event makes, or null. `createdBy` is the room's
 * creator (RoomCreated's `createdBy`; null before the room exists, when no
 * event of the room makes an item but RoomCreated itself).
 */
export function systemItemOf(event: ParleyEvent, createdBy: string | null): SystemItem | null {
  switch (event.type) {
    case 'RoomCreated':
      return { kind: 'room_created', actorId: event.data.createdBy, name: event.data.name, at: event.data.createdAt };
    case 'MemberAdded': {
      const d = event.data;
      if (createdBy === null) return null;
      // An accepted invitation: the member joined by themselves.
      if (d.invitedBy !== undefined) return { kind: 'member_joined', actorId: d.userId, at: d.addedAt };
      // The creator's own membership is the room's creation; anyone else adding themselves joined.
      if (d.userId === d.addedBy && createdBy === d.userId) return null;
      if (d.userId === d.addedBy) return { kind: 'member_joined', actorId: d.userId, at: d.addedAt };
      return { kind: 'member_added', actorId: d.addedBy, subjectId: d.userId, at: d.addedAt };
    }
    case 'MemberInvited':
      return createdBy === null ? null : { kind: 'member_invited', actorId: event.data.invitedBy, subjectId: event.data.userId, at: event.data.invitedAt };
    case 'MemberRemoved':
      return createdBy === null ? null : { kind: 'member_removed', actorId: event.data.removedBy, subjectId: event.data.userId, at: event.data.removedAt };
    case 'MemberLeft':
      return createdBy === null ? null : { kind: 'member_left', actorId: event.data.userId, at: event.data.leftAt };
    case 'RoomRenamed':
      return createdBy === null ? null : { kind: 'room_renamed', actorId: event.data.renamedBy, name: event.data.name, at: event.data.renamedAt };
    case 'RoomTopicChanged':
      return createdBy === null ? null : { kind: 'topic_changed', actorId: event.data.changedBy, topic: event.data.topic, at: event.data.changedAt };
    case 'RoomAvatarChanged':
      return createdBy === null ? null : { kind: 'avatar_changed', actorId: event.data.changedBy, avatarUrl: event.data.avatarUrl, at: event.data.changedAt };
    default:
      return null;
  }
}

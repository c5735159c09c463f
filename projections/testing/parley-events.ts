import {
  DEFAULT_PERMISSIONS,
  type CommentDeleted,
  type CommentPosted,
  type MemberAdded,
  type MemberLeft,
  type MemberMuteChanged,
  type MemberRemoved,
  type MemberRoleChanged,
  type RoomAvatarChanged,
  type RoomCreated,
  type RoomMarkedUnread,
  type HistoryCleared,
  type RoomPermissions,
  type RoomPermissionsChanged,
  type RoomRead,
  type RoomRenamed,
  type RoomRole,
  type RoomTopicChanged,
  type UsernameClaimed,
  type UserRegistered,
} from '../../libs/domain/events';

/** Domain events with test defaults, for projection specs. `at(n)` is minute n of a fixed hour. */
export const at = (minute: number): string => `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

export const OWNER = 'u-owner';

export const usernameClaimed = (username: string, userId: string): UsernameClaimed => ({
  type: 'UsernameClaimed',
  data: { username, userId },
});

export const userRegistered = (userId: string, data: Partial<UserRegistered['data']> = {}): UserRegistered => ({
  type: 'UserRegistered',
  data: { userId, username: userId, displayName: userId, passwordHash: 'secret-hash', registeredAt: at(0), ...data },
});

export const roomCreated = (roomId: string, data: Partial<RoomCreated['data']> = {}): RoomCreated => ({
  type: 'RoomCreated',
  data: {
    roomId,
    kind: 'group',
    name: 'General',
    topic: null,
    avatarUrl: null,
    createdBy: OWNER,
    permissions: DEFAULT_PERMISSIONS,
    historyVisibility: 'shared',
    applicationId: null,
    createdAt: at(0),
    ...data,
  },
});

export const memberAdded = (
  roomId: string,
  userId: string,
  data: Partial<Omit<MemberAdded['data'], 'role'>> & { role?: RoomRole } = {},
): MemberAdded => ({
  type: 'MemberAdded',
  data: { roomId, userId, role: 'member', addedBy: OWNER, addedAt: at(1), ...data },
});

export const memberRemoved = (roomId: string, userId: string, data: Partial<MemberRemoved['data']> = {}): MemberRemoved => ({
  type: 'MemberRemoved',
  data: { roomId, userId, removedBy: OWNER, removedAt: at(20), ...data },
});

export const memberLeft = (roomId: string, userId: string, leftAt = at(20)): MemberLeft => ({
  type: 'MemberLeft',
  data: { roomId, userId, leftAt },
});

export const roleChanged = (roomId: string, userId: string, role: RoomRole, changedAt = at(10)): MemberRoleChanged => ({
  type: 'MemberRoleChanged',
  data: { roomId, userId, role, changedBy: OWNER, changedAt },
});

export const muteChanged = (roomId: string, userId: string, muted: boolean, changedAt = at(10)): MemberMuteChanged => ({
  type: 'MemberMuteChanged',
  data: { roomId, userId, muted, changedBy: OWNER, changedAt },
});

export const renamed = (roomId: string, name: string, renamedBy = OWNER, renamedAt = at(10)): RoomRenamed => ({
  type: 'RoomRenamed',
  data: { roomId, name, renamedBy, renamedAt },
});

export const topicChanged = (roomId: string, topic: string | null, changedBy = OWNER): RoomTopicChanged => ({
  type: 'RoomTopicChanged',
  data: { roomId, topic, changedBy, changedAt: at(10) },
});

export const avatarChanged = (roomId: string, avatarUrl: string | null): RoomAvatarChanged => ({
  type: 'RoomAvatarChanged',
  data: { roomId, avatarUrl, changedBy: OWNER, changedAt: at(10) },
});

export const permissionsChanged = (roomId: string, permissions: Partial<RoomPermissions>): RoomPermissionsChanged => ({
  type: 'RoomPermissionsChanged',
  data: { roomId, permissions: { ...DEFAULT_PERMISSIONS, ...permissions }, changedBy: OWNER, changedAt: at(10) },
});

export const commentPosted = (roomId: string, seq: number, data: Partial<CommentPosted['data']> = {}): CommentPosted => ({
  type: 'CommentPosted',
  data: {
    commentId: `${roomId}-c${seq}`,
    roomId,
    seq,
    previousId: seq > 1 ? `${roomId}-c${seq - 1}` : null,
    senderId: OWNER,
    text: `comment ${seq}`,
    commentType: 'text',
    payload: null,
    replyTo: null,
    clientId: null,
    postedAt: at(30 + seq),
    ...data,
  },
});

export const commentDeleted = (roomId: string, seq: number, data: Partial<CommentDeleted['data']> = {}): CommentDeleted => ({
  type: 'CommentDeleted',
  data: { commentId: `${roomId}-c${seq}`, roomId, seq, deletedBy: OWNER, deletedAt: at(50), ...data },
});

export const roomRead = (roomId: string, userId: string, seq: number): RoomRead => ({
  type: 'RoomRead',
  data: { roomId, userId, seq, readAt: at(55) },
});

export const markedUnread = (roomId: string, userId: string, lastReadSeq: number): RoomMarkedUnread => ({
  type: 'RoomMarkedUnread',
  data: { roomId, userId, lastReadSeq, markedAt: at(56) },
});

export const historyCleared = (roomId: string, userId: string, throughSeq: number): HistoryCleared => ({
  type: 'HistoryCleared',
  data: { roomId, userId, throughSeq, clearedAt: at(57) },
});

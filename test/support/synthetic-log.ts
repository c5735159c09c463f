import { DEFAULT_PERMISSIONS, EVENT_VERSIONS, type ParleyEvent } from '../../libs/domain/events';
import { idFromKey } from '../../libs/domain/ids';
import { streams } from '../../libs/domain/streams';
import type { EventStore, NewEvent } from '../../libs/event-store/event-store.port';

export interface SyntheticLogShape {
  readonly users: number;
  readonly rooms: number;
  readonly membersPerRoom: number;
  readonly comments: number;
  /** Appends per store call for comments; larger is faster to write. */
  readonly batch?: number;
}

const envelope = (event: ParleyEvent, key: string): NewEvent => ({
  id: idFromKey('synthetic', key),
  type: event.type,
  version: EVENT_VERSIONS[event.type],
  data: event.data,
  metadata: { actor: 'system', correlationId: 'synthetic' },
});

/**
 * Writes a realistic Parley log straight into an event store: users, rooms
 * with members, renames, deletions, read markers and comments spread over the
 * rooms. Deterministic for a given shape, so two stores get the same log.
 */
export async function writeSyntheticLog(store: EventStore, shape: SyntheticLogShape): Promise<void> {
  const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
  const userIds = Array.from({ length: shape.users }, (_, i) => idFromKey('synthetic-user', String(i)));
  for (const [i, userId] of userIds.entries()) {
    await store.append(
      streams.user(userId),
      [
        envelope(
          {
            type: 'UserRegistered',
            data: { userId, username: `user${i}`, displayName: `User ${i}`, passwordHash: 'x', registeredAt: at(i) },
          },
          `user-${i}`,
        ),
      ],
      'no_stream',
    );
  }
  const roomIds = Array.from({ length: shape.rooms }, (_, i) => idFromKey('synthetic-room', String(i)));
  const members = (r: number) =>
    Array.from({ length: Math.min(shape.membersPerRoom, userIds.length) }, (_, k) => userIds[(r + k) % userIds.length]!);
  for (const [r, roomId] of roomIds.entries()) {
    const [owner, ...rest] = members(r);
    const events: ParleyEvent[] = [
      {
        type: 'RoomCreated',
        data: { roomId, kind: 'group', name: `Room ${r}`, topic: null, avatarUrl: null, createdBy: owner!, permissions: DEFAULT_PERMISSIONS, historyVisibility: 'shared', applicationId: null, createdAt: at(r) },
      },
      { type: 'MemberAdded', data: { roomId, userId: owner!, role: 'owner', addedBy: owner!, addedAt: at(r) } },
      ...rest.map((userId): ParleyEvent => ({ type: 'MemberAdded', data: { roomId, userId, role: 'member', addedBy: owner!, addedAt: at(r) } })),
      { type: 'RoomRenamed', data: { roomId, name: `Room ${r}!`, renamedBy: owner!, renamedAt: at(r) } },
    ];
    await store.append(streams.room(roomId), events.map((e, k) => envelope(e, `room-${r}-${k}`)), 'no_stream');
  }
  const lastSeq = new Array<number>(roomIds.length).fill(0);
  const lastId = new Array<string | null>(roomIds.length).fill(null);
  const batch = shape.batch ?? 1;
  for (let c = 0; c < shape.comments; c += batch) {
    const pending: Promise<unknown>[] = [];
    for (let k = c; k < Math.min(c + batch, shape.comments); k++) {
      const r = k % roomIds.length;
      const roomId = roomIds[r]!;
      const roomMembers = members(r);
      const senderId = roomMembers[k % roomMembers.length]!;
      const seq = ++lastSeq[r]!;
      const commentId = idFromKey('synthetic-comment', String(k));
      const posted: ParleyEvent = {
        type: 'CommentPosted',
        data: { commentId, roomId, seq, previousId: lastId[r]!, senderId, text: `comment ${k} in room ${r}`, commentType: 'text', payload: null, replyTo: null, clientId: null, postedAt: at(shape.users + k) },
      };
      lastId[r] = commentId;
      pending.push(store.append(streams.comments(roomId), [{ ...envelope(posted, `comment-${k}`), id: commentId }], seq === 1 ? 'no_stream' : seq - 2));
      if (k % 97 === 0) {
        const reader = roomMembers[(k + 1) % roomMembers.length]!;
        pending.push(
          store.append(
            streams.readMarker(roomId, reader),
            [envelope({ type: 'RoomRead', data: { roomId, userId: reader, seq, readAt: at(shape.users + k) } }, `read-${k}`)],
            'any',
          ),
        );
      }
      if (k % 211 === 0) {
        pending.push(
          store.append(
            streams.comment(commentId),
            [envelope({ type: 'CommentDeleted', data: { commentId, roomId, seq, deletedBy: senderId, deletedAt: at(shape.users + k) } }, `delete-${k}`)],
            'no_stream',
          ),
        );
      }
    }
    await Promise.all(pending);
  }
}

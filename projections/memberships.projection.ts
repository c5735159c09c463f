import type { Projection, ProjectionContext } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';
import { revised } from '../libs/projection/revised';

/**
 * One document per (room, member): the member's role, read marker and the
 * room's activity, so that "my rooms, most recent first, with unread counts"
 * is one indexed range read. Activity fans out to every member's document;
 * `membership_rooms` keeps each room's member list for that fan-out, so this
 * read model never reads another projection's collections.
 */
export const membershipId = (roomId: string, userId: string) => `${roomId}:${userId}`;

const memberIds = (doc: Doc) => (doc['memberIds'] ?? []) as string[];

async function touchAll(
  ctx: ProjectionContext,
  roomId: string,
  change: (membership: Doc, userId: string) => Doc,
): Promise<void> {
  const room = await ctx.get('membership_rooms', roomId);
  if (!room) return;
  // The members' documents in one read, not one each.
  await ctx.prefetch('memberships', memberIds(room).map((userId) => membershipId(roomId, userId)));
  for (const userId of memberIds(room)) {
    // Only current members: fan-out cost follows the room's size, not its history.
    await ctx.update('memberships', membershipId(roomId, userId), (doc) => change(doc, userId));
  }
}

export const membershipsProjection: Projection = {
  name: 'memberships',
  version: 1,
  collections: [
    {
      name: 'memberships',
      // Filter fields, sort field, then `id`, the tie-breaker every sort ends in (decision 0022).
      indexes: [
        { fields: ['userId', 'active', 'lastActivityAt', 'id'] },
        { fields: ['roomId', 'active', 'joinedAt', 'id'] },
      ],
    },
    { name: 'membership_rooms', indexes: [] },
  ],
  // A batch's rooms (member lists) in one read; the members' documents follow from them.
  prefetch: (event) => {
    const roomId = (event.data as { roomId?: unknown }).roomId;
    return typeof roomId === 'string' ? [{ collection: 'membership_rooms', id: roomId }] : [];
  },
  handlers: {
    RoomCreated: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'membership_rooms',
        d.roomId,
        (doc) => revised(doc, { memberIds: [], lastSeq: 0, lastActivityAt: d.createdAt }),
        () => ({ id: d.roomId }),
      );
    },
    MemberAdded: async (event, ctx) => {
      const d = event.data;
      const room = await ctx.get('membership_rooms', d.roomId);
      if (!room) return;
      await ctx.update('membership_rooms', d.roomId, (doc) => revised(doc, {
        memberIds: [...memberIds(doc).filter((id) => id !== d.userId), d.userId],
      }));
      const lastSeq = (room['lastSeq'] as number) ?? 0;
      await ctx.update(
        'memberships',
        membershipId(d.roomId, d.userId),
        (doc) => revised(doc, {
          roomId: d.roomId,
          userId: d.userId,
          active: true,
          role: d.role,
          muted: false,
          joinedAt: d.addedAt,
          // A new member starts with the history read: unread counts what comes after joining.
          lastReadSeq: lastSeq,
          markedUnread: false,
          lastSeq,
          lastActivityAt: d.addedAt,
        }),
        () => ({ id: membershipId(d.roomId, d.userId) }),
      );
    },
    MemberRemoved: async (event, ctx) => removeMember(ctx, event.data.roomId, event.data.userId),
    MemberLeft: async (event, ctx) => removeMember(ctx, event.data.roomId, event.data.userId),
    MemberRoleChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('memberships', membershipId(d.roomId, d.userId), (doc) => revised(doc, { role: d.role }));
    },
    MemberMuteChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('memberships', membershipId(d.roomId, d.userId), (doc) => revised(doc, { muted: d.muted }));
    },
    MemberVoiceChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('memberships', membershipId(d.roomId, d.userId), (doc) => revised(doc, { voice: d.voice }));
    },
    CommentPosted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('membership_rooms', d.roomId, (doc) => revised(doc, {
        lastSeq: d.seq,
        lastActivityAt: d.postedAt,
      }));
      await touchAll(ctx, d.roomId, (doc, userId) => revised(doc, {
        lastSeq: d.seq,
        lastActivityAt: d.postedAt,
        // Posting reads everything before one's own comment.
        ...(userId === d.senderId ? { lastReadSeq: d.seq, markedUnread: false } : {}),
      }));
    },
    RoomRead: async (event, ctx) => {
      const d = event.data;
      await ctx.update('memberships', membershipId(d.roomId, d.userId), (doc) => revised(doc, {
        lastReadSeq: Math.max((doc['lastReadSeq'] as number) ?? 0, d.seq),
        markedUnread: false,
      }));
    },
    RoomMarkedUnread: async (event, ctx) => {
      const d = event.data;
      await ctx.update('memberships', membershipId(d.roomId, d.userId), (doc) => revised(doc, { markedUnread: true }));
    },
    HistoryCleared: async (event, ctx) => {
      const d = event.data;
      await ctx.update('memberships', membershipId(d.roomId, d.userId), (doc) => revised(doc, {
        // Reads hide the comments up to here from this member alone; what is cleared is read.
        clearedThroughSeq: Math.max((doc['clearedThroughSeq'] as number | undefined) ?? 0, d.throughSeq),
        lastReadSeq: Math.max((doc['lastReadSeq'] as number) ?? 0, d.throughSeq),
        markedUnread: false,
      }));
    },
  },
};

async function removeMember(ctx: ProjectionContext, roomId: string, userId: string): Promise<void> {
  await ctx.update('membership_rooms', roomId, (doc) => revised(doc, {
    memberIds: memberIds(doc).filter((id) => id !== userId),
  }));
  // A tombstone rather than a delete: a redelivered, older MemberAdded must not resurrect it.
  await ctx.update('memberships', membershipId(roomId, userId), (doc) => revised(doc, { active: false }));
}

/** Unread comments of a membership document: Warmshowers' "marked unread" counts as at least one. */
export function unreadCount(doc: Doc): number {
  const lastSeq = (doc['lastSeq'] as number) ?? 0;
  const lastReadSeq = (doc['lastReadSeq'] as number) ?? 0;
  const unread = Math.max(0, lastSeq - lastReadSeq);
  return doc['markedUnread'] === true ? Math.max(1, unread) : unread;
}

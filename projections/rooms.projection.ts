import { aliasOf } from '../libs/domain/aliases';
import type { Projection } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';

/**
 * One document per room: its settings, members with their roles, the last
 * comment and the comment counter. Serves room details and the room part of
 * the room list.
 */
export interface RoomMemberEntry {
  readonly role: string;
  readonly muted: boolean;
  readonly joinedAt: string;
}

const members = (doc: Doc) => (doc['members'] ?? {}) as Record<string, RoomMemberEntry>;

export const roomsProjection: Projection = {
  name: 'rooms',
  // v2: `alias`, the room's integer id (libs/domain/aliases.ts), and the last comment's.
  version: 2,
  collections: [{ name: 'rooms', indexes: [{ fields: ['lastActivityAt'] }, { fields: ['alias'] }] }],
  // A batch's rooms in one read.
  prefetch: (event) => {
    const roomId = (event.data as { roomId?: unknown }).roomId;
    return typeof roomId === 'string' ? [{ collection: 'rooms', id: roomId }] : [];
  },
  handlers: {
    RoomCreated: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'rooms',
        d.roomId,
        (doc) => ({
          ...doc,
          alias: aliasOf(event.position),
          kind: d.kind,
          name: d.name,
          topic: d.topic,
          avatarUrl: d.avatarUrl,
          createdBy: d.createdBy,
          createdAt: d.createdAt,
          permissions: d.permissions,
          historyVisibility: d.historyVisibility,
          members: {},
          memberCount: 0,
          lastSeq: 0,
          lastComment: null,
          lastActivityAt: d.createdAt,
        }),
        () => ({ id: d.roomId }),
      );
    },
    MemberAdded: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => {
        const next = { ...members(doc), [d.userId]: { role: d.role, muted: false, joinedAt: d.addedAt } };
        return { ...doc, members: next, memberCount: Object.keys(next).length };
      });
    },
    MemberRemoved: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => withoutMember(doc, event.data.userId));
    },
    MemberLeft: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => withoutMember(doc, event.data.userId));
    },
    MemberRoleChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => withMember(doc, d.userId, (m) => ({ ...m, role: d.role })));
    },
    MemberMuteChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => withMember(doc, d.userId, (m) => ({ ...m, muted: d.muted })));
    },
    RoomRenamed: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => ({ ...doc, name: event.data.name }));
    },
    RoomTopicChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => ({ ...doc, topic: event.data.topic }));
    },
    RoomAvatarChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => ({ ...doc, avatarUrl: event.data.avatarUrl }));
    },
    RoomPermissionsChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => ({ ...doc, permissions: event.data.permissions }));
    },
    RoomHistoryVisibilityChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => ({ ...doc, historyVisibility: event.data.historyVisibility }));
    },
    CommentPosted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => ({
        ...doc,
        lastSeq: d.seq,
        lastActivityAt: d.postedAt,
        lastComment: {
          id: d.commentId,
          alias: aliasOf(event.position),
          seq: d.seq,
          senderId: d.senderId,
          text: d.text,
          type: d.commentType,
          createdAt: d.postedAt,
          deleted: false,
        },
      }));
    },
    CommentDeleted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => {
        const last = doc['lastComment'] as { id: string } | null;
        if (!last || last.id !== d.commentId) return doc;
        return { ...doc, lastComment: { ...last, text: null, deleted: true } };
      });
    },
  },
};

function withoutMember(doc: Doc, userId: string): Doc {
  const next = { ...members(doc) };
  delete next[userId];
  return { ...doc, members: next, memberCount: Object.keys(next).length };
}

function withMember(doc: Doc, userId: string, change: (m: RoomMemberEntry) => RoomMemberEntry): Doc {
  const current = members(doc)[userId];
  if (!current) return doc;
  return { ...doc, members: { ...members(doc), [userId]: change(current) } };
}

import { aliasOfEvent } from '../libs/domain/aliases';
import { inDirectory } from '../libs/domain/rooms/room.decider';
import type { RoomKind } from '../libs/domain/events';
import type { Projection } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';
import { revised } from '../libs/projection/revised';

/**
 * One document per room: its settings, members with their roles, the last
 * comment and the comment counter. Serves room details and the room part of
 * the room list.
 */
export interface RoomMemberEntry {
  readonly role: string;
  readonly muted: boolean;
  /** Absent before VOICE existed: false. */
  readonly voice?: boolean;
  readonly joinedAt: string;
}

/**
 * Everyone who was ever invited to or joined the room, with their state and
 * its times: what Parley's member states and the Vonage/Nexmo member lists
 * show (left members included).
 */
export interface MemberStateEntry {
  readonly state: 'invited' | 'joined' | 'left';
  readonly invitedBy: string | null;
  readonly invitedAt: string | null;
  readonly joinedAt: string | null;
  readonly leftAt: string | null;
  /** Order of first appearance in the room, for stable paging. */
  readonly order: number;
}

/** Whether the room directory lists the room (the decider's rule, on the room's document). */
const listedIn = (doc: Doc): boolean =>
  inDirectory({
    kind: doc['kind'] as RoomKind,
    createdBy: doc['createdBy'] as string,
    applicationId: (doc['applicationId'] as string | null) ?? null,
    closed: doc['closed'] === true,
    unlisted: doc['unlisted'] === true,
  });
const withListing = (doc: Doc): Doc => revised(doc, { listed: listedIn(doc) });

const members = (doc: Doc) => (doc['members'] ?? {}) as Record<string, RoomMemberEntry>;
const memberStates = (doc: Doc) => (doc['memberStates'] ?? {}) as Record<string, MemberStateEntry>;

function withMemberState(doc: Doc, userId: string, change: (entry: MemberStateEntry) => MemberStateEntry): Doc {
  const all = memberStates(doc);
  const current = all[userId] ?? { state: 'left', invitedBy: null, invitedAt: null, joinedAt: null, leftAt: null, order: Object.keys(all).length + 1 };
  // eslint-disable-next-line no-restricted-syntax -- a user id is a key: defined by the spread, never assigned (__proto__)
  return revised(doc, { memberStates: { ...all, [userId]: change(current) } });
}

export const roomsProjection: Projection = {
  name: 'rooms',
  // v3: rooms of applications, member states, closed rooms; `alias`, the room's integer id (libs/domain/aliases.ts), and the last comment's.
  // v4: `listed`, in the room directory (organisation group chats, open, DISABLE_LIST off).
  version: 4,
  collections: [
    {
      name: 'rooms',
      indexes: [{ fields: ['lastActivityAt'] }, { fields: ['applicationId', 'createdAt', 'id'] }, { fields: ['alias'] }, { fields: ['kind', 'closed', 'createdAt', 'id'] }, { fields: ['listed', 'name', 'id'] }],
    },
  ],
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
        (doc) => withListing(revised(doc, {
          alias: aliasOfEvent(event),
          kind: d.kind,
          name: d.name,
          topic: d.topic,
          avatarUrl: d.avatarUrl,
          createdBy: d.createdBy,
          createdAt: d.createdAt,
          permissions: d.permissions,
          historyVisibility: d.historyVisibility,
          applicationId: d.applicationId,
          applicationName: d.applicationName ?? null,
          closed: false,
          closedAt: null,
          unlisted: false,
          memberStates: {},
          members: {},
          memberCount: 0,
          lastSeq: 0,
          lastComment: null,
          lastActivityAt: d.createdAt,
        })),
        () => ({ id: d.roomId }),
      );
    },
    MemberAdded: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => {
        // eslint-disable-next-line no-restricted-syntax -- a user id is a key: defined by the spread, never assigned (__proto__)
        const next = { ...members(doc), [d.userId]: { role: d.role, muted: false, joinedAt: d.addedAt } };
        const joined = withMemberState(doc, d.userId, (entry) => revised(entry, {
          state: 'joined',
          invitedBy: d.invitedBy ?? (entry.state === 'invited' ? entry.invitedBy : null),
          joinedAt: d.addedAt,
          leftAt: null,
        }));
        return revised(joined, { members: next, memberCount: Object.keys(next).length });
      });
    },
    MemberInvited: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) =>
        withMemberState(doc, d.userId, (entry) => revised(entry, { state: 'invited', invitedBy: d.invitedBy, invitedAt: d.invitedAt, joinedAt: null, leftAt: null })),
      );
    },
    RoomClosed: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => withListing(revised(doc, { closed: true, closedAt: event.data.closedAt })));
    },
    RoomPropertiesChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => revised(doc, { properties: event.data.properties }));
    },
    MemberRemoved: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) =>
        withMemberState(withoutMember(doc, event.data.userId), event.data.userId, (entry) => revised(entry, { state: 'left', leftAt: event.data.removedAt })),
      );
    },
    MemberLeft: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) =>
        withMemberState(withoutMember(doc, event.data.userId), event.data.userId, (entry) => revised(entry, { state: 'left', leftAt: event.data.leftAt })),
      );
    },
    MemberRoleChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => withMember(doc, d.userId, (m) => revised(m, { role: d.role })));
    },
    MemberMuteChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => withMember(doc, d.userId, (m) => revised(m, { muted: d.muted })));
    },
    RoomRenamed: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => revised(doc, { name: event.data.name }));
    },
    RoomTopicChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => revised(doc, { topic: event.data.topic }));
    },
    RoomAvatarChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => revised(doc, { avatarUrl: event.data.avatarUrl }));
    },
    RoomPermissionsChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => revised(doc, { permissions: event.data.permissions }));
    },
    RoomListingChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => withListing(revised(doc, { unlisted: event.data.unlisted })));
    },
    MemberVoiceChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => withMember(doc, d.userId, (m) => revised(m, { voice: d.voice })));
    },
    HistoryDeleted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => {
        const last = doc['lastComment'] as { id: string; seq: number; createdAt: string; deleted: boolean } | null;
        if (!last || last.deleted) return doc;
        const covered =
          d.scope === 'comments'
            ? d.commentIds.includes(last.id)
            : last.seq >= d.fromSeq && last.seq <= d.throughSeq && (d.week === null || (last.createdAt >= d.week.from && last.createdAt < d.week.until));
        return covered ? revised(doc, { lastComment: revised(last, { text: null, deleted: true }) }) : doc;
      });
    },
    RoomHistoryVisibilityChanged: async (event, ctx) => {
      await ctx.update('rooms', event.data.roomId, (doc) => revised(doc, { historyVisibility: event.data.historyVisibility }));
    },
    CommentPosted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('rooms', d.roomId, (doc) => revised(doc, {
        lastSeq: d.seq,
        lastActivityAt: d.postedAt,
        lastComment: {
          id: d.commentId,
          alias: aliasOfEvent(event),
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
        return revised(doc, { lastComment: revised(last, { text: null, deleted: true }) });
      });
    },
  },
};

function withoutMember(doc: Doc, userId: string): Doc {
  const next = { ...members(doc) };
  delete next[userId];
  return revised(doc, { members: next, memberCount: Object.keys(next).length });
}

function withMember(doc: Doc, userId: string, change: (m: RoomMemberEntry) => RoomMemberEntry): Doc {
  const current = members(doc)[userId];
  if (!current) return doc;
  // eslint-disable-next-line no-restricted-syntax -- a user id is a key: defined by the spread, never assigned (__proto__)
  return revised(doc, { members: { ...members(doc), [userId]: change(current) } });
}

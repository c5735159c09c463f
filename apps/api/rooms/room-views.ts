import { DEFAULT_HISTORY_VISIBILITY, type HistoryVisibility, type RoomKind, type RoomPermissions } from '../../../libs/domain/events';
import type { ActiveRoom } from '../../../libs/domain/rooms/room.decider';
import type { Doc } from '../../../libs/read-store/read-store.port';
import { unreadCount } from '../../../projections/memberships.projection';

export interface LastCommentView {
  readonly id: string;
  readonly seq: number;
  readonly senderId: string;
  readonly text: string | null;
  readonly type: string;
  readonly createdAt: string;
  readonly deleted: boolean;
}

export interface RoomView {
  readonly id: string;
  readonly kind: RoomKind;
  readonly name: string;
  /** A thread's subject (its name); null for other rooms. */
  readonly subject: string | null;
  /** The current members' ids, in the order they joined. */
  readonly participants: readonly string[];
  readonly topic: string | null;
  readonly avatarUrl: string | null;
  readonly createdBy: string;
  readonly createdAt: string | null;
  readonly permissions: RoomPermissions;
  /** Who sees history from before they joined: `shared` (everyone) or `joined` (only from their joining). */
  readonly historyVisibility: HistoryVisibility;
  readonly memberCount: number;
  readonly lastSeq: number;
  readonly lastComment: LastCommentView | null;
  readonly lastActivityAt: string | null;
  /** The room's `custom_data`. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface MyRoomView extends RoomView {
  readonly role: string;
  readonly muted: boolean;
  readonly unreadCount: number;
  readonly lastReadSeq: number;
  /** The member cleared the history up to this seq for themselves (0: never). */
  readonly clearedThroughSeq: number;
}

export function roomViewFromDoc(doc: Doc): RoomView {
  return {
    id: doc.id,
    kind: doc['kind'] as RoomView['kind'],
    name: doc['name'] as string,
    subject: doc['kind'] === 'thread' ? (doc['name'] as string) : null,
    participants: Object.entries((doc['members'] ?? {}) as Record<string, { joinedAt: string }>)
      .sort(([, a], [, b]) => (a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : 0))
      .map(([userId]) => userId),
    topic: (doc['topic'] as string | null) ?? null,
    avatarUrl: (doc['avatarUrl'] as string | null) ?? null,
    createdBy: doc['createdBy'] as string,
    createdAt: (doc['createdAt'] as string) ?? null,
    permissions: doc['permissions'] as RoomPermissions,
    historyVisibility: (doc['historyVisibility'] as HistoryVisibility | undefined) ?? DEFAULT_HISTORY_VISIBILITY,
    memberCount: (doc['memberCount'] as number) ?? 0,
    lastSeq: (doc['lastSeq'] as number) ?? 0,
    lastComment: lastCommentView(doc['lastComment'] as (LastCommentView & { alias?: number }) | null | undefined),
    lastActivityAt: (doc['lastActivityAt'] as string) ?? null,
    properties: (doc['properties'] as Record<string, unknown> | undefined) ?? {},
  };
}

export function myRoomView(room: Doc, membership: Doc): MyRoomView {
  const view = roomViewFromDoc(room);
  const clearedThroughSeq = (membership['clearedThroughSeq'] as number | undefined) ?? 0;
  return {
    ...view,
    // A last comment the member cleared for themselves is not theirs to see.
    lastComment: view.lastComment !== null && view.lastComment.seq <= clearedThroughSeq ? null : view.lastComment,
    role: membership['role'] as string,
    muted: membership['muted'] === true,
    unreadCount: unreadCount(membership),
    lastReadSeq: (membership['lastReadSeq'] as number) ?? 0,
    clearedThroughSeq,
  };
}

/** The view a command answers with, built from the decision state it just wrote. */
export interface RoomStateView {
  readonly id: string;
  readonly kind: RoomKind;
  readonly name: string;
  readonly topic: string | null;
  readonly avatarUrl: string | null;
  readonly createdBy: string;
  readonly permissions: RoomPermissions;
  readonly historyVisibility: HistoryVisibility;
  readonly memberCount: number;
  readonly members: readonly { readonly userId: string; readonly role: string; readonly muted: boolean }[];
  /** The room's `custom_data`. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export function roomViewFromState(room: ActiveRoom): RoomStateView {
  return {
    id: room.roomId,
    kind: room.kind,
    name: room.name,
    topic: room.topic,
    avatarUrl: room.avatarUrl,
    createdBy: room.createdBy,
    permissions: room.permissions,
    historyVisibility: room.historyVisibility,
    memberCount: room.members.size,
    members: [...room.members.entries()].map(([userId, m]) => ({ userId, role: m.role, muted: m.muted })),
    properties: room.properties,
  };
}

/** The last comment as the room views show it: the document's integer alias is for the Qiscus surfaces only. */
function lastCommentView(doc: (LastCommentView & { alias?: number }) | null | undefined): LastCommentView | null {
  if (!doc) return null;
  const { alias: _alias, ...view } = doc;
  return view;
}

import { assertNever, conflict, DomainError, forbidden, notFound, validationError, type ErrorDetail } from '../errors';
import {
  DEFAULT_HISTORY_VISIBILITY,
  DEFAULT_PERMISSIONS,
  type HistoryVisibility,
  type RoomEvent,
  type RoomKind,
  type RoomPermissions,
  type RoomRole,
} from '../events';
import { jsonLimitViolation, PROPERTIES_LIMITS } from '../json-limits';
import { nameCharactersDetail } from '../text';
import { weekRange } from '../history-weeks';
import type { Decider } from '../decider';
import type { ParleyEvent } from '../events';
import { decideBlocking, type BlockFacts } from '../contacts/blocking.decider';

export interface Member {
  readonly role: RoomRole;
  readonly muted: boolean;
  /** Trillian's VOICE: posts in a moderated room (one whose members may not send). */
  readonly voice: boolean;
  /** Order of joining, used to pick a new owner when the last one leaves. */
  readonly joined: number;
}

export type RoomState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active';
      readonly roomId: string;
      readonly kind: RoomKind;
      readonly name: string;
      readonly topic: string | null;
      readonly avatarUrl: string | null;
      readonly createdBy: string;
      readonly permissions: RoomPermissions;
      readonly historyVisibility: HistoryVisibility;
      readonly members: ReadonlyMap<string, Member>;
      readonly joinCounter: number;
      /** The application owning the room; it acts on the room as an owner without being a member. */
      readonly applicationId: string | null;
      /** Invited users who have not answered yet, with who invited them. */
      readonly invited: ReadonlyMap<string, Invitation>;
      /** Deleted: read-only history from then on. */
      readonly closed: boolean;
      /** Not listed to non-members (Trillian's DISABLE_LIST). */
      readonly unlisted: boolean;
      /** The blocks of history deleted so far, so that what reads the log (the feed, webhooks) serves their comments as tombstones. */
      readonly deletedHistory: readonly DeletedBlock[];
      /** The application's `custom_data` on the room. */
      readonly properties: Readonly<Record<string, unknown>>;
      /**
       * The first message a thread's creation carried in `room-<id>` (seq 1),
       * null for every other room; `comments-<roomId>` then starts after it.
       */
      readonly openingComment: OpeningComment | null;
    };
export type ActiveRoom = Extract<RoomState, { status: 'active' }>;

/** A comment appended with the room's creation: a thread opens with its first message in one append. */
export interface OpeningComment {
  readonly commentId: string;
  readonly seq: number;
}

export interface Invitation {
  readonly invitedBy: string;
  readonly invitedAt: string;
}

/** How an application appears as an actor in commands and event metadata. */
export const applicationActor = (applicationId: string) => `application:${applicationId}`;
export const applicationOfActor = (actor: string): string | null =>
  actor.startsWith('application:') ? actor.slice('application:'.length) : null;

export const initialRoomState: RoomState = { status: 'absent' };

/** A block of deleted history: comments by id, or the seqs `fromSeq..throughSeq` (within `[from, until)` for a week). */
export type DeletedBlock =
  | { readonly kind: 'comments'; readonly commentIds: ReadonlySet<string> }
  | { readonly kind: 'range'; readonly fromSeq: number; readonly throughSeq: number; readonly from: string | null; readonly until: string | null };

/** Whether a comment of the room was deleted with a block of its history. */
export function inDeletedHistory(room: ActiveRoom, comment: { readonly commentId: string; readonly seq: number; readonly postedAt: string }): boolean {
  return room.deletedHistory.some((block) =>
    block.kind === 'comments'
      ? block.commentIds.has(comment.commentId)
      : comment.seq >= block.fromSeq &&
        comment.seq <= block.throughSeq &&
        (block.from === null || (comment.postedAt >= block.from && block.until !== null && comment.postedAt < block.until)),
  );
}

export const MAX_ROOM_MEMBERS = 5000;

/** Most comments one deletion by ids names. */
export const MAX_DELETED_COMMENTS = 1000;

/**
 * Set on a command given by an administrator (an API key holding
 * `admin:rooms`): it acts on the room as an owner would, without being a
 * member. The key's scope is checked at the edge; the decider trusts the flag
 * as it trusts `actor`.
 */
export interface AsAdmin {
  readonly admin?: boolean;
}

/** A comment a deletion by ids names, as the handler found it (null: no comment of that id anywhere). */
export interface NamedComment {
  readonly commentId: string;
  readonly found: { readonly roomId: string; readonly seq: number; readonly postedAt: string; readonly deleted: boolean } | null;
}

export type DeleteHistoryCommand = AsAdmin & {
  readonly type: 'DeleteHistory';
  readonly actor: string;
  readonly now: string;
} & (
    | { readonly scope: 'comments'; readonly comments: readonly NamedComment[] }
    /** The seqs of the week's first and last comments as the handler found them; null when the week holds none. */
    | { readonly scope: 'week'; readonly year: number; readonly week: number; readonly seqs: { readonly first: number; readonly last: number } | null }
    /** The room's last comment seq when asked (0: no comment yet). */
    | { readonly scope: 'all'; readonly lastSeq: number }
  );

export type RoomCommand =
  | {
      readonly type: 'CreateRoom';
      readonly roomId: string;
      readonly kind: RoomKind;
      readonly name: string;
      readonly topic: string | null;
      readonly avatarUrl: string | null;
      readonly actor: string;
      /** Other members; the actor is added as owner (group) or member (direct). */
      readonly participants: readonly string[];
      readonly permissions?: Partial<RoomPermissions>;
      readonly historyVisibility?: HistoryVisibility;
      /** Set when an application creates the room: no member at creation, the actor is the application. */
      readonly applicationId?: string;
      /** The room's handle within the application, unique there (the room id derives from it). */
      readonly applicationName?: string;
      /** Created by an administrator for the organisation: nobody is its owner; `participants` are its members. */
      readonly administered?: boolean;
      readonly unlisted?: boolean;
      /** The room's `custom_data` (group rooms only). */
      readonly properties?: Record<string, unknown>;
      readonly now: string;
    }
  | { readonly type: 'InviteMembers'; readonly actor: string; readonly userIds: readonly string[]; readonly now: string }
  | { readonly type: 'AcceptInvitation'; readonly actor: string; readonly now: string }
  | { readonly type: 'DeclineInvitation'; readonly actor: string; readonly now: string }
  | (AsAdmin & { readonly type: 'CloseRoom'; readonly actor: string; readonly now: string })
  | (AsAdmin & {
      readonly type: 'AddMembers';
      readonly actor: string;
      readonly userIds: readonly string[];
      /** The block lists of those being added; absent for an import, which restores history as it was. */
      readonly blocks?: BlockFacts;
      readonly now: string;
    })
  | (AsAdmin & { readonly type: 'RemoveMember'; readonly actor: string; readonly userId: string; readonly now: string })
  | { readonly type: 'LeaveRoom'; readonly actor: string; readonly now: string }
  /** A user joining a room of the directory by themselves (see `inDirectory`). */
  | { readonly type: 'JoinRoom'; readonly actor: string; readonly now: string }
  | (AsAdmin & {
      readonly type: 'UpdateRoom';
      readonly actor: string;
      readonly name?: string;
      readonly topic?: string | null;
      readonly avatarUrl?: string | null;
      readonly permissions?: Partial<RoomPermissions>;
      readonly historyVisibility?: HistoryVisibility;
      readonly unlisted?: boolean;
      /** Replaces the room's `custom_data` whole. */
      readonly properties?: Record<string, unknown>;
      /** Delete the room with the same decision (Trillian's DELETED flag); once deleted, asking again changes nothing. */
      readonly close?: boolean;
      readonly now: string;
    })
  | (AsAdmin & {
      /** Makes `userId` a member as described: added if they are not one, then changed (an administrator's PUT). */
      readonly type: 'PutMember';
      readonly actor: string;
      readonly userId: string;
      readonly role?: RoomRole;
      readonly muted?: boolean;
      readonly voice?: boolean;
      readonly blocks?: BlockFacts;
      readonly now: string;
    })
  | (AsAdmin & {
      readonly type: 'ChangeMember';
      readonly actor: string;
      readonly userId: string;
      readonly role?: RoomRole;
      readonly muted?: boolean;
      readonly voice?: boolean;
      readonly now: string;
    })
  | DeleteHistoryCommand;

export function evolveRoom(state: RoomState, event: RoomEvent): RoomState {
  switch (event.type) {
    case 'RoomCreated':
      return {
        status: 'active',
        roomId: event.data.roomId,
        kind: event.data.kind,
        name: event.data.name,
        topic: event.data.topic,
        avatarUrl: event.data.avatarUrl,
        createdBy: event.data.createdBy,
        permissions: event.data.permissions,
        historyVisibility: event.data.historyVisibility,
        members: new Map(),
        joinCounter: 0,
        applicationId: event.data.applicationId,
        invited: new Map(),
        closed: false,
        unlisted: false,
        deletedHistory: [],
        properties: {},
        openingComment: null,
      };
    default:
      break;
  }
  if (state.status !== 'active') return state;
  switch (event.type) {
    case 'MemberAdded': {
      const members = new Map(state.members);
      members.set(event.data.userId, { role: event.data.role, muted: false, voice: false, joined: state.joinCounter + 1 });
      return { ...state, members, joinCounter: state.joinCounter + 1, invited: without(state.invited, event.data.userId) };
    }
    case 'MemberInvited': {
      const invited = new Map(state.invited);
      invited.set(event.data.userId, { invitedBy: event.data.invitedBy, invitedAt: event.data.invitedAt });
      return { ...state, invited };
    }
    case 'MemberRemoved':
    case 'MemberLeft': {
      const members = new Map(state.members);
      members.delete(event.data.userId);
      return { ...state, members, invited: without(state.invited, event.data.userId) };
    }
    case 'RoomClosed':
      return { ...state, closed: true };
    case 'RoomPropertiesChanged':
      return { ...state, properties: event.data.properties };
    case 'MemberRoleChanged':
      return withMember(state, event.data.userId, (m) => ({ ...m, role: event.data.role }));
    case 'MemberMuteChanged':
      return withMember(state, event.data.userId, (m) => ({ ...m, muted: event.data.muted }));
    case 'MemberVoiceChanged':
      return withMember(state, event.data.userId, (m) => ({ ...m, voice: event.data.voice }));
    case 'RoomListingChanged':
      return { ...state, unlisted: event.data.unlisted };
    case 'HistoryDeleted': {
      const d = event.data;
      const block: DeletedBlock =
        d.scope === 'comments'
          ? { kind: 'comments', commentIds: new Set(d.commentIds) }
          : { kind: 'range', fromSeq: d.fromSeq, throughSeq: d.throughSeq, from: d.week?.from ?? null, until: d.week?.until ?? null };
      return { ...state, deletedHistory: [...state.deletedHistory, block] };
    }
    case 'RoomRenamed':
      return { ...state, name: event.data.name };
    case 'RoomTopicChanged':
      return { ...state, topic: event.data.topic };
    case 'RoomAvatarChanged':
      return { ...state, avatarUrl: event.data.avatarUrl };
    case 'RoomPermissionsChanged':
      return { ...state, permissions: event.data.permissions };
    case 'RoomHistoryVisibilityChanged':
      return { ...state, historyVisibility: event.data.historyVisibility };
    default:
      return assertNever(event, 'room event');
  }
}

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}

function withMember(state: ActiveRoom, userId: string, change: (m: Member) => Member): RoomState {
  const member = state.members.get(userId);
  if (!member) return state;
  const members = new Map(state.members);
  members.set(userId, change(member));
  return { ...state, members };
}

export function requireRoom(state: RoomState): ActiveRoom {
  if (state.status !== 'active') throw notFound('ROOM.NOT_FOUND', 'Room not found');
  return state;
}

/** An open room: a closed (deleted) one is read-only history. */
export function requireOpenRoom(state: RoomState): ActiveRoom {
  const room = requireRoom(state);
  if (room.closed) throw conflict('ROOM.CLOSED', 'The room was deleted; its history is read-only');
  return room;
}

/** The application owning the room acts on it as an owner would, without being a member. */
const OWNING_APPLICATION: Member = { role: 'owner', muted: false, voice: true, joined: 0 };

/** An administrator (`admin:rooms`) acts on any room as an owner would, without being a member. */
const ADMINISTRATOR: Member = { role: 'owner', muted: false, voice: true, joined: 0 };

/** Who the command's actor is in the room: the administrator, or a member (a non-member learns nothing: 404). */
function actorIn(room: ActiveRoom, command: AsAdmin & { readonly actor: string }): Member {
  return command.admin === true ? ADMINISTRATOR : requireMember(room, command.actor);
}

/** The member record of `userId`; a non-member learns nothing about the room (404). */
export function requireMember(room: ActiveRoom, userId: string): Member {
  const member = room.members.get(userId);
  if (member) return member;
  if (room.applicationId !== null && userId === applicationActor(room.applicationId)) return OWNING_APPLICATION;
  throw notFound('ROOM.NOT_FOUND', 'Room not found');
}

/** Whether `actor` is the application owning the room. */
export const isOwningApplication = (room: ActiveRoom, actor: string) =>
  room.applicationId !== null && actor === applicationActor(room.applicationId);

const isPrivileged = (member: Member) => member.role === 'owner' || member.role === 'operator';

function requirePermission(room: ActiveRoom, member: Member, flag: keyof RoomPermissions, code: string): void {
  if (isPrivileged(member)) return;
  if (!room.permissions[flag]) throw forbidden(code, `Members of this room may not ${describeFlag(flag)}`);
}

function describeFlag(flag: keyof RoomPermissions): string {
  switch (flag) {
    case 'rename':
      return 'rename it';
    case 'changeTopic':
      return 'change its topic';
    case 'addMembers':
      return 'add members';
    case 'removeMembers':
      return 'remove members';
    case 'send':
      return 'send comments';
    default:
      return assertNever(flag, 'permission');
  }
}

/**
 * Whether `actor` may change the room's avatar (a link or an upload): the
 * rename permission covers name and avatar alike; a direct room has neither.
 */
export function requireAvatarChange(room: ActiveRoom, actor: string): void {
  const member = requireMember(room, actor);
  requirePermission(room, member, 'rename', 'ROOM.RENAME_NOT_ALLOWED');
}

/** Whether `userId` may post in the room now; throws the refusal otherwise. */
export function assertCanSend(room: ActiveRoom, userId: string): void {
  const member = requireMember(room, userId);
  if (room.closed) throw conflict('ROOM.CLOSED', 'The room was deleted; its history is read-only');
  if (member.muted) throw forbidden('ROOM.MUTED', 'You are muted in this room');
  // A moderated room (members may not send): voiced members post as operators do.
  if (member.voice) return;
  requirePermission(room, member, 'send', 'ROOM.SEND_NOT_ALLOWED');
}

export function decideRoom(command: RoomCommand, state: RoomState): RoomEvent[] {
  switch (command.type) {
    case 'CreateRoom':
      return create(command, state);
    case 'AddMembers':
      return addMembers(command, requireOpenRoom(state));
    case 'InviteMembers':
      return invite(command, requireOpenRoom(state));
    case 'AcceptInvitation':
      return accept(command, requireOpenRoom(state));
    case 'DeclineInvitation':
      return decline(command, requireOpenRoom(state));
    case 'CloseRoom':
      return close(command, requireRoom(state));
    case 'RemoveMember':
      return removeMember(command, requireOpenRoom(state));
    case 'LeaveRoom':
      return leave(command, requireOpenRoom(state));
    case 'JoinRoom':
      return join(command, requireOpenRoom(state));
    case 'UpdateRoom': {
      const onlyClose = Object.entries(command).every(([key, value]) => value === undefined || ['type', 'actor', 'admin', 'now', 'close'].includes(key));
      if (command.close === true && onlyClose && requireRoom(state).closed) return [];
      const room = requireOpenRoom(state);
      const events = update(command, room);
      return command.close === true ? [...events, ...close({ type: 'CloseRoom', actor: command.actor, admin: command.admin, now: command.now }, room)] : events;
    }
    case 'PutMember': {
      const room = requireOpenRoom(state);
      const added = room.members.has(command.userId)
        ? []
        : addMembers({ type: 'AddMembers', admin: command.admin, actor: command.actor, userIds: [command.userId], blocks: command.blocks, now: command.now }, room);
      const after = added.reduce<RoomState>(evolveRoom, room) as ActiveRoom;
      const { role, muted, voice } = command;
      return [...added, ...changeMember({ type: 'ChangeMember', admin: command.admin, actor: command.actor, userId: command.userId, role, muted, voice, now: command.now }, after)];
    }
    case 'ChangeMember':
      return changeMember(command, requireOpenRoom(state));
    case 'DeleteHistory':
      // A deleted room's history may still be deleted: it is read-only to members, not to its operators.
      return deleteHistory(command, requireRoom(state));
    default:
      return assertNever(command, 'room command');
  }
}

function create(command: Extract<RoomCommand, { type: 'CreateRoom' }>, state: RoomState): RoomEvent[] {
  if (command.applicationId !== undefined) return createForApplication(command, command.applicationId, state);
  if (command.administered === true) return createAdministered(command, state);
  if (state.status !== 'absent') throw conflict('ROOM.ALREADY_EXISTS', 'Room already exists');
  const others = [...new Set(command.participants)].filter((id) => id !== command.actor);
  if (command.kind === 'thread' && others.length === 0) {
    throw validationError('ROOM.THREAD_NEEDS_RECIPIENTS', 'A thread has at least one recipient besides the sender', [
      { field: 'recipients', reason: 'must name at least one other user' },
    ]);
  }
  if (command.kind === 'direct' && others.length !== 1) {
    throw validationError('ROOM.DIRECT_NEEDS_ONE_OTHER', 'A direct room has exactly one other member', [
      { field: 'userId', reason: 'must be another user than the caller' },
    ]);
  }
  if (others.length + 1 > MAX_ROOM_MEMBERS) {
    throw validationError('ROOM.TOO_MANY_MEMBERS', `A room holds at most ${MAX_ROOM_MEMBERS} members`, [
      { field: 'participants', reason: `at most ${MAX_ROOM_MEMBERS - 1} participants` },
    ]);
  }
  checkNames(command);
  const properties = groupProperties(command);
  const { roomId, now, actor } = command;
  // A conversation between people (direct, thread) has no hierarchy.
  const creatorRole: RoomRole = command.kind === 'group' ? 'owner' : 'member';
  return [
    {
      type: 'RoomCreated',
      data: {
        roomId,
        kind: command.kind,
        name: command.name,
        topic: command.topic,
        avatarUrl: command.avatarUrl,
        createdBy: actor,
        permissions: withNamedFlags(DEFAULT_PERMISSIONS, command.permissions),
        historyVisibility: command.historyVisibility ?? DEFAULT_HISTORY_VISIBILITY,
        applicationId: null,
        createdAt: now,
      },
    },
    ...properties.map((props) => propertiesChanged(roomId, props, actor, now)),
    { type: 'MemberAdded', data: { roomId, userId: actor, role: creatorRole, addedBy: actor, addedAt: now } },
    ...others.map(
      (userId): RoomEvent => ({
        type: 'MemberAdded',
        data: { roomId, userId, role: 'member', addedBy: actor, addedAt: now },
      }),
    ),
  ];
}

/**
 * A room of an application: created by the application itself, with no
 * member, named by a `name` unique within the application (the room id
 * derives from it, so an existing stream means the name is taken).
 */
function createForApplication(
  command: Extract<RoomCommand, { type: 'CreateRoom' }>,
  applicationId: string,
  state: RoomState,
): RoomEvent[] {
  const handle = command.applicationName ?? command.name;
  if (state.status !== 'absent') throw conflict('ROOM.NAME_TAKEN', `The application already has a room named ${handle}`);
  if (!/^[\x21-\x7e]{1,100}$/.test(handle)) {
    throw validationError('ROOM.NAME_INVALID', 'A room name within an application is 1 to 100 printable ASCII characters without spaces', [
      { field: 'applicationName', reason: 'must be 1 to 100 printable ASCII characters without spaces' },
    ]);
  }
  if (command.actor !== applicationActor(applicationId)) {
    throw forbidden('APPLICATION.NOT_OWNER', 'Only the application itself creates its rooms');
  }
  if (command.kind !== 'group') {
    throw validationError('ROOM.KIND_INVALID', 'An application creates group rooms', [{ field: 'kind', reason: 'must be group' }]);
  }
  if (command.participants.length > 0) {
    throw validationError('ROOM.APPLICATION_ROOM_EMPTY', 'An application room starts without members; add or invite them after', [
      { field: 'participants', reason: 'must be empty' },
    ]);
  }
  checkNames(command);
  if (command.properties !== undefined) checkProperties(command.properties);
  return [
    {
      type: 'RoomCreated',
      data: {
        roomId: command.roomId,
        kind: 'group',
        name: command.name,
        topic: command.topic,
        avatarUrl: command.avatarUrl,
        createdBy: command.actor,
        permissions: withNamedFlags(DEFAULT_PERMISSIONS, command.permissions),
        historyVisibility: command.historyVisibility ?? DEFAULT_HISTORY_VISIBILITY,
        applicationId,
        applicationName: handle,
        createdAt: command.now,
      },
    },
    ...(command.properties !== undefined && Object.keys(command.properties).length > 0
      ? [propertiesChanged(command.roomId, command.properties, command.actor, command.now)]
      : []),
  ];
}

/**
 * A group chat the organisation owns (Trillian's POST /v1/groupchats): made
 * by an administrator, who does not become a member; those named are its
 * members. Nobody owns it: administrators, and operators they appoint, run it.
 */
function createAdministered(command: Extract<RoomCommand, { type: 'CreateRoom' }>, state: RoomState): RoomEvent[] {
  if (state.status !== 'absent') throw conflict('ROOM.ALREADY_EXISTS', 'Room already exists');
  if (command.kind !== 'group') {
    throw validationError('ROOM.KIND_INVALID', 'An administrator creates group rooms', [{ field: 'kind', reason: 'must be group' }]);
  }
  const members = [...new Set(command.participants)];
  if (members.length > MAX_ROOM_MEMBERS) {
    throw validationError('ROOM.TOO_MANY_MEMBERS', `A room holds at most ${MAX_ROOM_MEMBERS} members`, [
      { field: 'participants', reason: `at most ${MAX_ROOM_MEMBERS} participants` },
    ]);
  }
  checkNames(command);
  const properties = groupProperties(command);
  const { roomId, now, actor } = command;
  return [
    {
      type: 'RoomCreated',
      data: {
        roomId,
        kind: 'group',
        name: command.name,
        topic: command.topic,
        avatarUrl: command.avatarUrl,
        createdBy: actor,
        permissions: withNamedFlags(DEFAULT_PERMISSIONS, command.permissions),
        historyVisibility: command.historyVisibility ?? DEFAULT_HISTORY_VISIBILITY,
        applicationId: null,
        createdAt: now,
      },
    },
    ...properties.map((props) => propertiesChanged(roomId, props, actor, now)),
    ...(command.unlisted === true ? [{ type: 'RoomListingChanged', data: { roomId, unlisted: true, changedBy: actor, changedAt: now } } as const] : []),
    ...members.map((userId): RoomEvent => ({ type: 'MemberAdded', data: { roomId, userId, role: 'member', addedBy: actor, addedAt: now } })),
  ];
}

const propertiesChanged = (roomId: string, properties: Record<string, unknown>, changedBy: string, changedAt: string): RoomEvent => ({
  type: 'RoomPropertiesChanged',
  data: { roomId, properties, changedBy, changedAt },
});

/** The `custom_data` a new group room starts with (none when empty); a conversation between people (direct, thread) keeps none. */
function groupProperties(command: Extract<RoomCommand, { type: 'CreateRoom' }>): Record<string, unknown>[] {
  if (command.properties === undefined) return [];
  if (command.kind !== 'group') {
    throw validationError('ROOM.PROPERTIES_INVALID', 'Only a group room keeps custom data', [{ field: 'properties', reason: 'only a group room has them' }]);
  }
  checkProperties(command.properties);
  return Object.keys(command.properties).length > 0 ? [command.properties] : [];
}

/** `custom_data` is free JSON an application keeps on the room: an object, bounded so every read store holds it. */
function checkProperties(properties: unknown): void {
  const reason =
    properties === null || typeof properties !== 'object' || Array.isArray(properties) ? 'must be a JSON object' : jsonLimitViolation(properties, PROPERTIES_LIMITS);
  if (reason !== null) throw validationError('ROOM.PROPERTIES_INVALID', `properties ${reason}`, [{ field: 'properties', reason }]);
}

function invite(command: Extract<RoomCommand, { type: 'InviteMembers' }>, room: ActiveRoom): RoomEvent[] {
  const actor = requireMember(room, command.actor);
  refuseDirect(room, 'take more members');
  requirePermission(room, actor, 'addMembers', 'ROOM.ADD_MEMBERS_NOT_ALLOWED');
  // Members and those already invited are as asked: nothing to write for them.
  const fresh = [...new Set(command.userIds)].filter((id) => !room.members.has(id) && !room.invited.has(id));
  if (room.members.size + room.invited.size + fresh.length > MAX_ROOM_MEMBERS) {
    throw validationError('ROOM.TOO_MANY_MEMBERS', `A room holds at most ${MAX_ROOM_MEMBERS} members`, [
      { field: 'userIds', reason: `the room has room for ${MAX_ROOM_MEMBERS - room.members.size - room.invited.size} more` },
    ]);
  }
  return fresh.map((userId) => ({
    type: 'MemberInvited',
    data: { roomId: room.roomId, userId, invitedBy: command.actor, invitedAt: command.now },
  }));
}

function requireInvitation(room: ActiveRoom, userId: string): Invitation {
  const invitation = room.invited.get(userId);
  if (!invitation) throw notFound('ROOM.NOT_INVITED', 'There is no invitation to this room for you');
  return invitation;
}

function accept(command: Extract<RoomCommand, { type: 'AcceptInvitation' }>, room: ActiveRoom): RoomEvent[] {
  if (room.members.has(command.actor)) return [];
  const invitation = requireInvitation(room, command.actor);
  return [
    {
      type: 'MemberAdded',
      data: {
        roomId: room.roomId,
        userId: command.actor,
        role: 'member',
        addedBy: command.actor,
        invitedBy: invitation.invitedBy,
        addedAt: command.now,
      },
    },
  ];
}

function decline(command: Extract<RoomCommand, { type: 'DeclineInvitation' }>, room: ActiveRoom): RoomEvent[] {
  requireInvitation(room, command.actor);
  return [{ type: 'MemberLeft', data: { roomId: room.roomId, userId: command.actor, leftAt: command.now } }];
}

/** Deleting a room: by its owner or its application, once; its history stays readable. */
function close(command: Extract<RoomCommand, { type: 'CloseRoom' }>, room: ActiveRoom): RoomEvent[] {
  const actor = actorIn(room, command);
  if (actor.role !== 'owner') throw forbidden('ROOM.CLOSE_NOT_ALLOWED', 'Only an owner or the owning application deletes a room');
  if (room.closed) return [];
  return [{ type: 'RoomClosed', data: { roomId: room.roomId, closedBy: command.actor, closedAt: command.now } }];
}

/** A room's name and topic are shown in lists and notifications: no characters names may not hold. */
function checkNames(command: { readonly name?: string; readonly topic?: string | null }): void {
  const details = [
    command.name === undefined ? null : nameCharactersDetail(command.name, 'name'),
    command.topic === undefined || command.topic === null ? null : nameCharactersDetail(command.topic, 'topic'),
  ].filter((detail): detail is ErrorDetail => detail !== null);
  if (details.length > 0) {
    throw validationError('ROOM.NAME_INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  }
}

/** Direct rooms and threads keep the people they were opened with. */
function refuseDirect(room: ActiveRoom, what: string): void {
  if (room.kind === 'direct') throw forbidden('ROOM.DIRECT_ROOM', `A direct room cannot ${what}`);
  if (room.kind === 'thread') throw forbidden('ROOM.THREAD', `A thread cannot ${what}`);
}

function addMembers(command: Extract<RoomCommand, { type: 'AddMembers' }>, room: ActiveRoom): RoomEvent[] {
  const actor = actorIn(room, command);
  refuseDirect(room, 'take more members');
  requirePermission(room, actor, 'addMembers', 'ROOM.ADD_MEMBERS_NOT_ALLOWED');
  const fresh = [...new Set(command.userIds)].filter((id) => !room.members.has(id));
  if (room.members.size + fresh.length > MAX_ROOM_MEMBERS) {
    throw validationError('ROOM.TOO_MANY_MEMBERS', `A room holds at most ${MAX_ROOM_MEMBERS} members`, [
      { field: 'userIds', reason: `the room has room for ${MAX_ROOM_MEMBERS - room.members.size} more` },
    ]);
  }
  // Blocking (issue #5): asked only of those actually being added.
  if (command.blocks) decideBlocking({ type: 'AddToRoom', actor: command.actor, userIds: fresh, field: 'userIds' }, command.blocks);
  return fresh.map((userId) => ({
    type: 'MemberAdded',
    data: { roomId: room.roomId, userId, role: 'member', addedBy: command.actor, addedAt: command.now },
  }));
}

/** Who made a room for the organisation: an administrator's API key (`apikey:<id>`), as an administered room records it. */
export const isOrganisationActor = (actor: string): boolean => actor.startsWith('apikey:');

/**
 * The room directory (what signed-in users discover without being members):
 * the organisation's open group chats, unless listing is disabled (Trillian's
 * DISABLE_LIST). Rooms users make stay known to their members only, and an
 * application's rooms to its users.
 */
export function inDirectory(room: { readonly kind: RoomKind; readonly createdBy: string; readonly applicationId: string | null; readonly closed: boolean; readonly unlisted: boolean }): boolean {
  return room.kind === 'group' && room.applicationId === null && isOrganisationActor(room.createdBy) && !room.closed && !room.unlisted;
}

/**
 * Joining from the directory: a room it lists (anything else is not found,
 * as to any non-member) whose members may add members (no DISABLE_MEMBER_ADD):
 * what any member could do for the user, the user does for themselves.
 * Joining again changes nothing.
 */
function join(command: Extract<RoomCommand, { type: 'JoinRoom' }>, room: ActiveRoom): RoomEvent[] {
  if (room.members.has(command.actor)) return [];
  if (!inDirectory(room)) throw notFound('ROOM.NOT_FOUND', 'Room not found');
  if (!room.permissions.addMembers) throw forbidden('ROOM.JOIN_NOT_ALLOWED', 'This room takes new members from its operators only');
  if (room.members.size + 1 > MAX_ROOM_MEMBERS) {
    throw conflict('ROOM.FULL', `A room holds at most ${MAX_ROOM_MEMBERS} members`);
  }
  return [{ type: 'MemberAdded', data: { roomId: room.roomId, userId: command.actor, role: 'member', addedBy: command.actor, addedAt: command.now } }];
}

function removeMember(command: Extract<RoomCommand, { type: 'RemoveMember' }>, room: ActiveRoom): RoomEvent[] {
  const actor = actorIn(room, command);
  refuseDirect(room, 'lose members');
  if (command.userId === command.actor && command.admin !== true) {
    throw validationError('ROOM.USE_LEAVE', 'Use POST /v1/rooms/:roomId/leave to leave a room', [
      { field: 'userId', reason: 'is the caller' },
    ]);
  }
  const target = room.members.get(command.userId);
  if (!target && room.invited.has(command.userId)) {
    // Withdrawing an invitation: the invited user ends as having left.
    requirePermission(room, actor, 'removeMembers', 'ROOM.REMOVE_MEMBERS_NOT_ALLOWED');
    return [{ type: 'MemberLeft', data: { roomId: room.roomId, userId: command.userId, leftAt: command.now } }];
  }
  if (!target) throw notFound('ROOM.MEMBER_NOT_FOUND', 'That user is not a member of this room');
  requirePermission(room, actor, 'removeMembers', 'ROOM.REMOVE_MEMBERS_NOT_ALLOWED');
  if (outranks(target, actor)) throw forbidden('ROOM.OUTRANKED', `A ${actor.role} cannot remove a ${target.role}`);
  return [
    {
      type: 'MemberRemoved',
      data: { roomId: room.roomId, userId: command.userId, removedBy: command.actor, removedAt: command.now },
    },
  ];
}

function leave(command: Extract<RoomCommand, { type: 'LeaveRoom' }>, room: ActiveRoom): RoomEvent[] {
  // Only members leave; the owning application is none.
  const member = room.members.get(command.actor);
  if (!member) throw notFound('ROOM.NOT_FOUND', 'Room not found');
  refuseDirect(room, 'be left');
  const events: RoomEvent[] = [
    { type: 'MemberLeft', data: { roomId: room.roomId, userId: command.actor, leftAt: command.now } },
  ];
  if (member.role === 'owner' && ownerCount(room) === 1) {
    // A group is never left without an owner: the longest-standing operator,
    // else the longest-standing member, takes over.
    const heir = [...room.members.entries()]
      .filter(([id]) => id !== command.actor)
      .sort(([, a], [, b]) => rank(b.role) - rank(a.role) || a.joined - b.joined)[0];
    if (heir) {
      events.push({
        type: 'MemberRoleChanged',
        data: { roomId: room.roomId, userId: heir[0], role: 'owner', changedBy: command.actor, changedAt: command.now },
      });
    }
  }
  return events;
}

function update(command: Extract<RoomCommand, { type: 'UpdateRoom' }>, room: ActiveRoom): RoomEvent[] {
  const actor = actorIn(room, command);
  const base = { roomId: room.roomId, changedBy: command.actor, changedAt: command.now };
  const events: RoomEvent[] = [];
  checkNames(command);
  if (command.name !== undefined && command.name !== room.name) {
    refuseDirect(room, 'be renamed');
    requirePermission(room, actor, 'rename', 'ROOM.RENAME_NOT_ALLOWED');
    events.push({
      type: 'RoomRenamed',
      data: { roomId: room.roomId, name: command.name, renamedBy: command.actor, renamedAt: command.now },
    });
  }
  if (command.topic !== undefined && command.topic !== room.topic) {
    requirePermission(room, actor, 'changeTopic', 'ROOM.TOPIC_NOT_ALLOWED');
    events.push({ type: 'RoomTopicChanged', data: { ...base, topic: command.topic } });
  }
  if (command.avatarUrl !== undefined && command.avatarUrl !== room.avatarUrl) {
    requireAvatarChange(room, command.actor);
    events.push({ type: 'RoomAvatarChanged', data: { ...base, avatarUrl: command.avatarUrl } });
  }
  if (command.permissions !== undefined) {
    if (!isPrivileged(actor)) {
      throw forbidden('ROOM.PERMISSIONS_NOT_ALLOWED', 'Only operators and owners change room permissions');
    }
    const permissions = withNamedFlags(room.permissions, command.permissions);
    if (!samePermissions(permissions, room.permissions)) {
      events.push({ type: 'RoomPermissionsChanged', data: { ...base, permissions } });
    }
  }
  if (command.properties !== undefined) {
    checkProperties(command.properties);
    // The application's own data: it (or an owner or operator) keeps it.
    if (!isPrivileged(actor)) throw forbidden('ROOM.PROPERTIES_NOT_ALLOWED', 'Only operators, owners and the owning application change a room’s custom data');
    if (JSON.stringify(command.properties) !== JSON.stringify(room.properties)) {
      events.push(propertiesChanged(room.roomId, command.properties, command.actor, command.now));
    }
  }
  if (command.historyVisibility !== undefined && command.historyVisibility !== room.historyVisibility) {
    // Who sees the past is the room's policy, as its permissions are.
    if (!isPrivileged(actor)) {
      throw forbidden('ROOM.HISTORY_VISIBILITY_NOT_ALLOWED', 'Only operators and owners change who sees the room’s history');
    }
    events.push({ type: 'RoomHistoryVisibilityChanged', data: { ...base, historyVisibility: command.historyVisibility } });
  }
  if (command.unlisted !== undefined && command.unlisted !== room.unlisted) {
    if (!isPrivileged(actor)) throw forbidden('ROOM.LISTING_NOT_ALLOWED', 'Only operators and owners change whether the room is listed');
    events.push({ type: 'RoomListingChanged', data: { ...base, unlisted: command.unlisted } });
  }
  return events;
}

/**
 * From which join of the room's stream a member sees its history: `shared`,
 * everything (null); `joined`, only from their latest joining on. A
 * member's joining is identified by the caller (a log position, a sequence).
 */
export function historyVisibleFrom<J>(room: ActiveRoom, joinedAt: J): J | null {
  return room.historyVisibility === 'joined' ? joinedAt : null;
}

function changeMember(command: Extract<RoomCommand, { type: 'ChangeMember' }>, room: ActiveRoom): RoomEvent[] {
  const actor = actorIn(room, command);
  const target = room.members.get(command.userId);
  if (!target) throw notFound('ROOM.MEMBER_NOT_FOUND', 'That user is not a member of this room');
  const base = { roomId: room.roomId, userId: command.userId, changedBy: command.actor, changedAt: command.now };
  const events: RoomEvent[] = [];
  if (command.role !== undefined && command.role !== target.role) {
    refuseDirect(room, 'have roles');
    if (actor.role !== 'owner') throw forbidden('ROOM.ROLE_NOT_ALLOWED', 'Only owners change member roles');
    if (target.role === 'owner' && ownerCount(room) === 1) {
      throw conflict('ROOM.LAST_OWNER', 'The last owner cannot step down; make another member owner first');
    }
    events.push({ type: 'MemberRoleChanged', data: { ...base, role: command.role } });
  }
  if (command.muted !== undefined && command.muted !== target.muted) {
    if (!isPrivileged(actor)) throw forbidden('ROOM.MUTE_NOT_ALLOWED', 'Only operators and owners mute members');
    if (outranks(target, actor)) throw forbidden('ROOM.OUTRANKED', `A ${actor.role} cannot mute a ${target.role}`);
    events.push({ type: 'MemberMuteChanged', data: { ...base, muted: command.muted } });
  }
  if (command.voice !== undefined && command.voice !== target.voice) {
    refuseDirect(room, 'have voiced members');
    if (!isPrivileged(actor)) throw forbidden('ROOM.VOICE_NOT_ALLOWED', 'Only operators and owners give or take voice');
    events.push({ type: 'MemberVoiceChanged', data: { ...base, voice: command.voice } });
  }
  return events;
}

/**
 * Deleting a block of history: operators and owners of the room, or an
 * administrator. Comments named by id must be comments of this room (404
 * naming the entry otherwise); those deleted already are left out, so a
 * retry writes nothing. A week or the whole history covers the comments
 * posted up to now (`throughSeq`); an empty block writes nothing.
 */
function deleteHistory(command: DeleteHistoryCommand, room: ActiveRoom): RoomEvent[] {
  const actor = actorIn(room, command);
  if (!isPrivileged(actor)) throw forbidden('HISTORY.DELETE_NOT_ALLOWED', 'Only operators and owners of the room, or an administrator, delete its history');
  const base = { roomId: room.roomId, deletedBy: command.actor, deletedAt: command.now };
  switch (command.scope) {
    case 'comments': {
      if (command.comments.length === 0 || command.comments.length > MAX_DELETED_COMMENTS) {
        throw validationError('HISTORY.BLOCK_INVALID', `A block names 1 to ${MAX_DELETED_COMMENTS} comments`, [
          { field: 'commentIds', reason: `must name 1 to ${MAX_DELETED_COMMENTS} comments` },
        ]);
      }
      const missing = command.comments
        .map((c, index) => ({ c, index }))
        .filter(({ c }) => c.found === null || c.found.roomId !== room.roomId);
      if (missing.length > 0) {
        throw new DomainError(
          'COMMENT.NOT_FOUND',
          'not_found',
          `No comment ${missing.map(({ c }) => c.commentId).join(', ')} in this room`,
          missing.map(({ index }) => ({ field: `commentIds[${index}]`, reason: 'is not a comment of this room' })),
        );
      }
      const standing = new Map<string, number>();
      for (const { commentId, found } of command.comments) {
        if (found && !found.deleted && !inDeletedHistory(room, { commentId, seq: found.seq, postedAt: found.postedAt })) standing.set(commentId, found.seq);
      }
      if (standing.size === 0) return [];
      const seqs = [...standing.values()];
      return [
        {
          type: 'HistoryDeleted',
          data: { ...base, scope: 'comments', commentIds: [...standing.keys()], week: null, fromSeq: Math.min(...seqs), throughSeq: Math.max(...seqs) },
        },
      ];
    }
    case 'week': {
      const range = weekRange(command.year, command.week);
      if (command.seqs === null) return [];
      return [
        {
          type: 'HistoryDeleted',
          data: {
            ...base,
            scope: 'week',
            commentIds: [],
            week: { year: command.year, week: command.week, ...range },
            fromSeq: command.seqs.first,
            throughSeq: command.seqs.last,
          },
        },
      ];
    }
    case 'all':
      if (command.lastSeq === 0) return [];
      return [{ type: 'HistoryDeleted', data: { ...base, scope: 'all', commentIds: [], week: null, fromSeq: 1, throughSeq: command.lastSeq } }];
    default:
      return assertNever(command, 'history deletion');
  }
}

const rank = (role: RoomRole): number => {
  switch (role) {
    case 'owner':
      return 2;
    case 'operator':
      return 1;
    case 'member':
      return 0;
    default:
      return assertNever(role, 'role');
  }
};

/** Whether `target` is out of `actor`'s reach: a higher role, or a fellow operator. */
const outranks = (target: Member, actor: Member) =>
  rank(target.role) > rank(actor.role) || (target.role === 'operator' && actor.role === 'operator');

const ownerCount = (room: ActiveRoom) => [...room.members.values()].filter((m) => m.role === 'owner').length;

const PERMISSION_FLAGS = Object.keys(DEFAULT_PERMISSIONS) as (keyof RoomPermissions)[];

/**
 * `base` with the flags the command names: a flag left out (or arriving as an
 * explicit `undefined`, as a DTO's unset fields do) keeps its value, so a
 * partial `permissions` never switches off the flags it does not mention.
 */
function withNamedFlags(base: RoomPermissions, named: Partial<RoomPermissions> | undefined): RoomPermissions {
  const merged = { ...base };
  for (const flag of PERMISSION_FLAGS) {
    const value = named?.[flag];
    if (typeof value === 'boolean') merged[flag] = value;
  }
  return merged;
}

const samePermissions = (a: RoomPermissions, b: RoomPermissions) =>
  a.rename === b.rename &&
  a.changeTopic === b.changeTopic &&
  a.addMembers === b.addMembers &&
  a.removeMembers === b.removeMembers &&
  a.send === b.send;

const ROOM_EVENTS: ReadonlySet<string> = new Set<RoomEvent['type']>([
  'RoomCreated',
  'MemberInvited',
  'RoomClosed',
  'RoomPropertiesChanged',
  'MemberAdded',
  'MemberRemoved',
  'MemberLeft',
  'MemberRoleChanged',
  'MemberMuteChanged',
  'RoomRenamed',
  'RoomTopicChanged',
  'RoomAvatarChanged',
  'RoomPermissionsChanged',
  'RoomHistoryVisibilityChanged',
  'RoomListingChanged',
  'MemberVoiceChanged',
  'HistoryDeleted',
]);
export const isRoomEvent = (event: ParleyEvent): event is RoomEvent => ROOM_EVENTS.has(event.type);

/**
 * Every event `room-<id>` holds: the room's own, and the first message a
 * thread's creation carried (the one CommentPosted outside `comments-<roomId>`).
 */
export function evolveRoomStream(state: RoomState, event: ParleyEvent): RoomState {
  if (isRoomEvent(event)) return evolveRoom(state, event);
  if (event.type === 'CommentPosted' && state.status === 'active' && state.openingComment === null && event.data.roomId === state.roomId) {
    return { ...state, openingComment: { commentId: event.data.commentId, seq: event.data.seq } };
  }
  return state;
}

/** A room's settings and membership, stream `room-<id>`. */
export const roomDecider: Decider<RoomCommand, RoomState, RoomEvent> = {
  initialState: initialRoomState,
  evolve: evolveRoomStream,
  decide: decideRoom,
};

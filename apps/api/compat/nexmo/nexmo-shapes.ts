import type { ErrorBody } from '../../common/error-body';
import type { ApplicationRoomView, ApplicationUserView, MemberStateView, TimelineEventView } from '../../applications/applications.queries';
import {
  CONVERSATION_PREFIX,
  customEventOf,
  MEMBER_PREFIX,
  SYSTEM_TYPES,
  toConversationsId as toVonageId,
  USER_PREFIX,
  type ConversationUser as VonageUserRef,
} from '../conversations-shared/conversation-shapes';

/*
 * The Nexmo Conversation beta's shapes (the seed's `/beta` and `/beta2`
 * paths) from Parley's views: snake_case, `CON-`/`USR-`/`MEM-` ids (the same
 * scheme as Vonage's, so one conversation has one id on both surfaces),
 * `{ count, page_size, record_index, _links, _embedded }` pages. Pure
 * translation: no rule lives here.
 */

export { CONVERSATION_PREFIX, MEMBER_PREFIX, USER_PREFIX, fromConversationsId as fromNexmoId } from '../conversations-shared/conversation-shapes';

const self = (href: string) => ({ self: { href } });

export const userHref = (base: string, userId: string) => `${base}/beta/users/${toVonageId(USER_PREFIX, userId)}`;
export const conversationHref = (base: string, roomId: string) => `${base}/beta/conversations/${toVonageId(CONVERSATION_PREFIX, roomId)}`;

/** What a create answers in the seed: the new id and where it lives. */
export const created = (id: string, href: string) => ({ id, href });

export function nexmoUser(base: string, user: ApplicationUserView) {
  const href = userHref(base, user.id);
  return {
    id: toVonageId(USER_PREFIX, user.id),
    name: user.name,
    display_name: user.displayName ?? user.name,
    ...(user.imageUrl !== null ? { image_url: user.imageUrl } : {}),
    properties: { custom_data: user.properties },
    href,
    _links: self(href),
  };
}

/** A conversation as the seed's list shows it. */
export function nexmoConversationSummary(base: string, room: ApplicationRoomView) {
  const href = conversationHref(base, room.id);
  return { uuid: toVonageId(CONVERSATION_PREFIX, room.id), name: room.applicationName, display_name: room.name, _links: self(href) };
}

export interface NexmoMemberSummary {
  readonly member: MemberStateView;
  readonly user: VonageUserRef;
}

/** One conversation as the seed's GET by uuid shows it; `sequence_number` is its last event id. */
export function nexmoConversation(base: string, room: ApplicationRoomView, members: readonly NexmoMemberSummary[], sequenceNumber: number) {
  return {
    ...nexmoConversationSummary(base, room),
    timestamp: { created: room.createdAt },
    properties: { custom_data: room.properties },
    sequence_number: sequenceNumber,
    members: members.map(({ member, user }) => ({
      member_id: toVonageId(MEMBER_PREFIX, member.memberId),
      user_id: toVonageId(USER_PREFIX, user.id),
      name: user.name,
      state: member.state.toUpperCase(),
    })),
  };
}

export function nexmoMember(base: string, roomId: string, member: MemberStateView, user: VonageUserRef) {
  const id = toVonageId(MEMBER_PREFIX, member.memberId);
  const href = `${conversationHref(base, roomId)}/members/${id}`;
  return {
    id,
    conversation_id: toVonageId(CONVERSATION_PREFIX, roomId),
    user_id: toVonageId(USER_PREFIX, user.id),
    name: user.name,
    state: member.state.toUpperCase(),
    timestamp: {
      ...(member.invitedAt ? { invited: member.invitedAt } : {}),
      ...(member.joinedAt ? { joined: member.joinedAt } : {}),
      ...(member.leftAt ? { left: member.leftAt } : {}),
    },
    ...(member.invitedBy ? { initiator: { invited: { is_system: member.invitedBy.startsWith('application:') } } } : {}),
    channel: { type: 'app' },
    href,
    _links: self(href),
  };
}

/** A timeline item as a beta event: `text` for a message, `custom:*` for the application's own, `member:*` for membership, `from` the member id of who caused it. */
export function nexmoEvent(base: string, roomId: string, event: TimelineEventView, memberIdOfUser: (userId: string) => string | null) {
  const actor = event.systemEvent?.actorId ?? event.senderId;
  const from = memberIdOfUser(event.systemEvent?.subjectId ?? actor);
  const href = `${conversationHref(base, roomId)}/events/${event.eventId}`;
  const common = {
    id: event.eventId,
    timestamp: event.createdAt,
    ...(from ? { from: toVonageId(MEMBER_PREFIX, from) } : {}),
    href,
    _links: self(href),
  };
  const custom = customEventOf(event);
  if (custom) return { ...common, type: custom.type, body: custom.body, ...(event.deleted ? { state: 'DELETED' } : {}) };
  if (event.kind === 'comment') {
    return event.deleted ? { ...common, type: 'text', body: {}, state: 'DELETED' } : { ...common, type: 'text', body: { text: event.text } };
  }
  return { ...common, type: SYSTEM_TYPES[event.systemEvent?.kind ?? ''] ?? 'conversation:updated', body: {} };
}

/** A page as the seed pages: `record_index` is the first record's index, `count` the records in this page. */
export function nexmoPage(
  selfHref: string,
  next: string | null,
  recordIndex: number,
  pageSize: number,
  key: 'users' | 'conversations' | 'members' | 'events',
  items: readonly unknown[],
) {
  return {
    count: items.length,
    page_size: pageSize,
    record_index: recordIndex,
    _links: { self: { href: selfHref }, ...(next ? { next: { href: next } } : {}) },
    _embedded: { [key]: items },
  };
}

/**
 * The seed's error body `{ code, message }`, with the seed's live
 * `description` and Parley's error body beside it (`statusCode`, `details`),
 * so one client reads every surface's refusals.
 */
export function nexmoError(error: ErrorBody) {
  return {
    status: error.statusCode,
    body: {
      code: error.code,
      message: error.message,
      description: error.message,
      statusCode: error.statusCode,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

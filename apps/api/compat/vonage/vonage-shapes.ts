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

export {
  applicationUserChange,
  applicationUserExtras,
  CONVERSATION_PREFIX,
  customDataOf,
  eventContent,
  fromConversationsId as fromVonageId,
  MEMBER_PREFIX,
  roomUpdate,
  toConversationsId as toVonageId,
  USER_PREFIX,
  type ConversationUser as VonageUserRef,
} from '../conversations-shared/conversation-shapes';

/*
 * Vonage Conversation API v1 shapes (snake_case, HAL `_links`, prefixed ids)
 * from Parley's views. Pure translation: no rule lives here.
 */


export const link = (href: string) => ({ href });


export function vonageUser(base: string, user: ApplicationUserView) {
  const id = toVonageId(USER_PREFIX, user.id);
  return {
    id,
    name: user.name,
    display_name: user.displayName ?? user.name,
    ...(user.imageUrl !== null ? { image_url: user.imageUrl } : {}),
    properties: { custom_data: user.properties },
    timestamp: { created: user.createdAt },
    _links: { self: link(`${base}/v1/users/${id}`) },
  };
}

export function vonageConversation(base: string, room: ApplicationRoomView) {
  const id = toVonageId(CONVERSATION_PREFIX, room.id);
  return {
    id,
    name: room.applicationName,
    display_name: room.name,
    state: room.closed ? 'INACTIVE' : 'ACTIVE',
    timestamp: { created: room.createdAt },
    properties: { custom_data: room.properties },
    _links: { self: link(`${base}/v1/conversations/${id}`) },
  };
}


export function vonageMember(base: string, roomId: string, member: MemberStateView, user: VonageUserRef) {
  const conversationId = toVonageId(CONVERSATION_PREFIX, roomId);
  const id = toVonageId(MEMBER_PREFIX, member.memberId);
  const inviter = member.invitedBy;
  return {
    id,
    conversation_id: conversationId,
    state: member.state.toUpperCase(),
    timestamp: {
      ...(member.invitedAt ? { invited: member.invitedAt } : {}),
      ...(member.joinedAt ? { joined: member.joinedAt } : {}),
      ...(member.leftAt ? { left: member.leftAt } : {}),
    },
    ...(inviter
      ? {
          initiator: {
            invited: inviter.startsWith('application:')
              ? { is_system: true }
              : { is_system: false, user_id: toVonageId(USER_PREFIX, inviter), member_id: toVonageId(MEMBER_PREFIX, member.memberId) },
          },
        }
      : {}),
    channel: { type: 'app' },
    _embedded: {
      user: {
        id: toVonageId(USER_PREFIX, user.id),
        name: user.name,
        display_name: user.displayName ?? user.name,
        _links: { self: link(`${base}/v1/users/${toVonageId(USER_PREFIX, user.id)}`) },
      },
    },
    _links: { href: `${base}/v1/conversations/${conversationId}/members/${id}` },
  };
}




/** A timeline item as a Vonage event; `from` is the sender's member id (none for the application itself). */
export function vonageEvent(base: string, roomId: string, event: TimelineEventView, memberIdOfUser: (userId: string) => string | null) {
  const conversationId = toVonageId(CONVERSATION_PREFIX, roomId);
  const actor = event.systemEvent?.actorId ?? event.senderId;
  const from = memberIdOfUser(event.systemEvent?.subjectId ?? actor);
  const common = {
    id: event.eventId,
    timestamp: event.createdAt,
    ...(from ? { from: toVonageId(MEMBER_PREFIX, from) } : {}),
    _links: { self: link(`${base}/v1/conversations/${conversationId}/events/${event.eventId}`) },
  };
  const custom = customEventOf(event);
  if (custom) return { ...common, type: custom.type, body: custom.body, ...(event.deleted ? { state: 'DELETED' } : {}) };
  if (event.kind === 'comment') {
    return event.deleted
      ? { ...common, type: 'message', body: { message_type: 'text', text: null }, state: 'DELETED' }
      : { ...common, type: 'message', body: { message_type: 'text', text: event.text } };
  }
  return { ...common, type: SYSTEM_TYPES[event.systemEvent?.kind ?? ''] ?? 'conversation:updated', body: {} };
}

const TYPES: Readonly<Record<number, string>> = {
  400: 'http://developer.nexmo.com/api-errors#bad-request',
  401: 'http://developer.nexmo.com/api-errors#unauthorized',
  403: 'http://developer.nexmo.com/api-errors#forbidden',
  404: 'http://developer.nexmo.com/api-errors#not-found',
  409: 'http://developer.nexmo.com/api-errors#conflict',
  429: 'http://developer.nexmo.com/api-errors#throttled',
};

/** Vonage's error body: `type`, `title`, `detail`, `instance`; Parley's error body beside it, so one client reads every surface's refusals. */
export function vonageError(error: ErrorBody, path: string) {
  return {
    status: error.statusCode,
    body: {
      type: TYPES[error.statusCode] ?? 'http://developer.nexmo.com/api-errors#internal-error',
      title: error.code,
      detail: error.message,
      instance: path.split('?')[0],
      statusCode: error.statusCode,
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...(error.details ? { invalid_parameters: error.details.map((d) => ({ name: d.field, reason: d.reason })) } : {}),
    },
  };
}

import { CUSTOM_EVENT_COMMENT_TYPE, isCustomEventType } from '../../../../libs/domain/comments/custom-events';
import { validationError } from '../../../../libs/domain/errors';
import type { ApplicationUserChange } from '../../applications/applications.commands';
import type { ApplicationRoomView, ApplicationUserView, TimelineEventView } from '../../applications/applications.queries';
import type { ExecuteRoomCommand } from '../../rooms/room-command.command';

type RoomCommand = ExecuteRoomCommand['command'];

/*
 * What the Vonage Conversation API and the Nexmo beta share: the `USR-`,
 * `CON-`, `MEM-` ids around Parley's UUIDs (one conversation has one id on
 * both), the request fields they read alike (custom_data, conversation and
 * user updates, new events) and how timeline items are named. Pure
 * translation: no rule lives here.
 */

export const USER_PREFIX = 'USR-';
export const CONVERSATION_PREFIX = 'CON-';
export const MEMBER_PREFIX = 'MEM-';

export const toConversationsId = (prefix: string, id: string) => `${prefix}${id}`;

/** Parley's id inside a prefixed id; null when the prefix or the UUID is wrong (then: not found). */
export function fromConversationsId(prefix: string, id: string): string | null {
  if (!id.startsWith(prefix)) return null;
  const inner = id.slice(prefix.length).toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(inner) ? inner : null;
}

/**
 * A conversation update as Parley's room update: `display_name` renames,
 * `properties.custom_data` replaces the application's data; `name` is the
 * handle the conversation's id derives from, so only its present value passes.
 */
export function roomUpdate(room: ApplicationRoomView, body: Record<string, unknown>, actor: string): RoomCommand {
  const name = body['name'];
  if (name !== undefined && name !== room.applicationName) {
    throw validationError('REQUEST.VALIDATION_FAILED', 'name is the conversation’s handle and does not change', [{ field: 'name', reason: 'cannot change (use display_name)' }]);
  }
  const displayName = body['display_name'];
  if (displayName !== undefined && typeof displayName !== 'string') {
    throw validationError('REQUEST.VALIDATION_FAILED', 'display_name must be a string', [{ field: 'display_name', reason: 'must be a string' }]);
  }
  const properties = customDataOf(body);
  return { type: 'UpdateRoom', actor, ...(displayName !== undefined ? { name: displayName } : {}), ...(properties ? { properties } : {}), now: new Date().toISOString() };
}

/** `properties.custom_data` of a request (Vonage's place for an application's own JSON); undefined when it names none. */
export function customDataOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const properties = body['properties'];
  if (properties === undefined || properties === null) return undefined;
  const customData = typeof properties === 'object' && !Array.isArray(properties) ? (properties as Record<string, unknown>)['custom_data'] : null;
  if (customData === undefined) return undefined;
  if (customData === null || typeof customData !== 'object' || Array.isArray(customData)) {
    throw validationError('REQUEST.VALIDATION_FAILED', 'properties.custom_data must be a JSON object', [{ field: 'properties.custom_data', reason: 'must be a JSON object' }]);
  }
  return customData as Record<string, unknown>;
}

/**
 * A user update as Parley's application-user change: `display_name`,
 * `image_url` (null removes it) and `properties.custom_data` (replaced
 * whole); `name` is the handle the user's id and tokens derive from, so only
 * its present value passes.
 */
export function applicationUserChange(user: ApplicationUserView, body: Record<string, unknown>): ApplicationUserChange {
  const name = body['name'];
  if (name !== undefined && name !== user.name) {
    throw validationError('REQUEST.VALIDATION_FAILED', 'name is the user’s handle and does not change', [{ field: 'name', reason: 'cannot change (use display_name)' }]);
  }
  const displayName = body['display_name'];
  if (displayName !== undefined && typeof displayName !== 'string') {
    throw validationError('REQUEST.VALIDATION_FAILED', 'display_name must be a string', [{ field: 'display_name', reason: 'must be a string' }]);
  }
  const imageUrl = body['image_url'];
  if (imageUrl !== undefined && imageUrl !== null && typeof imageUrl !== 'string') {
    throw validationError('REQUEST.VALIDATION_FAILED', 'image_url must be a string or null', [{ field: 'image_url', reason: 'must be a string or null' }]);
  }
  const properties = customDataOf(body);
  return {
    ...(displayName !== undefined ? { displayName } : {}),
    ...(imageUrl !== undefined ? { imageUrl } : {}),
    ...(properties ? { properties } : {}),
  };
}

/** A new user's image and custom_data, set with its creation. */
export function applicationUserExtras(body: Record<string, unknown>): { imageUrl?: string; properties?: Record<string, unknown> } {
  const imageUrl = body['image_url'];
  if (imageUrl !== undefined && imageUrl !== null && typeof imageUrl !== 'string') {
    throw validationError('REQUEST.VALIDATION_FAILED', 'image_url must be a string', [{ field: 'image_url', reason: 'must be a string' }]);
  }
  const properties = customDataOf(body);
  return { ...(typeof imageUrl === 'string' ? { imageUrl } : {}), ...(properties ? { properties } : {}) };
}

/** A user as a member or event names it. */
export interface ConversationUser {
  readonly id: string;
  readonly name: string;
  readonly displayName: string | null;
}

/** What a system item of the timeline is called on both surfaces. */
export const SYSTEM_TYPES: Readonly<Record<string, string>> = {
  room_created: 'conversation:created',
  member_invited: 'member:invited',
  member_added: 'member:joined',
  member_joined: 'member:joined',
  member_removed: 'member:left',
  member_left: 'member:left',
  room_renamed: 'conversation:updated',
  topic_changed: 'conversation:updated',
};

/** An application's own event as Parley keeps it: a comment of type `custom`, its payload the event's type and body. */
export function customEventPayload(type: string, body: unknown): Record<string, unknown> {
  return { type, body: body ?? {} };
}

/** What a new event becomes in Parley: a text comment, or a `custom` comment holding the application's event. */
export interface EventContent {
  readonly text: string;
  readonly commentType: string;
  readonly payload: Record<string, unknown> | null;
}

/**
 * A new event's type and body as a comment: `text` events (and Vonage's
 * `message` with message_type text) carry `body.text`; `custom:<name>`
 * events carry any JSON object as `body` (bounded by the comment rules).
 */
export function eventContent(type: string | undefined, body: unknown, textTypes: readonly string[]): EventContent {
  const payload = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (isCustomEventType(type)) {
    if (body !== undefined && payload === undefined) throw validationError('REQUEST.VALIDATION_FAILED', 'body must be a JSON object', [{ field: 'body', reason: 'must be a JSON object' }]);
    return { text: type, commentType: CUSTOM_EVENT_COMMENT_TYPE, payload: customEventPayload(type, payload ?? {}) };
  }
  const text = payload?.['text'];
  const textual = type !== undefined && textTypes.includes(type) && (type !== 'message' || (payload?.['message_type'] ?? 'text') === 'text');
  if (!textual) {
    throw validationError('REQUEST.VALIDATION_FAILED', `type must be ${textTypes.join(' or ')} (text) or custom:<name>`, [
      { field: 'type', reason: `must be ${textTypes.join(', ')} or custom:<name>` },
    ]);
  }
  if (typeof text !== 'string') throw validationError('REQUEST.VALIDATION_FAILED', 'A text event needs body.text', [{ field: 'body.text', reason: 'must be a string' }]);
  return { text, commentType: 'text', payload: null };
}

/** The application's own event a timeline item holds (a deleted one keeps its type, not its body); null for anything else. */
export function customEventOf(event: TimelineEventView): { type: string; body: unknown } | null {
  if (event.kind !== 'comment' || event.type !== CUSTOM_EVENT_COMMENT_TYPE) return null;
  const type = event.payload?.['type'];
  return isCustomEventType(type) ? { type, body: event.deleted ? {} : (event.payload?.['body'] ?? {}) } : null;
}

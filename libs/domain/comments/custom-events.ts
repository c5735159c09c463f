/**
 * An application's own event (Vonage's and Nexmo's `custom:<name>`) is kept
 * as a comment of type `custom` whose payload is `{ type, body }`. Its type
 * names what kind of event it was, as a comment's type does: a deletion
 * blanks the body and keeps the type, so the event still lists as a deleted
 * event of its kind.
 */
export const CUSTOM_EVENT_COMMENT_TYPE = 'custom';

const CUSTOM_EVENT = /^custom:[A-Za-z0-9_.:-]{1,100}$/;

export const isCustomEventType = (type: unknown): type is string => typeof type === 'string' && CUSTOM_EVENT.test(type);

/** What a deleted comment keeps of its payload: a custom event's type, nothing of anything else. */
export function payloadKeptOnDeletion(commentType: unknown, payload: unknown): { readonly type: string } | null {
  if (commentType !== CUSTOM_EVENT_COMMENT_TYPE || payload === null || typeof payload !== 'object') return null;
  const type = (payload as Record<string, unknown>)['type'];
  return isCustomEventType(type) ? { type } : null;
}

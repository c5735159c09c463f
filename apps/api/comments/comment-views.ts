import type { CommentAttachment, CommentPosted } from '../../../libs/domain/events';
import type { Position } from '../../../libs/event-store/event-store.port';
import type { Doc } from '../../../libs/read-store/read-store.port';

export interface CommentView {
  readonly id: string;
  readonly roomId: string;
  readonly seq: number | null;
  readonly previousId: string | null;
  readonly senderId: string;
  readonly text: string | null;
  readonly type: string;
  readonly payload: Record<string, unknown> | null;
  readonly replyTo: string | null;
  readonly clientId: string | null;
  readonly createdAt: string;
  readonly position: string;
  readonly deleted: boolean;
  /** Media attached: metadata and URLs (GET them with the same token). */
  readonly attachments: readonly CommentAttachment[];
}

/**
 * The answer to a post: the comment as decided plus its event's own position
 * (the one reads, the feed and webhooks show; a valid `X-Min-Position` for it).
 */
export function commentView(d: CommentPosted['data'], position: Position): CommentView {
  return {
    id: d.commentId,
    roomId: d.roomId,
    seq: d.seq,
    previousId: d.previousId,
    senderId: d.senderId,
    text: d.text,
    type: d.commentType,
    payload: d.payload,
    replyTo: d.replyTo,
    clientId: d.clientId,
    createdAt: d.postedAt,
    position: position.toString(),
    deleted: false,
    attachments: d.attachments ?? [],
  };
}

/** A comment as the timeline read model holds it (text null once deleted; payload too, but for a custom event's type). */
export function commentViewOfDoc(doc: Doc): CommentView {
  return {
    id: doc.id,
    roomId: doc['roomId'] as string,
    seq: doc['seq'] as number,
    previousId: (doc['previousId'] as string | null) ?? null,
    senderId: doc['senderId'] as string,
    text: (doc['text'] as string | null) ?? null,
    type: doc['type'] as string,
    payload: (doc['payload'] as Record<string, unknown> | null) ?? null,
    replyTo: (doc['replyTo'] as string | null) ?? null,
    clientId: (doc['clientId'] as string | null) ?? null,
    createdAt: doc['createdAt'] as string,
    position: doc['position'] as string,
    deleted: doc['deleted'] === true,
    attachments: attachmentsOf(doc),
  };
}

/** A timeline document's attachments; none once the comment is deleted. */
export function attachmentsOf(doc: Doc): CommentAttachment[] {
  return doc['deleted'] === true ? [] : ((doc['attachments'] as CommentAttachment[] | undefined) ?? []);
}

export interface TimelineItemView extends CommentView {
  readonly kind: 'comment' | 'system';
  /** The item's place in the room: dense and increasing over comments and system items alike. */
  readonly eventId: number;
  readonly systemEvent?: unknown;
  readonly deletedAt?: string;
  readonly deletedBy?: string;
}

export function timelineItemView(doc: Doc, names: ReadonlyMap<string, string>): TimelineItemView {
  const kind = doc['kind'] as 'comment' | 'system';
  const base: TimelineItemView = {
    // A system item has no seq: the comment fields otherwise read as for a comment.
    ...commentViewOfDoc(doc),
    kind,
    eventId: doc['ord'] as number,
    seq: (doc['seq'] as number | null) ?? null,
    ...(doc['deleted'] === true ? { deletedAt: doc['deletedAt'] as string, deletedBy: doc['deletedBy'] as string } : {}),
  };
  if (kind !== 'system') return base;
  const systemEvent = doc['systemEvent'] as {
    kind: string;
    actorId: string;
    subjectId?: string;
    name?: string;
    topic?: string | null;
    avatarUrl?: string | null;
  };
  return { ...base, systemEvent, text: systemText(systemEvent, names) };
}

/** Qiscus-style system message text, with the names users have now. */
function systemText(
  event: { kind: string; actorId: string; subjectId?: string; name?: string; topic?: string | null },
  names: ReadonlyMap<string, string>,
): string {
  const actor = names.get(event.actorId) ?? (event.actorId.startsWith('application:') ? 'The application' : 'A deleted user');
  const subject = event.subjectId ? (names.get(event.subjectId) ?? 'a deleted user') : '';
  switch (event.kind) {
    case 'room_created':
      return `${actor} created room "${event.name ?? ''}"`;
    case 'member_added':
      return `${actor} added ${subject}`;
    case 'member_invited':
      return `${actor} invited ${subject}`;
    case 'member_joined':
      return `${actor} joined the room`;
    case 'member_removed':
      return `${actor} removed ${subject}`;
    case 'member_left':
      return `${actor} left the room`;
    case 'room_renamed':
      return `${actor} renamed the room to "${event.name ?? ''}"`;
    case 'topic_changed':
      return event.topic ? `${actor} changed the topic to "${event.topic}"` : `${actor} cleared the topic`;
    case 'avatar_changed':
      return `${actor} changed the room avatar`;
    default:
      return `${actor} changed the room`;
  }
}

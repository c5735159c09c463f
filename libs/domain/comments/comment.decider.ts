import { forbidden, notFound, tooLarge, validationError } from '../errors';
import type { CommentAttachment, CommentDeleted, CommentPosted } from '../events';
import type { MediaState } from '../media/media.decider';
import { jsonLimitViolation, PAYLOAD_LIMITS } from '../json-limits';
import { decideBlocking, type BlockFacts } from '../contacts/blocking.decider';
import type { Decider } from '../decider';
import { assertCanSend, inDeletedHistory, requireMember, requireRoom, type RoomState } from '../rooms/room.decider';
import { hasCharactersNotInText, TEXT_CHARACTERS_REASON } from '../text';

/**
 * What a post decides on besides the room: the comment stream's tail. Only
 * CommentPosted lives in `comments-<roomId>`, so the tail is its last event
 * and `seq` is the stream revision + 1 (+ 1 again in a thread, whose first
 * message came with the room: see commentsBeforeStream); loading it costs
 * one backwards read.
 */
export interface CommentsTail {
  readonly lastSeq: number;
  readonly lastCommentId: string | null;
}

export const emptyTail: CommentsTail = { lastSeq: 0, lastCommentId: null };

export function tailOf(last: CommentPosted | undefined): CommentsTail {
  return last ? { lastSeq: last.data.seq, lastCommentId: last.data.commentId } : emptyTail;
}

/**
 * The tail while `comments-<roomId>` is empty: a thread's first message,
 * appended with the room in `room-<id>`, or no comment yet.
 */
export function roomOpeningTail(room: RoomState): CommentsTail {
  const opening = room.status === 'active' ? room.openingComment : null;
  return opening ? { lastSeq: opening.seq, lastCommentId: opening.commentId } : emptyTail;
}

/**
 * How many of a room's comments live in `room-<id>` rather than in
 * `comments-<roomId>`: 1 for a thread (its first message), 0 otherwise. The
 * comment of seq n is at revision n - 1 - this of `comments-<roomId>`.
 */
export function commentsBeforeStream(room: RoomState): number {
  return room.status === 'active' && room.openingComment !== null ? room.openingComment.seq : 0;
}

export interface PostComment {
  readonly type: 'PostComment';
  readonly commentId: string;
  readonly roomId: string;
  readonly actor: string;
  readonly text: string;
  readonly commentType: string;
  readonly payload: Record<string, unknown> | null;
  readonly replyTo: string | null;
  readonly clientId: string | null;
  /** Media to attach, each with its state as loaded from its stream; absent or empty for none. */
  readonly attachments?: readonly { readonly mediaId: string; readonly media: MediaState }[];
  readonly now: string;
  /**
   * Posted by a server acting for `actor` (an `act:users` key, a seed
   * surface's secret): only such a post may be a system event message.
   */
  readonly byServer?: boolean;
}

/** The comment type of system event messages (Qiscus' `post_system_event_message`). */
export const SYSTEM_EVENT_COMMENT_TYPE = 'system_event';
/** The system events a server may post, after Qiscus' `system_event_type`. */
export const SYSTEM_EVENT_TYPES = [
  'create_room',
  'add_member',
  'join_room',
  'remove_member',
  'left_room',
  'change_room_name',
  'change_room_avatar',
] as const;
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];
export const isSystemEventType = (value: unknown): value is SystemEventType =>
  typeof value === 'string' && (SYSTEM_EVENT_TYPES as readonly string[]).includes(value);

/**
 * A system event message is the server's word ("Yusuf joined room"): members
 * cannot forge one, and its payload names which event it is.
 */
function assertSystemEventAllowed(command: PostComment): void {
  if (command.commentType !== SYSTEM_EVENT_COMMENT_TYPE) return;
  if (!command.byServer) {
    // A 400 naming `type`, as the type was refused before servers could post one.
    throw validationError('COMMENT.SYSTEM_EVENT_FORBIDDEN', 'Only a server acting for a user (act:users) posts system event messages', [
      { field: 'type', reason: 'system_event is posted only by a server acting for a member (act:users)' },
    ]);
  }
  if (!isSystemEventType(command.payload?.['type'])) {
    throw validationError('COMMENT.SYSTEM_EVENT_INVALID', `payload.type must be one of ${SYSTEM_EVENT_TYPES.join(', ')}`, [
      { field: 'payload.type', reason: `must be one of ${SYSTEM_EVENT_TYPES.join(', ')}` },
    ]);
  }
}

/** Most media one comment carries. */
export const MAX_ATTACHMENTS = 10;

/**
 * What a comment shows of its media: one's own live uploads only (someone
 * else's media, or a deleted one, cannot be attached), at most MAX_ATTACHMENTS,
 * each once.
 */
export function decideAttachments(command: PostComment): CommentAttachment[] {
  const wanted = command.attachments ?? [];
  const refuse = (field: string, reason: string): never => {
    throw validationError('COMMENT.ATTACHMENT_INVALID', `${field} ${reason}`, [{ field, reason }]);
  };
  if (wanted.length > MAX_ATTACHMENTS) refuse('attachments', `holds at most ${MAX_ATTACHMENTS} media ids`);
  const seen = new Set<string>();
  return wanted.map(({ mediaId, media }, index) => {
    if (seen.has(mediaId)) refuse(`attachments[${index}]`, 'names the same media twice');
    seen.add(mediaId);
    if (media.status !== 'live' || media.ownerId !== command.actor) refuse(`attachments[${index}]`, 'is not a media item of yours (upload it first with POST /v1/media)');
    const live = media as Extract<MediaState, { status: 'live' }>;
    return {
      mediaId,
      type: live.type,
      size: live.size,
      width: live.width,
      height: live.height,
      url: `/v1/media/${mediaId}`,
      thumbnails: live.thumbnails.map((t) => ({ size: t.size, width: t.width, height: t.height, url: `/v1/media/${mediaId}/thumbnails/${t.size}` })),
    };
  });
}

/**
 * The largest comment Parley stores: UTF-8 bytes of its text plus its payload
 * serialised as JSON. Far below what one append may carry (1 MiB), so that a
 * turn of the comment sequencer always fits at least one comment and one big
 * comment cannot fail the others of its turn.
 */
export const COMMENT_MAX_BYTES = 64 * 1024;

export function commentBytes(text: string, payload: Record<string, unknown> | null): number {
  return Buffer.byteLength(text, 'utf8') + (payload === null ? 0 : Buffer.byteLength(JSON.stringify(payload), 'utf8'));
}

/** Refuses a comment over COMMENT_MAX_BYTES (413 COMMENT.TOO_LARGE). */
export function assertCommentSize(text: string, payload: Record<string, unknown> | null): void {
  const bytes = commentBytes(text, payload);
  if (bytes <= COMMENT_MAX_BYTES) return;
  throw tooLarge('COMMENT.TOO_LARGE', `A comment holds at most ${COMMENT_MAX_BYTES} bytes of text and payload; this one has ${bytes}`, [
    { field: payload === null ? 'text' : 'text+payload', reason: `${bytes} bytes (UTF-8 text + JSON payload) exceed ${COMMENT_MAX_BYTES}` },
  ]);
}

/** The comment a reply points at, as found in the log (null when unknown). */
export interface ReplyTarget {
  readonly roomId: string;
}

export function decidePostComment(
  command: PostComment,
  roomState: RoomState,
  tail: CommentsTail,
  replyTarget: ReplyTarget | null,
): CommentPosted {
  const room = requireRoom(roomState);
  assertCanSend(room, command.actor);
  if (hasCharactersNotInText(command.text)) {
    throw validationError('COMMENT.TEXT_INVALID', `text ${TEXT_CHARACTERS_REASON}`, [{ field: 'text', reason: TEXT_CHARACTERS_REASON }]);
  }
  assertPayloadWithinLimits(command.payload);
  assertCommentSize(command.text, command.payload);
  const attachments = decideAttachments(command);
  assertSystemEventAllowed(command);
  if (command.replyTo !== null && replyTarget?.roomId !== room.roomId) {
    throw validationError('COMMENT.REPLY_TARGET_UNKNOWN', 'replyTo must name a comment of this room', [
      { field: 'replyTo', reason: 'no such comment in this room' },
    ]);
  }
  return {
    type: 'CommentPosted',
    data: {
      commentId: command.commentId,
      roomId: room.roomId,
      seq: tail.lastSeq + 1,
      previousId: tail.lastCommentId,
      senderId: command.actor,
      text: command.text,
      commentType: command.commentType,
      payload: command.payload,
      replyTo: command.replyTo,
      clientId: command.clientId,
      // Absent rather than empty: a comment without media keeps the shape it always had.
      ...(attachments.length > 0 ? { attachments } : {}),
      postedAt: command.now,
    },
  };
}

/**
 * The same rule the API's DTO applies, here so that no path into the log (an
 * import, a surface added later) can append a payload a read store cannot hold.
 */
export function assertPayloadWithinLimits(payload: Record<string, unknown> | null): void {
  if (payload === null) return;
  const violation =
    typeof payload !== 'object' || Array.isArray(payload) ? 'must be a JSON object' : jsonLimitViolation(payload, PAYLOAD_LIMITS);
  if (violation === null) return;
  throw validationError('COMMENT.PAYLOAD_BEYOND_LIMITS', `payload ${violation}`, [{ field: 'payload', reason: `payload ${violation}` }]);
}

export interface DeleteComment {
  readonly type: 'DeleteComment';
  readonly roomId: string;
  readonly commentId: string;
  readonly actor: string;
  readonly now: string;
}

export type CommentLifeState = { readonly status: 'live' } | { readonly status: 'deleted' };

/** What a deletion needs of the comment (a CommentPosted, or the same fields from the timeline read model). */
export interface DeletableComment {
  readonly data: Pick<CommentPosted['data'], 'commentId' | 'roomId' | 'seq' | 'senderId' | 'postedAt'>;
}

export function decideDeleteComment(
  command: DeleteComment,
  roomState: RoomState,
  posted: DeletableComment | null,
  life: CommentLifeState,
): CommentDeleted {
  const room = requireRoom(roomState);
  const actor = requireMember(room, command.actor);
  // A comment deleted with a block of history is gone as if deleted alone.
  if (!posted || posted.data.roomId !== room.roomId || life.status === 'deleted' || inDeletedHistory(room, posted.data)) {
    throw notFound('COMMENT.NOT_FOUND', 'Comment not found');
  }
  const privileged = actor.role === 'owner' || actor.role === 'operator';
  if (posted.data.senderId !== command.actor && !privileged) {
    throw forbidden('COMMENT.DELETE_NOT_ALLOWED', 'Only the sender or an operator deletes a comment');
  }
  return {
    type: 'CommentDeleted',
    data: {
      commentId: posted.data.commentId,
      roomId: room.roomId,
      seq: posted.data.seq,
      deletedBy: command.actor,
      deletedAt: command.now,
    },
  };
}

/** A post and the facts it is decided on besides the comment tail. */
export interface PostInRoom {
  readonly post: PostComment;
  readonly room: RoomState;
  readonly replyTarget: ReplyTarget | null;
  /** The block lists of a direct room's members; null where blocking does not ask (groups, imports). */
  readonly blocks: BlockFacts | null;
}

/** The comments of one room, stream `comments-<roomId>`, whose last event is the whole tail. */
export const commentsDecider: Decider<PostInRoom, CommentsTail, CommentPosted> = {
  initialState: emptyTail,
  evolve: (tail, event) => (event.type === 'CommentPosted' ? tailOf(event) : tail),
  decide: ({ post, room, replyTarget, blocks }, tail) => {
    const event = decidePostComment(post, room, tail, replyTarget);
    // Blocking (issue #5): asked once the poster is known to be a member, and only in a direct room.
    if (blocks && room.status === 'active' && room.kind === 'direct') {
      const other = [...room.members.keys()].find((id) => id !== post.actor);
      if (other) decideBlocking({ type: 'PostInDirectRoom', actor: post.actor, other }, blocks);
    }
    return [event];
  },
};

/** A deletion and the facts it is decided on besides the comment's later life: the room and the comment as posted. */
export interface DeleteInRoom {
  readonly command: DeleteComment;
  readonly room: RoomState;
  readonly posted: DeletableComment | null;
}

/** A comment's later life, stream `comment-<id>`. */
export const commentLifeDecider: Decider<DeleteInRoom, CommentLifeState, CommentDeleted> = {
  initialState: { status: 'live' },
  evolve: (life, event) => (event.type === 'CommentDeleted' ? { status: 'deleted' } : life),
  decide: ({ command, room, posted }, life) => [decideDeleteComment(command, room, posted, life)],
};

import { decidePostComment, emptyTail } from '../comments/comment.decider';
import { decideBlocking, type BlockFacts } from '../contacts/blocking.decider';
import type { Decider } from '../decider';
import { conflict } from '../errors';
import type { CommentPosted, RoomEvent } from '../events';
import { decideRoom, evolveRoomStream, initialRoomState, type RoomState } from './room.decider';

/**
 * Opens a private thread (a room of kind `thread` named by its subject) with
 * its first message. The room's creation and the message are one append to
 * `room-<id>`, so a thread never exists without its first message; the
 * message is an ordinary CommentPosted of seq 1 and `comments-<roomId>`
 * continues at seq 2 (decision: thread opening in one append).
 */
export interface OpenThread {
  readonly type: 'OpenThread';
  readonly roomId: string;
  /** The first message's id: it derives from the room's, so a retry names the same. */
  readonly commentId: string;
  readonly actor: string;
  readonly subject: string;
  /** The recipients' user ids (the actor may be among them). */
  readonly recipients: readonly string[];
  readonly body: string;
  /** The block lists of the recipients; null for an import, which restores history as it was. */
  readonly blocks: BlockFacts | null;
  /** Sent by a server acting for the actor (an `act:users` key, a surface's secret). */
  readonly byServer: boolean;
  readonly now: string;
}

export type ThreadEvent = RoomEvent | CommentPosted;

export function decideOpenThread(command: OpenThread, state: RoomState): ThreadEvent[] {
  if (state.status === 'active') {
    // The same caller's retry (its Idempotency-Key names the room): already open, nothing more to append.
    if (state.kind === 'thread' && state.createdBy === command.actor) return [];
    throw conflict('ROOM.ALREADY_EXISTS', 'Room already exists');
  }
  if (command.blocks !== null) {
    decideBlocking({ type: 'AddToRoom', actor: command.actor, userIds: command.recipients, field: 'recipients' }, command.blocks);
  }
  const created = decideRoom(
    {
      type: 'CreateRoom',
      roomId: command.roomId,
      kind: 'thread',
      name: command.subject,
      topic: null,
      avatarUrl: null,
      actor: command.actor,
      participants: command.recipients,
      now: command.now,
    },
    state,
  );
  const room = created.reduce(evolveRoomStream, state);
  const first = decidePostComment(
    {
      type: 'PostComment',
      commentId: command.commentId,
      roomId: command.roomId,
      actor: command.actor,
      text: command.body,
      commentType: 'text',
      payload: null,
      replyTo: null,
      clientId: null,
      now: command.now,
      byServer: command.byServer,
    },
    room,
    emptyTail,
    null,
  );
  return [...created, first];
}

/** A thread's opening, on its room's stream `room-<id>`: the room decider's state, with the opening's first message. */
export const threadDecider: Decider<OpenThread, RoomState, ThreadEvent> = {
  initialState: initialRoomState,
  evolve: evolveRoomStream,
  decide: decideOpenThread,
};

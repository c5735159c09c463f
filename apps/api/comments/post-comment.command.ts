import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decidePostComment, tailOf, type ReplyTarget } from '../../../libs/domain/comments/comment.decider';
import type { CommentPosted } from '../../../libs/domain/events';
import { idFromKey, newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, StoredEvent } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../infrastructure/command-context';
import { EventWriter } from '../infrastructure/event-writer';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';
import { commentView, type CommentView } from './comment-views';

export class PostCommentCommand extends Command<CommentView> {
  constructor(
    readonly roomId: string,
    readonly text: string,
    readonly commentType: string,
    readonly payload: Record<string, unknown> | null,
    readonly replyTo: string | null,
    readonly clientId: string | null,
    readonly idempotencyKey: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}

const asPosted = (stored: StoredEvent | null): CommentPosted | null =>
  stored?.type === 'CommentPosted' ? ({ type: 'CommentPosted', data: stored.data } as CommentPosted) : null;

/**
 * Posting costs the same whatever the room's history: the room's state comes
 * from the cache (only new events are read), the comment tail from one
 * backwards read of `comments-<roomId>`, then one append at that revision.
 * A client key makes the comment id deterministic, and the log lookup by
 * event id answers a retry with the original, however late it comes.
 */
@CommandHandler(PostCommentCommand)
export class PostCommentHandler implements ICommandHandler<PostCommentCommand, CommentView> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rooms: RoomStates,
    private readonly writer: EventWriter,
  ) {}

  async execute(command: PostCommentCommand): Promise<CommentView> {
    const { roomId, context } = command;
    const key = command.clientId ? `client:${command.clientId}` : command.idempotencyKey ? `key:${command.idempotencyKey}` : null;
    const commentId = key ? idFromKey('comment', roomId, context.actor, key) : newId();
    if (key) {
      const earlier = await this.store.readEvent(commentId);
      if (earlier?.type === 'CommentPosted') return commentView(earlier);
    }
    return this.writer.retrying(async () => {
      const [{ state }, [last], replyTo] = await Promise.all([
        this.rooms.load(roomId),
        this.store.readStream(streams.comments(roomId), { direction: 'backwards', maxCount: 1 }),
        command.replyTo ? this.store.readEvent(command.replyTo) : Promise.resolve(null),
      ]);
      const replyPosted = asPosted(replyTo);
      const replyTarget: ReplyTarget | null = replyPosted ? { roomId: replyPosted.data.roomId } : null;
      const event = decidePostComment(
        {
          type: 'PostComment',
          commentId,
          roomId,
          actor: context.actor,
          text: command.text,
          commentType: command.commentType,
          payload: command.payload,
          replyTo: command.replyTo,
          clientId: command.clientId,
          now: new Date().toISOString(),
        },
        state,
        tailOf(asPosted(last ?? null) ?? undefined),
        replyTarget,
      );
      const result = await this.writer.append(streams.comments(roomId), [event], last ? last.revision : 'no_stream', context, [
        commentId,
      ]);
      // For an id already written (a retry racing its original) the store hands back the original.
      return commentView(result.events[0]!);
    });
  }
}

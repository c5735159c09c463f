import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { idFromKey, newId } from '../../../libs/domain/ids';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EVENT_STORE } from '../infrastructure/tokens';
import { CommentSequencer } from './comment-sequencer';
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

/**
 * Posting costs the same whatever the room's history: the room's state comes
 * from the cache (only new events are read), the comment tail from one
 * backwards read of `comments-<roomId>`, then one append at that revision
 * (see CommentSequencer). A client key makes the comment id deterministic,
 * and the log lookup by event id answers a retry with the original, however
 * late it comes.
 */
@CommandHandler(PostCommentCommand)
export class PostCommentHandler implements ICommandHandler<PostCommentCommand, CommentView> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly sequencer: CommentSequencer,
  ) {}

  async execute(command: PostCommentCommand): Promise<CommentView> {
    const { roomId, context } = command;
    const key = command.clientId ? `client:${command.clientId}` : command.idempotencyKey ? `key:${command.idempotencyKey}` : null;
    const commentId = key ? idFromKey('comment', roomId, context.actor, key) : newId();
    if (key) {
      const earlier = await this.store.readEvent(commentId);
      if (earlier?.type === 'CommentPosted') return commentView(earlier);
    }
    const stored = await this.sequencer.post(
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
      context,
      key !== null,
    );
    // For an id already written (a retry racing its original) the store hands back the original.
    return commentView(stored);
  }
}

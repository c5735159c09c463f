import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideDeleteComment } from '../../../libs/domain/comments/comment.decider';
import type { CommentPosted } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';

export interface DeletedComment {
  readonly id: string;
  readonly roomId: string;
  readonly seq: number;
  readonly deleted: true;
  readonly position: string;
}

export class DeleteCommentCommand extends Command<DeletedComment> {
  constructor(
    readonly roomId: string,
    readonly commentId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** A comment's later life is its own stream, `comment-<id>`; the original stays in the log. */
@CommandHandler(DeleteCommentCommand)
export class DeleteCommentHandler implements ICommandHandler<DeleteCommentCommand, DeletedComment> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rooms: RoomStates,
    private readonly writer: EventWriter,
  ) {}

  execute({ roomId, commentId, context }: DeleteCommentCommand): Promise<DeletedComment> {
    return this.writer.retrying(async () => {
      const [{ state }, posted, lifeRevision] = await Promise.all([
        this.rooms.load(roomId),
        this.store.readEvent(commentId),
        this.store.streamRevision(streams.comment(commentId)),
      ]);
      const event = decideDeleteComment(
        { type: 'DeleteComment', roomId, commentId, actor: context.actor, now: new Date().toISOString() },
        state,
        posted?.type === 'CommentPosted' ? ({ type: 'CommentPosted', data: posted.data } as CommentPosted) : null,
        { status: lifeRevision === null ? 'live' : 'deleted' },
      );
      const result = await this.writer.append(streams.comment(commentId), [event], 'no_stream', context);
      return { id: commentId, roomId, seq: event.data.seq, deleted: true, position: result.position.toString() };
    });
  }
}

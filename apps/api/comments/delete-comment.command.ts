import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { commentLifeDecider, type DeleteInRoom } from '../../../libs/domain/comments/comment.decider';
import type { CommentPosted } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
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
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ roomId, commentId, context }: DeleteCommentCommand): Promise<DeletedComment> {
    const { events, appended } = await this.pipeline.handle(
      commentLifeDecider,
      streams.comment(commentId),
      async (): Promise<DeleteInRoom> => {
        const [{ state }, posted] = await Promise.all([this.rooms.load(roomId), this.store.readEvent(commentId)]);
        return {
          command: { type: 'DeleteComment', roomId, commentId, actor: context.actor, now: new Date().toISOString() },
          room: state,
          posted: posted?.type === 'CommentPosted' ? ({ type: 'CommentPosted', data: posted.data } as CommentPosted) : null,
        };
      },
      context,
    );
    const [event] = events;
    return { id: commentId, roomId, seq: event!.data.seq, deleted: true, position: appended!.position.toString() };
  }
}

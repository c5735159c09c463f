import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { commentLifeDecider, type DeleteInRoom } from '../../../libs/domain/comments/comment.decider';
import { streams } from '../../../libs/domain/streams';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { RoomStates } from '../rooms/room-states';
import { CommentLookup } from './comment-lookup';

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

/**
 * A comment's later life is its own stream, `comment-<id>`; the original stays
 * in the log. The comment itself is found in its room (CommentLookup).
 */
@CommandHandler(DeleteCommentCommand)
export class DeleteCommentHandler implements ICommandHandler<DeleteCommentCommand, DeletedComment> {
  constructor(
    private readonly rooms: RoomStates,
    private readonly pipeline: CommandPipeline,
    private readonly lookup: CommentLookup,
  ) {}

  async execute({ roomId, commentId, context }: DeleteCommentCommand): Promise<DeletedComment> {
    const { events, appended } = await this.pipeline.handle(
      commentLifeDecider,
      streams.comment(commentId),
      async (): Promise<DeleteInRoom> => {
        // The comment is found in its room (read model, then the stream past its checkpoint): no lookup by event id.
        const [{ state }, found] = await Promise.all([this.rooms.load(roomId), this.lookup.find(roomId, [commentId])]);
        const posted = found.get(commentId);
        return {
          command: { type: 'DeleteComment', roomId, commentId, actor: context.actor, now: new Date().toISOString() },
          room: state,
          posted: posted
            ? { data: { commentId: posted.id, roomId: posted.roomId, seq: posted.seq as number, senderId: posted.senderId, postedAt: posted.createdAt } }
            : null,
        };
      },
      context,
    );
    const [event] = events;
    return { id: commentId, roomId, seq: event!.data.seq, deleted: true, position: appended!.position.toString() };
  }
}

import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { validationError } from '../../../libs/domain/errors';
import { PostCommentCommand } from '../comments/post-comment.command';
import type { CommentView } from '../comments/comment-views';
import { CreateRoomCommand, type CreatedRoom } from '../rooms/create-room.command';
import { UserStates } from '../users/user-states';

export interface CreatedThread {
  readonly room: CreatedRoom;
  readonly comment: CommentView;
  /** Of the first message's append: a valid X-Min-Position for the room and its message. */
  readonly position: string;
}

export class CreateThreadCommand extends Command<CreatedThread> {
  constructor(
    /** Usernames, as Warmshowers' recipients name people. */
    readonly recipients: readonly string[],
    readonly subject: string,
    readonly body: string,
    readonly idempotencyKey: string | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Opens a thread (a room of kind `thread` named by its subject) and posts its
 * first message. Two appends on two streams (`room-<id>`, then
 * `comments-<id>`): the first message's id derives from the room's, so a
 * retry with the same Idempotency-Key finds both and completes what a
 * failure between them left (decision 0027).
 */
@CommandHandler(CreateThreadCommand)
export class CreateThreadHandler implements ICommandHandler<CreateThreadCommand, CreatedThread> {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserStates,
  ) {}

  async execute({ recipients, subject, body, idempotencyKey, context }: CreateThreadCommand): Promise<CreatedThread> {
    const found = await Promise.all(recipients.map((name) => this.users.byUsername(name)));
    const missing = recipients.filter((_, i) => found[i] === null);
    if (missing.length > 0) {
      throw validationError('THREAD.UNKNOWN_RECIPIENTS', `Unknown recipients: ${missing.join(', ')}`, [
        { field: 'recipients', reason: `no member named ${missing.join(', ')}` },
      ]);
    }
    const participants = found.map((user) => user!.userId);
    const room = await this.commands.execute(
      new CreateRoomCommand({ kind: 'thread', subject, participants, idempotencyKey }, context),
    );
    const comment = await this.commands.execute(
      new PostCommentCommand(room.id, body, 'text', null, null, null, `thread-opening:${room.id}`, context),
    );
    return { room, comment, position: comment.position };
  }
}

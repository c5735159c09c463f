import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { conflict, validationError } from '../../../libs/domain/errors';
import type { CommentPosted } from '../../../libs/domain/events';
import { idFromKey, newId } from '../../../libs/domain/ids';
import { roomDecider } from '../../../libs/domain/rooms/room.decider';
import { threadDecider } from '../../../libs/domain/rooms/thread.decider';
import { streams } from '../../../libs/domain/streams';
import { CommentLookup } from '../comments/comment-lookup';
import { commentView, type CommentView } from '../comments/comment-views';
import { ContactDirectory } from '../contacts/contact-directory';
import type { CreatedRoom } from '../rooms/create-room.command';
import { roomViewFromState } from '../rooms/room-views';
import { UserStates } from '../users/user-states';

export interface CreatedThread {
  readonly room: CreatedRoom;
  readonly comment: CommentView;
  /** Of the first message's event: a valid X-Min-Position for the room and its message. */
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
 * A thread's first message id: derived from the room's, so a retry names the
 * same. Threads opened before their opening became one append posted it with
 * this same id in `comments-<roomId>`, so one lookup finds either.
 */
export const threadOpeningCommentId = (roomId: string, actor: string): string =>
  idFromKey('comment', roomId, actor, `key:thread-opening:${roomId}`);

/**
 * Opens a thread (a room of kind `thread` named by its subject) with its
 * first message: one command, one append to `room-<id>` (threadDecider).
 * The room's id derives from an Idempotency-Key, so a retry finds the open
 * thread and answers it with its first message.
 */
@CommandHandler(CreateThreadCommand)
export class CreateThreadHandler implements ICommandHandler<CreateThreadCommand, CreatedThread> {
  constructor(
    private readonly users: UserStates,
    private readonly pipeline: CommandPipeline,
    private readonly contacts: ContactDirectory,
    private readonly lookup: CommentLookup,
  ) {}

  async execute({ recipients, subject, body, idempotencyKey, context }: CreateThreadCommand): Promise<CreatedThread> {
    const found = await Promise.all(recipients.map((name) => this.users.byUsername(name)));
    const missing = recipients.filter((_, i) => found[i] === null);
    if (missing.length > 0) {
      throw validationError('THREAD.UNKNOWN_RECIPIENTS', `Unknown recipients: ${missing.join(', ')}`, [
        { field: 'recipients', reason: `no member named ${missing.join(', ')}` },
      ]);
    }
    const participants = [...new Set(found.map((user) => user!.userId))];
    const roomId = idempotencyKey ? idFromKey('thread', context.actor, idempotencyKey) : newId();
    const commentId = threadOpeningCommentId(roomId, context.actor);
    // Imports restore history as it was; otherwise nobody is put in a thread by someone they block.
    const blocks = context.importId ? null : await this.contacts.blockFacts(participants);
    const { state, events, appended } = await this.pipeline.handle(
      threadDecider,
      streams.room(roomId),
      {
        type: 'OpenThread',
        roomId,
        commentId,
        actor: context.actor,
        subject,
        recipients: participants,
        body,
        blocks,
        byServer: context.actingKey !== undefined,
        now: new Date().toISOString(),
      },
      context,
      {
        // The room's own cache: what every later room command decides on already holds the opening.
        states: this.pipeline.states(roomDecider),
        ids: (decided) => decided.map((event) => (event.type === 'CommentPosted' ? event.data.commentId : newId())),
      },
    );
    if (state.status !== 'active') throw new Error(`thread ${roomId} missing right after its opening`);
    if (appended) {
      const first = events[events.length - 1] as CommentPosted;
      const comment = commentView(first.data, appended.positions?.[events.length - 1] ?? appended.position);
      return { room: { ...roomViewFromState(state), created: true, position: appended.position.toString() }, comment, position: comment.position };
    }
    const openingId = state.openingComment?.commentId ?? commentId;
    const comment = (await this.lookup.find(roomId, [openingId])).get(openingId);
    if (!comment) throw conflict('THREAD.OPENED_WITHOUT_MESSAGE', 'This thread was opened without its first message; post it as a comment');
    return { room: { ...roomViewFromState(state), created: false, position: null }, comment, position: comment.position };
  }
}

import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { idFromKey, newId } from '../../../libs/domain/ids';
import { assertCommentSize } from '../../../libs/domain/comments/comment.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommentSequencer, type PostedComment } from './comment-sequencer';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { mediaDecider } from '../../../libs/domain/media/media.decider';
import { streams } from '../../../libs/domain/streams';

export class PostCommentCommand extends Command<PostedComment> {
  constructor(
    readonly roomId: string,
    readonly text: string,
    readonly commentType: string,
    readonly payload: Record<string, unknown> | null,
    readonly replyTo: string | null,
    readonly clientId: string | null,
    readonly idempotencyKey: string | null,
    readonly context: CommandContext,
    readonly attachments: readonly string[] = [],
    /** Answer the comment's per-room event id too (`eventId`), as the Vonage and Nexmo surfaces do; a retry answered with an earlier comment has none. */
    readonly withEventId = false,
  ) {
    super();
  }
}

/**
 * Posting costs the same whatever the room's history: the room's state comes
 * from the cache (only new events are read), the comment tail from the
 * sequencer's last append, then one append at that revision (see
 * CommentSequencer). A client key makes the comment id deterministic, and the
 * sequencer finds an earlier comment with that id in the room (CommentLookup),
 * however late the retry comes. A post without a key looks nothing up.
 */
@CommandHandler(PostCommentCommand)
export class PostCommentHandler implements ICommandHandler<PostCommentCommand, PostedComment> {
  constructor(
    private readonly sequencer: CommentSequencer,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute(command: PostCommentCommand): Promise<PostedComment> {
    const { roomId, context } = command;
    // Refused before it joins a turn: one oversized comment never fails the others.
    assertCommentSize(command.text, command.payload);
    const key = command.clientId ? `client:${command.clientId}` : command.idempotencyKey ? `key:${command.idempotencyKey}` : null;
    const commentId = key ? idFromKey('comment', roomId, context.actor, key) : newId();
    // Each attachment's state from its own stream (cached); the comments decider rules on them.
    const media = this.pipeline.states(mediaDecider);
    const attachments = await Promise.all(
      command.attachments.map(async (mediaId) => ({ mediaId, media: (await media.load(streams.media(mediaId))).state })),
    );
    return this.sequencer.post(
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
        attachments,
        now: new Date().toISOString(),
        byServer: context.actingKey !== undefined,
      },
      context,
      key !== null,
      command.withEventId,
    );
  }
}

/** The system event messages a server may post (Qiscus' `post_system_event_message`), for the surfaces that accept them. */
export { SYSTEM_EVENT_COMMENT_TYPE, SYSTEM_EVENT_TYPES, isSystemEventType } from '../../../libs/domain/comments/comment.decider';

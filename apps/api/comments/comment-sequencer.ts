import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type Turn } from '../../../libs/command-pipeline/command-pipeline';
import { TailStates } from '../../../libs/command-pipeline/tail-states';
import { commentsDecider, type CommentsTail, type PostComment, type ReplyTarget } from '../../../libs/domain/comments/comment.decider';
import type { BlockFacts } from '../../../libs/domain/contacts/blocking.decider';
import type { CommentPosted } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, StoredEvent } from '../../../libs/event-store/event-store.port';
import { ContactDirectory } from '../contacts/contact-directory';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';

interface Pending {
  readonly command: PostComment;
  /** The id derives from a client key, so an earlier turn may already have written it. */
  readonly keyed: boolean;
  readonly context: CommandContext;
  readonly resolve: (stored: StoredEvent) => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH = 256;

export const asPosted = (stored: StoredEvent | null | undefined): CommentPosted | null =>
  stored?.type === 'CommentPosted' ? ({ type: 'CommentPosted', data: stored.data } as CommentPosted) : null;

/**
 * Group commit at the room level: the one place that batches a room's posts
 * into the command pipeline. Posts to one room that arrive while an append
 * is in flight wait in the room's queue; the next turn decides them one
 * after another on the advancing tail (commentsDecider) and the pipeline
 * appends them together at one expected revision, again on a conflict. A busy room thus costs one append per turn instead of a
 * retry storm, and `seq` stays dense. A refusal fails only its own post.
 */
@Injectable()
export class CommentSequencer {
  private readonly queues = new Map<string, Pending[]>();
  private readonly tails: TailStates<CommentsTail>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rooms: RoomStates,
    private readonly pipeline: CommandPipeline,
    private readonly contacts: ContactDirectory,
  ) {
    this.tails = new TailStates(store, commentsDecider);
  }

  post(command: PostComment, context: CommandContext, keyed: boolean): Promise<StoredEvent> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(command.roomId);
      const pending = { command, context, keyed, resolve, reject };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(command.roomId, [pending]);
      void this.drain(command.roomId);
    });
  }

  private async drain(roomId: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(roomId)!;
      if (queue.length === 0) {
        this.queues.delete(roomId);
        return;
      }
      const turn = queue.splice(0, MAX_BATCH);
      try {
        await this.pipeline.turn(this.tails, streams.comments(roomId), (loaded) => this.decideTurn(roomId, turn, loaded.state));
      } catch (error) {
        for (const pending of turn) pending.reject(error);
      }
    }
  }

  /** The turn's posts decided one after another on the advancing tail; one append answers them all. */
  private async decideTurn(roomId: string, turn: readonly Pending[], startTail: CommentsTail): Promise<Turn<CommentPosted, void>> {
    const { state } = await this.rooms.load(roomId);
    let tail = startTail;
    let blocks: BlockFacts | null = null;
    const accepted: { pending: Pending; event: CommentPosted }[] = [];
    const refused: { pending: Pending; error: unknown }[] = [];
    const sameId = new Map<string, Pending[]>();
    for (const pending of turn) {
      const { commentId } = pending.command;
      // The same client key twice in one turn: one comment, both answered with it.
      const twin = accepted.find((a) => a.event.data.commentId === commentId);
      if (twin) {
        sameId.set(commentId, [...(sameId.get(commentId) ?? []), pending]);
        continue;
      }
      if (pending.keyed) {
        const written = await this.store.readEvent(commentId);
        if (written) {
          pending.resolve(written);
          continue;
        }
      }
      try {
        const replyTarget = await this.replyTarget(pending.command.replyTo, accepted);
        // Blocking (issue #5) asks only in a direct room, so a post to a group reads nothing more.
        const asksBlocks = state.status === 'active' && state.kind === 'direct' && !pending.context.importId;
        if (asksBlocks && blocks === null) blocks = await this.contacts.blockFacts([...state.members.keys()]);
        const [event] = commentsDecider.decide(
          { post: pending.command, room: state, replyTarget, blocks: asksBlocks ? blocks : null },
          tail,
        );
        accepted.push({ pending, event: event! });
        tail = commentsDecider.evolve(tail, event!);
      } catch (error) {
        refused.push({ pending, error });
      }
    }
    return {
      // One append for the turn; metadata of each event names its own request.
      events: accepted.map(({ pending, event }) => ({ event, context: pending.context, id: event.data.commentId })),
      answer: (appended) => {
        accepted.forEach(({ pending, event }, index) => {
          const stored = appended!.events[index]!;
          pending.resolve(stored);
          for (const twin of sameId.get(event.data.commentId) ?? []) twin.resolve(stored);
        });
        for (const { pending, error } of refused) pending.reject(error);
      },
    };
  }

  private async replyTarget(
    replyTo: string | null,
    accepted: readonly { event: CommentPosted }[],
  ): Promise<ReplyTarget | null> {
    if (replyTo === null) return null;
    const inTurn = accepted.find((a) => a.event.data.commentId === replyTo);
    if (inTurn) return { roomId: inTurn.event.data.roomId };
    const posted = asPosted(await this.store.readEvent(replyTo));
    return posted ? { roomId: posted.data.roomId } : null;
  }
}


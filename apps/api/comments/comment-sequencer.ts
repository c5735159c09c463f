import { Inject, Injectable } from '@nestjs/common';
import { decidePostComment, tailOf, type PostComment, type ReplyTarget } from '../../../libs/domain/comments/comment.decider';
import type { CommentPosted } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, StoredEvent } from '../../../libs/event-store/event-store.port';
import { blockRefusals, ContactDirectory } from '../contacts/contact-directory';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
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
 * Group commit at the room level. Posts to one room that arrive while an
 * append is in flight wait in the room's queue; the next turn decides them
 * one after another on the advancing tail and appends them together at one
 * expected revision. A busy room thus costs one append per turn instead of a
 * retry storm, and `seq` stays dense. A refusal fails only its own post.
 */
@Injectable()
export class CommentSequencer {
  private readonly queues = new Map<string, Pending[]>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rooms: RoomStates,
    private readonly writer: EventWriter,
    private readonly contacts: ContactDirectory,
  ) {}

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
        await this.writer.retrying(() => this.decideAndAppend(roomId, turn));
      } catch (error) {
        for (const pending of turn) pending.reject(error);
      }
    }
  }

  private async decideAndAppend(roomId: string, turn: readonly Pending[]): Promise<void> {
    const [{ state }, [last]] = await Promise.all([
      this.rooms.load(roomId),
      this.store.readStream(streams.comments(roomId), { direction: 'backwards', maxCount: 1 }),
    ]);
    let tail = tailOf(asPosted(last) ?? undefined);
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
        const event = decidePostComment(pending.command, state, tail, replyTarget);
        // Blocking (issue #5): only a direct room asks (after the decider found the poster a member),
        // so a post to a group reads nothing more.
        if (state.status === 'active' && state.kind === 'direct' && !pending.context.importId) {
          const other = [...state.members.keys()].find((id) => id !== pending.command.actor);
          if (other) await this.contacts.assertDirectAllowed(pending.command.actor, other, blockRefusals.post);
        }
        accepted.push({ pending, event });
        tail = tailOf(event);
      } catch (error) {
        refused.push({ pending, error });
      }
    }
    if (accepted.length > 0) {
      // One append for the turn; metadata of each event names its own request.
      const result = await this.appendAll(roomId, accepted, last ? last.revision : 'no_stream');
      accepted.forEach(({ pending, event }, index) => {
        const stored = result[index]!;
        pending.resolve(stored);
        for (const twin of sameId.get(event.data.commentId) ?? []) twin.resolve(stored);
      });
    }
    for (const { pending, error } of refused) pending.reject(error);
  }

  private async appendAll(
    roomId: string,
    accepted: readonly { pending: Pending; event: CommentPosted }[],
    expected: number | 'no_stream',
  ): Promise<readonly StoredEvent[]> {
    const result = await this.writer.appendEach(
      streams.comments(roomId),
      accepted.map((a) => ({ event: a.event, context: a.pending.context, id: a.event.data.commentId })),
      expected,
    );
    return result.events;
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


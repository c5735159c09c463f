import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { roomOpeningTail } from '../../../libs/domain/comments/comment.decider';
import { upcast } from '../../../libs/domain/events';
import { weekRange } from '../../../libs/domain/history-weeks';
import { roomDecider, type DeleteHistoryCommand as DeleteHistoryDecision } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import type { ParleyConfig } from '../../../libs/config/config';
import { assertNever } from '../../../libs/domain/errors';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { EVENT_STORE, PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { CommentLookup } from './comment-lookup';

/** Which block of a room's history to delete. */
export type HistoryBlock =
  | { readonly scope: 'comments'; readonly commentIds: readonly string[] }
  | { readonly scope: 'week'; readonly year: number; readonly week: number }
  | { readonly scope: 'all' };

export interface DeletedHistory {
  readonly roomId: string;
  /** Events written: 0 when the block held nothing that still stood. */
  readonly written: number;
  readonly position: string | null;
}

export class DeleteHistoryCommand extends Command<DeletedHistory> {
  constructor(
    readonly roomId: string,
    readonly block: HistoryBlock,
    readonly context: CommandContext,
    /** An administrator (`admin:rooms`), who acts on any room without being a member. */
    readonly admin = false,
  ) {
    super();
  }
}

/**
 * Deletes a block of a room's history with one HistoryDeleted on the room's
 * stream, decided by the room (operators, owners, administrators). The
 * handler gathers the facts: the named comments (CommentLookup, exact however
 * far the read model lags), the seqs of a week's first and last comments (the
 * timeline, once it passed the log's head), or the comment stream's last seq.
 */
@CommandHandler(DeleteHistoryCommand)
export class DeleteHistoryHandler implements ICommandHandler<DeleteHistoryCommand, DeletedHistory> {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly lookup: CommentLookup,
    private readonly gate: ReadModelGate,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  async execute({ roomId, block, context, admin }: DeleteHistoryCommand): Promise<DeletedHistory> {
    const base = { type: 'DeleteHistory', actor: context.actor, admin, now: new Date().toISOString() } as const;
    const command: DeleteHistoryDecision = await this.facts(roomId, block, base);
    const { events, appended } = await this.pipeline.handle(roomDecider, streams.room(roomId), command, context);
    return { roomId, written: events.length, position: appended ? appended.position.toString() : null };
  }

  private async facts(
    roomId: string,
    block: HistoryBlock,
    base: { readonly type: 'DeleteHistory'; readonly actor: string; readonly admin: boolean; readonly now: string },
  ): Promise<DeleteHistoryDecision> {
    switch (block.scope) {
      case 'comments': {
        const found = await this.lookup.find(roomId, block.commentIds);
        return {
          ...base,
          scope: 'comments',
          comments: block.commentIds.map((commentId) => {
            const view = found.get(commentId);
            return { commentId, found: view ? { roomId: view.roomId, seq: view.seq as number, postedAt: view.createdAt, deleted: view.deleted } : null };
          }),
        };
      }
      case 'week': {
        const { from, until } = weekRange(block.year, block.week);
        await this.gate.waitForHead(this.config.minPositionWaitMs);
        const edge = (direction: 'asc' | 'desc') =>
          this.readStore.find('timeline', {
            filter: { roomId, kind: 'comment', createdAt: { $gte: from, $lt: until } },
            sort: [{ field: 'createdAt', direction }],
            limit: 1,
            fields: ['seq'],
          });
        const [[first], [last]] = await Promise.all([edge('asc'), edge('desc')]);
        const seqs = first && last ? { first: first['seq'] as number, last: last['seq'] as number } : null;
        return { ...base, scope: 'week', year: block.year, week: block.week, seqs };
      }
      case 'all': {
        const [[tail], { state: room }] = await Promise.all([
          this.store.readStream(streams.comments(roomId), { direction: 'backwards', maxCount: 1 }),
          this.pipeline.states(roomDecider).load(streams.room(roomId)),
        ]);
        const event = tail ? upcast(tail.type, tail.version, tail.data) : null;
        // No comment in the stream yet: a thread's first message came with the room.
        return { ...base, scope: 'all', lastSeq: event?.type === 'CommentPosted' ? event.data.seq : roomOpeningTail(room).lastSeq };
      }
      default:
        return assertNever(block, 'history block');
    }
  }
}

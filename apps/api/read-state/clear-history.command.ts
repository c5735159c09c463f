import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { TailStates } from '../../../libs/command-pipeline/tail-states';
import type { CommentPosted } from '../../../libs/domain/events';
import { historyClearDecider, type ClearInRoom, type HistoryClearMark } from '../../../libs/domain/read-state/history-clear.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';

export interface ClearHistoryResult {
  readonly roomId: string;
  /** The member no longer sees the comments up to this seq (0: none cleared). */
  readonly clearedThroughSeq: number;
  /** Position of the event written, or null when nothing came since the last clear. */
  readonly position: string | null;
}

export class ClearHistoryCommand extends Command<ClearHistoryResult> {
  constructor(
    readonly roomId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Clears a room's history for the caller alone; state is the last event of `history-cleared-<roomId>-<userId>`. */
@CommandHandler(ClearHistoryCommand)
export class ClearHistoryHandler implements ICommandHandler<ClearHistoryCommand, ClearHistoryResult> {
  private readonly marks: TailStates<HistoryClearMark>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rooms: RoomStates,
    private readonly pipeline: CommandPipeline,
  ) {
    this.marks = new TailStates(store, historyClearDecider);
  }

  async execute({ roomId, context }: ClearHistoryCommand): Promise<ClearHistoryResult> {
    const { events, loaded, state, appended } = await this.pipeline.handle(
      historyClearDecider,
      streams.historyCleared(roomId, context.actor),
      async (): Promise<ClearInRoom> => {
        const [{ state: room }, [lastComment]] = await Promise.all([
          this.rooms.load(roomId),
          this.store.readStream(streams.comments(roomId), { direction: 'backwards', maxCount: 1 }),
        ]);
        return {
          command: { type: 'ClearHistory', roomId, actor: context.actor, now: new Date().toISOString() },
          room,
          lastSeq: lastComment ? (lastComment.data as CommentPosted['data']).seq : 0,
        };
      },
      context,
      { states: this.marks },
    );
    if (!appended || events.length === 0) return { roomId, clearedThroughSeq: loaded.state.throughSeq, position: null };
    return { roomId, clearedThroughSeq: state.throughSeq, position: appended.position.toString() };
  }
}

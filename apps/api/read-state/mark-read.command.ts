import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { TailStates } from '../../../libs/command-pipeline/tail-states';
import { roomOpeningTail } from '../../../libs/domain/comments/comment.decider';
import type { CommentPosted } from '../../../libs/domain/events';
import {
  readMarkerDecider,
  type ReadCommand,
  type ReadInRoom,
  type ReadMarker,
} from '../../../libs/domain/read-state/read-marker.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';

export interface ReadResult {
  readonly roomId: string;
  readonly lastReadSeq: number;
  readonly unread: boolean;
  /** Position of the event written, or null when the marker already was there. */
  readonly position: string | null;
}

export class MarkReadCommand extends Command<ReadResult> {
  constructor(
    readonly roomId: string,
    readonly mark: { readonly seq: number } | { readonly unread: true },
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Moves a member's read marker; state is the last event of `read-<roomId>-<userId>`. */
@CommandHandler(MarkReadCommand)
export class MarkReadHandler implements ICommandHandler<MarkReadCommand, ReadResult> {
  private readonly markers: TailStates<ReadMarker>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rooms: RoomStates,
    private readonly pipeline: CommandPipeline,
  ) {
    this.markers = new TailStates(store, readMarkerDecider);
  }

  async execute({ roomId, mark, context }: MarkReadCommand): Promise<ReadResult> {
    const { events, loaded, state, appended } = await this.pipeline.handle(
      readMarkerDecider,
      streams.readMarker(roomId, context.actor),
      async (): Promise<ReadInRoom> => {
        const [{ state: room }, [lastComment]] = await Promise.all([
          this.rooms.load(roomId),
          this.store.readStream(streams.comments(roomId), { direction: 'backwards', maxCount: 1 }),
        ]);
        const now = new Date().toISOString();
        const command: ReadCommand =
          'seq' in mark
            ? { type: 'MarkRead', roomId, actor: context.actor, seq: mark.seq, now }
            : { type: 'MarkUnread', roomId, actor: context.actor, now };
        // No comment in the stream yet: a thread's first message came with the room.
        return { command, room, lastSeq: lastComment ? (lastComment.data as CommentPosted['data']).seq : roomOpeningTail(room).lastSeq };
      },
      context,
      { states: this.markers },
    );
    if (!appended || events.length === 0) return { roomId, ...loaded.state, position: null };
    return { roomId, lastReadSeq: state.lastReadSeq, unread: state.unread, position: appended.position.toString() };
  }
}

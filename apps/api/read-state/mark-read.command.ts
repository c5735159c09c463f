import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommentPosted, ReadStateEvent } from '../../../libs/domain/events';
import { decideRead, markerOf, type ReadCommand } from '../../../libs/domain/read-state/read-marker.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
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
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rooms: RoomStates,
    private readonly writer: EventWriter,
  ) {}

  execute({ roomId, mark, context }: MarkReadCommand): Promise<ReadResult> {
    const stream = streams.readMarker(roomId, context.actor);
    return this.writer.retrying(async () => {
      const [{ state }, [lastComment], [lastMark]] = await Promise.all([
        this.rooms.load(roomId),
        this.store.readStream(streams.comments(roomId), { direction: 'backwards', maxCount: 1 }),
        this.store.readStream(stream, { direction: 'backwards', maxCount: 1 }),
      ]);
      const marker = markerOf(lastMark ? ({ type: lastMark.type, data: lastMark.data } as ReadStateEvent) : undefined);
      const lastSeq = lastComment ? (lastComment.data as CommentPosted['data']).seq : 0;
      const now = new Date().toISOString();
      const command: ReadCommand =
        'seq' in mark
          ? { type: 'MarkRead', roomId, actor: context.actor, seq: mark.seq, now }
          : { type: 'MarkUnread', roomId, actor: context.actor, now };
      const events = decideRead(command, state, lastSeq, marker);
      if (events.length === 0) return { roomId, ...marker, position: null };
      const result = await this.writer.append(stream, events, lastMark ? lastMark.revision : 'no_stream', context);
      const after = markerOf(events[events.length - 1]);
      return { roomId, lastReadSeq: after.lastReadSeq, unread: after.unread, position: result.position.toString() };
    });
  }
}

import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideRoom, type RoomCommand } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import { ContactDirectory } from '../contacts/contact-directory';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { RoomStates } from './room-states';

export interface RoomCommandResult {
  readonly roomId: string;
  /** Number of events written; 0 when the room already was as asked. */
  readonly written: number;
  /** Position of the last event written, or null when nothing was. */
  readonly position: string | null;
}

/** Any decision on one room's settings or membership: fold, decide, append at the expected revision. */
export class ExecuteRoomCommand extends Command<RoomCommandResult> {
  constructor(
    readonly roomId: string,
    readonly command: RoomCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteRoomCommand)
export class ExecuteRoomCommandHandler implements ICommandHandler<ExecuteRoomCommand, RoomCommandResult> {
  constructor(
    private readonly rooms: RoomStates,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
    private readonly contacts: ContactDirectory,
  ) {}

  execute({ roomId, command, context }: ExecuteRoomCommand): Promise<RoomCommandResult> {
    return this.locks.run(streams.room(roomId), () => this.decide(roomId, command, context));
  }

  private decide(roomId: string, command: RoomCommand, context: CommandContext): Promise<RoomCommandResult> {
    return this.writer.retrying(async () => {
      const { state, revision } = await this.rooms.load(roomId);
      const events = decideRoom(command, state);
      if (events.length === 0) return { roomId, written: 0, position: null };
      // Blocking (issue #5): only those actually being added, once the decider let the actor add anyone.
      if (command.type === 'AddMembers' && !context.importId) {
        const adding = events.flatMap((e) => (e.type === 'MemberAdded' ? [e.data.userId] : []));
        await this.contacts.assertMayAdd(command.actor, adding, 'userIds');
      }
      const result = await this.writer.append(streams.room(roomId), events, revision ?? 'no_stream', context);
      return { roomId, written: events.length, position: result.position.toString() };
    });
  }
}

import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { roomDecider, type RoomCommand } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import { ContactDirectory } from '../contacts/contact-directory';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';

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
    private readonly pipeline: CommandPipeline,
    private readonly contacts: ContactDirectory,
  ) {}

  async execute({ roomId, command, context }: ExecuteRoomCommand): Promise<RoomCommandResult> {
    const { events, appended } = await this.pipeline.handle(
      roomDecider,
      streams.room(roomId),
      // Blocking (issue #5): the decider asks the block lists of those it adds. Imports restore history as it was.
      command.type === 'AddMembers' && !context.importId
        ? async () => ({ ...command, blocks: await this.contacts.blockFacts(command.userIds) })
        : command.type === 'PutMember'
          ? async () => ({ ...command, blocks: await this.contacts.blockFacts([command.userId]) })
          : command,
      context,
    );
    return { roomId, written: events.length, position: appended ? appended.position.toString() : null };
  }
}

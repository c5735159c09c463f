import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streams } from '../../../libs/domain/streams';
import { decideRemove } from '../../../libs/domain/users/user.decider';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import { CleanUpAfterErasureCommand } from '../jobs/erasure-cleanup';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { UserStates } from './user-states';

export interface RemovedUser {
  readonly id: string;
  readonly removed: true;
  readonly position: string;
}

/** Windu's account removal: the account goes, its tokens stop working, its personal data is erased. */
export class RemoveUserCommand extends Command<RemovedUser> {
  constructor(
    readonly userId: string,
    readonly reason: 'self' | 'admin',
    readonly feedback: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Destroys the user's personal-data key first, then appends `UserRemoved`:
 * from the key's destruction on, every personal field of theirs, in the log,
 * in exports and in backups, reads as erased. In that order a crash in
 * between can only leave an account whose data is already erased, never a
 * removed account whose data is still readable; the client's retry finishes
 * the removal (destroying a destroyed key is a no-op).
 */
@CommandHandler(RemoveUserCommand)
export class RemoveUserHandler implements ICommandHandler<RemoveUserCommand, RemovedUser> {
  constructor(
    private readonly users: UserStates,
    private readonly writer: EventWriter,
    private readonly vault: PersonalDataVault,
    private readonly commands: CommandBus,
  ) {}

  async execute({ userId, reason, feedback, context }: RemoveUserCommand): Promise<RemovedUser> {
    const decide = async () => {
      const { state, revision } = await this.users.load(userId);
      const removed = decideRemove(
        { type: 'RemoveUser', userId, reason, feedback, removedBy: context.actor, now: new Date().toISOString() },
        state,
      );
      return { removed, revision };
    };
    // Refusals (unknown or already removed) must not touch the key.
    await decide();
    await this.vault.destroy(userId);
    const result = await this.writer.retrying(async () => {
      const { removed, revision } = await decide();
      return this.writer.append(streams.user(userId), [removed], revision ?? 'no_stream', context);
    });
    await this.commands.execute(new CleanUpAfterErasureCommand(userId, result.position, context));
    return { id: userId, removed: true, position: result.position.toString() };
  }
}

import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streams } from '../../../libs/domain/streams';
import { decideRemove, userAccountDecider, type RemoveUser } from '../../../libs/domain/users/user.decider';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import { CleanUpAfterErasureCommand } from '../jobs/erasure-cleanup';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
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
    readonly reason: 'self' | 'admin' | 'application',
    readonly feedback: string | null,
    readonly context: CommandContext,
    /** An application's removal: only a user it created. */
    readonly ofApplication?: string,
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
    private readonly pipeline: CommandPipeline,
    private readonly vault: PersonalDataVault,
    private readonly commands: CommandBus,
  ) {}

  async execute({ userId, reason, feedback, context, ofApplication }: RemoveUserCommand): Promise<RemovedUser> {
    const remove: RemoveUser = {
      type: 'RemoveUser',
      userId,
      reason,
      feedback,
      removedBy: context.actor,
      now: new Date().toISOString(),
      ...(ofApplication !== undefined ? { ofApplication } : {}),
    };
    // Refusals (unknown or already removed) must not touch the key.
    decideRemove(remove, (await this.users.load(userId)).state);
    await this.vault.destroy(userId);
    const { appended } = await this.pipeline.handle(userAccountDecider, streams.user(userId), remove, context, {
      states: { load: () => this.users.load(userId) },
    });
    if (appended === null) throw new Error(`user ${userId} not removed`);
    await this.commands.execute(new CleanUpAfterErasureCommand(userId, appended.position, context));
    return { id: userId, removed: true, position: appended.position.toString() };
  }
}

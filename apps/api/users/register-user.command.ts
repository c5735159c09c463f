import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { hashPassword } from '../../../libs/auth/password';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import { userAccountDecider, type RegisterUser } from '../../../libs/domain/users/user.decider';
import { usernameClaimDecider } from '../../../libs/domain/users/username-claim.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { UserStates } from './user-states';

export interface RegisteredUser {
  readonly id: string;
  readonly username: string;
  readonly displayName: string | null;
  readonly position: string;
}

export class RegisterUserCommand extends Command<RegisteredUser> {
  constructor(
    readonly username: string,
    readonly password: string,
    readonly displayName: string | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Registration is a reservation and a registration, two commands through
 * the pipeline, one append each: the name is claimed in `username-<name>`
 * (the only way an event store makes it unique), then the account is
 * registered in `user-<id>` of whoever holds the claim. A crash between the
 * two leaves a claim that the next registration of the name completes.
 */
@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler implements ICommandHandler<RegisterUserCommand, RegisteredUser> {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly users: UserStates,
  ) {}

  async execute(command: RegisterUserCommand): Promise<RegisteredUser> {
    const now = new Date().toISOString();
    const newUserId = newId();
    // A user registers themselves; an administrator (API key) creating one stays the actor.
    const byAdmin = command.context.actor.startsWith('apikey:');
    const actingAs = (userId: string): CommandContext => (byAdmin ? command.context : { ...command.context, actor: userId });
    const passwordHash = await hashPassword(command.password);
    const claimed = await this.pipeline.handle(
      usernameClaimDecider,
      streams.username(command.username),
      { type: 'ClaimUsername', username: command.username, userId: newUserId, now },
      actingAs(newUserId),
      { states: { load: () => this.users.claimOf(command.username) } },
    );
    const userId = claimed.state.holder!.userId;
    const register: RegisterUser = {
      type: 'RegisterUser',
      userId,
      username: command.username,
      displayName: command.displayName ?? command.username,
      passwordHash,
      now,
    };
    const { events, appended } = await this.pipeline.handle(userAccountDecider, streams.user(userId), register, actingAs(userId), {
      states: { load: () => this.users.load(userId) },
    });
    const [registered] = events;
    if (registered?.type !== 'UserRegistered' || appended === null) throw new Error(`user ${userId} not registered`);
    return {
      id: userId,
      username: registered.data.username,
      displayName: registered.data.displayName,
      position: appended.position.toString(),
    };
  }
}

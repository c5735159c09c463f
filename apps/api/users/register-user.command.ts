import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { hashPassword } from '../../../libs/auth/password';
import { conflict } from '../../../libs/domain/errors';
import type { UsernameClaimed } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import { decideClaim, decideRegister, type RegisterUser } from '../../../libs/domain/users/user.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { EVENT_STORE } from '../infrastructure/tokens';
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

/** A claim older than this whose user stream is missing was orphaned by a crash and may be completed. */
const ORPHANED_CLAIM_MS = 10_000;

@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler implements ICommandHandler<RegisterUserCommand, RegisteredUser> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly writer: EventWriter,
    private readonly users: UserStates,
  ) {}

  async execute(command: RegisterUserCommand): Promise<RegisteredUser> {
    const register: RegisterUser = {
      type: 'RegisterUser',
      userId: newId(),
      username: command.username,
      displayName: command.displayName ?? command.username,
      passwordHash: await hashPassword(command.password),
      now: new Date().toISOString(),
    };
    // A user registers themselves; an administrator (API key) creating one stays the actor.
    const byAdmin = command.context.actor.startsWith('apikey:');
    const context = byAdmin ? command.context : { ...command.context, actor: register.userId };
    return this.writer.retrying(async () => {
      const claimStream = streams.username(register.username);
      const [stored] = await this.store.readStream(claimStream, { maxCount: 1 });
      const claim = stored ? ({ type: 'UsernameClaimed', data: stored.data } as UsernameClaimed) : null;
      const claimEvent = decideClaim(register, claim);
      let userId: string;
      if (claimEvent) {
        await this.writer.append(claimStream, [claimEvent], 'no_stream', context);
        userId = register.userId;
      } else {
        userId = claim!.data.userId;
        const age = Date.now() - Date.parse(stored!.recordedAt);
        if (age < ORPHANED_CLAIM_MS && userId !== register.userId) {
          throw conflict('USER.USERNAME_TAKEN', `Username ${register.username} is taken`);
        }
      }
      const user = await this.users.load(userId);
      const registered = decideRegister(register, userId, user.state);
      const result = await this.writer.append(streams.user(userId), [registered], 'no_stream', byAdmin ? context : {
        ...context,
        actor: userId,
      });
      return {
        id: userId,
        username: registered.data.username,
        displayName: registered.data.displayName,
        position: result.position.toString(),
      };
    });
  }
}

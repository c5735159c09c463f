import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DUMMY_HASH, verifyPassword } from '../../../libs/auth/password';
import { normalizeUsername, streams } from '../../../libs/domain/streams';
import { checkPasswordSignIn } from '../../../libs/domain/tokens/token-family.decider';
import type { UserState } from '../../../libs/domain/users/user.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EVENT_STORE } from '../infrastructure/tokens';
import { UserStates } from '../users/user-states';
import { SignInLimiter } from './sign-in-limiter';
import { TokenService, type TokenPair } from './token.service';

/** The password grant: username and password for a new sign-in. */
export class PasswordGrantCommand extends Command<TokenPair> {
  constructor(
    readonly username: string,
    readonly password: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Reads credentials from the log itself, so a user can sign in the moment registration answered. */
@CommandHandler(PasswordGrantCommand)
export class PasswordGrantHandler implements ICommandHandler<PasswordGrantCommand, TokenPair> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly users: UserStates,
    private readonly tokens: TokenService,
    private readonly limiter: SignInLimiter,
  ) {}

  execute({ username, password, context }: PasswordGrantCommand): Promise<TokenPair> {
    const attempt = { account: `password:${normalizeUsername(username)}`, address: context.clientAddress };
    return this.limiter.attempt(attempt, () => this.signIn(username, password, context));
  }

  private async signIn(username: string, password: string, context: CommandContext): Promise<TokenPair> {
    const user = await this.account(username);
    const hash = user.status === 'absent' ? null : user.passwordHash;
    // Always one scrypt, against a dummy hash when there is none: the time taken says nothing.
    const matches = await verifyPassword(password, hash ?? DUMMY_HASH);
    const userId = checkPasswordSignIn(user, hash !== null && matches);
    return this.tokens.issue(userId, 'password', { ...context, actor: userId });
  }

  /** The account a username was claimed for, whatever its status. */
  private async account(username: string): Promise<UserState> {
    const [claim] = await this.store.readStream(streams.username(username), { maxCount: 1 });
    if (!claim) return { status: 'absent' };
    return (await this.users.load((claim.data as { userId: string }).userId)).state;
  }
}

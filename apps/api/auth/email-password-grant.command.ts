import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DUMMY_HASH, verifyPassword } from '../../../libs/auth/password';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { checkPasswordSignIn } from '../../../libs/domain/tokens/token-family.decider';
import type { UserState } from '../../../libs/domain/users/user.decider';
import { EmailAccounts } from '../users/email-accounts';
import { UserStates } from '../users/user-states';
import { SignInLimiter } from './sign-in-limiter';
import { TokenService, type TokenPair } from './token.service';

/**
 * A sign-in by email address and password (Qiscus' client SDK signs in so):
 * the same checks, limits and token family as the password grant, the
 * account found by its email claim instead of its username.
 */
export class EmailPasswordGrantCommand extends Command<TokenPair & { readonly userId: string }> {
  constructor(
    /** Normalised (`normalizeEmail`). */
    readonly email: string,
    readonly password: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EmailPasswordGrantCommand)
export class EmailPasswordGrantHandler implements ICommandHandler<EmailPasswordGrantCommand, TokenPair & { readonly userId: string }> {
  constructor(
    private readonly emails: EmailAccounts,
    private readonly users: UserStates,
    private readonly tokens: TokenService,
    private readonly limiter: SignInLimiter,
  ) {}

  execute({ email, password, context }: EmailPasswordGrantCommand): Promise<TokenPair & { readonly userId: string }> {
    const attempt = { account: `email:${this.emails.keyOf(email)}`, address: context.clientAddress };
    return this.limiter.attempt(attempt, async () => {
      const owner = await this.emails.ownerOf(email);
      const user: UserState = owner === null ? { status: 'absent' } : (await this.users.load(owner)).state;
      const hash = user.status === 'absent' ? null : user.passwordHash;
      // Always one scrypt, against a dummy hash when there is none: the time taken says nothing.
      const matches = await verifyPassword(password, hash ?? DUMMY_HASH);
      const userId = checkPasswordSignIn(user, hash !== null && matches);
      return { ...(await this.tokens.issue(userId, 'password', { ...context, actor: userId })), userId };
    });
  }
}

import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streams } from '../../../libs/domain/streams';
import { decideVerifyCode, phoneCodeDecider, verifyingState, type VerifyCode } from '../../../libs/domain/users/phone-account.decider';
import { SignInLimiter } from '../auth/sign-in-limiter';
import { TokenService, type TokenPair } from '../auth/token.service';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { UserStates } from '../users/user-states';
import { PhoneAccounts } from './phone-accounts';

export interface PhoneSignIn extends TokenPair {
  readonly user: { readonly id: string; readonly displayName: string | null };
}

export class VerifyCodeCommand extends Command<PhoneSignIn> {
  constructor(
    /** E.164. */
    readonly phone: string,
    readonly code: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Checks a code: the right one verifies the number (a pending account becomes
 * active) and signs in; a wrong one is written down, so attempts count in
 * every process, and refused.
 */
@CommandHandler(VerifyCodeCommand)
export class VerifyCodeHandler implements ICommandHandler<VerifyCodeCommand, PhoneSignIn> {
  constructor(
    private readonly accounts: PhoneAccounts,
    private readonly pipeline: CommandPipeline,
    private readonly locks: KeyedMutex,
    private readonly users: UserStates,
    private readonly tokens: TokenService,
    private readonly limiter: SignInLimiter,
  ) {}

  execute({ phone, code, context }: VerifyCodeCommand): Promise<PhoneSignIn> {
    const phoneKey = this.accounts.phoneKey(phone);
    return this.limiter.attempt({ account: `phone:${phoneKey}`, address: context.clientAddress }, () =>
      this.verify(phoneKey, code, context),
    );
  }

  private async verify(phoneKey: string, code: string, context: CommandContext): Promise<PhoneSignIn> {
    const outcome = await this.locks.run(streams.phone(phoneKey), async () => {
      const account = await this.accounts.account(phoneKey);
      const verify = (): VerifyCode => ({ type: 'VerifyCode', code, hash: this.accounts.hash, policy: this.accounts.policy, now: this.accounts.now() });
      // No account (or a removed one): refused before anything is written.
      const state = verifyingState(account.state);
      if (state.status === 'absent') {
        decideVerifyCode(verify(), state);
        throw new Error('a verification without an account was not refused');
      }
      const { userId } = state;
      let command: VerifyCode | null = null;
      const { loaded } = await this.pipeline.handle(
        phoneCodeDecider,
        streams.user(userId),
        () => (command = verify()),
        { ...context, actor: userId },
        { states: { load: () => this.users.load(userId) } },
      );
      // One event either way (PhoneVerified or VerificationCodeFailed); a wrong code is refused after it is written.
      const decided = verifyingState(loaded.state);
      const decision = decideVerifyCode(command!, decided);
      return { decision, userId, displayName: decided.status === 'absent' ? null : decided.displayName };
    });
    if (outcome.decision.refusal) throw outcome.decision.refusal;
    const userContext = { ...context, actor: outcome.userId };
    const pair = await this.tokens.issue(outcome.userId, 'phone', userContext);
    return { ...pair, user: { id: outcome.userId, displayName: outcome.displayName } };
  }
}

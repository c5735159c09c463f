import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streams } from '../../../libs/domain/streams';
import { decideVerifyCode } from '../../../libs/domain/users/phone-account.decider';
import { initialUserState } from '../../../libs/domain/users/user.decider';
import { SignInLimiter } from '../auth/sign-in-limiter';
import { TokenService, type TokenPair } from '../auth/token.service';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
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
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
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
    const outcome = await this.locks.run(streams.phone(phoneKey), () =>
      this.writer.retrying(async () => {
        const user = await this.accounts.account(phoneKey);
        // A removed account answers like a number without one.
        const state = user.state.status === 'removed' ? initialUserState : user.state;
        const decision = decideVerifyCode(
          { type: 'VerifyCode', code, hash: this.accounts.hash, policy: this.accounts.policy, now: this.accounts.now() },
          state,
        );
        // One event either way (PhoneVerified or VerificationCodeFailed); it names the account.
        const userId = decision.events[0]!.data.userId;
        await this.writer.append(streams.user(userId), decision.events, user.revision ?? 'no_stream', {
          ...context,
          actor: userId,
        });
        return { decision, userId, displayName: state.status === 'absent' ? null : state.displayName };
      }),
    );
    if (outcome.decision.refusal) throw outcome.decision.refusal;
    const userContext = { ...context, actor: outcome.userId };
    const pair = await this.tokens.issue(outcome.userId, 'phone', userContext);
    return { ...pair, user: { id: outcome.userId, displayName: outcome.displayName } };
  }
}

import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streams } from '../../../libs/domain/streams';
import { checkAccountSelection, phoneAccountDecider, wrongCodeRefusal } from '../../../libs/domain/users/phone-account.decider';
import { SignInLimiter } from '../auth/sign-in-limiter';
import { TokenService, type TokenPair } from '../auth/token.service';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { PhoneAccounts } from './phone-accounts';

export interface PhoneSignIn extends TokenPair {
  readonly user: { readonly id: string; readonly displayName: string | null };
}

/** A login's account verified: no sign-in, the login is signed in already. */
export interface VerifiedAccount {
  readonly id: string;
  readonly nickname: string | null;
  readonly status: 'verified';
  readonly position: string;
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

/** Verifies a number a login added (`POST /v1/me/accounts/verify`). */
export class VerifyAccountCodeCommand extends Command<VerifiedAccount> {
  constructor(
    readonly loginId: string,
    /** E.164. */
    readonly phone: string,
    readonly code: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Checks a code in one append: the right one verifies the number (a pending
 * account becomes active); a wrong one is written down, so attempts count in
 * every process, and refused.
 */
abstract class CodeChecker {
  constructor(
    protected readonly accounts: PhoneAccounts,
    private readonly pipeline: CommandPipeline,
  ) {}

  protected async check(phoneKey: string, code: string, context: CommandContext, loginId: string | null) {
    const account = await this.accounts.account(phoneKey);
    if (loginId !== null) {
      checkAccountSelection(loginId, account.state, { pendingToo: true });
    }
    const actor = loginId === null ? { ...context, actor: account.accountId } : context;
    const { events, appended, loaded } = await this.pipeline.handle(
      phoneAccountDecider,
      streams.user(account.accountId),
      { type: 'VerifyCode', code, hash: this.accounts.hash, policy: this.accounts.policy, now: this.accounts.now() },
      actor,
      { states: this.accounts.states(account.accountId) },
    );
    const [event] = events;
    if (event?.type === 'VerificationCodeFailed') throw wrongCodeRefusal(event, this.accounts.policy);
    const state = loaded.state;
    return {
      accountId: account.accountId,
      displayName: state.status === 'absent' ? null : state.displayName,
      position: appended!.position.toString(),
    };
  }
}

/** Verifying a number without a login is how its account signs in: the answer is a token pair. */
@CommandHandler(VerifyCodeCommand)
export class VerifyCodeHandler extends CodeChecker implements ICommandHandler<VerifyCodeCommand, PhoneSignIn> {
  constructor(
    accounts: PhoneAccounts,
    pipeline: CommandPipeline,
    private readonly tokens: TokenService,
    private readonly limiter: SignInLimiter,
  ) {
    super(accounts, pipeline);
  }

  execute({ phone, code, context }: VerifyCodeCommand): Promise<PhoneSignIn> {
    const phoneKey = this.accounts.phoneKey(phone);
    return this.limiter.attempt({ account: `phone:${phoneKey}`, address: context.clientAddress }, async () => {
      const verified = await this.check(phoneKey, code, context, null);
      const pair = await this.tokens.issue(verified.accountId, 'phone', { ...context, actor: verified.accountId });
      return { ...pair, user: { id: verified.accountId, displayName: verified.displayName } };
    });
  }
}

@CommandHandler(VerifyAccountCodeCommand)
export class VerifyAccountCodeHandler extends CodeChecker implements ICommandHandler<VerifyAccountCodeCommand, VerifiedAccount> {
  constructor(
    accounts: PhoneAccounts,
    pipeline: CommandPipeline,
    private readonly limiter: SignInLimiter,
  ) {
    super(accounts, pipeline);
  }

  execute({ loginId, phone, code, context }: VerifyAccountCodeCommand): Promise<VerifiedAccount> {
    const phoneKey = this.accounts.phoneKey(phone);
    return this.limiter.attempt({ account: `phone:${phoneKey}`, address: context.clientAddress }, async () => {
      const verified = await this.check(phoneKey, code, context, loginId);
      return { id: verified.accountId, nickname: verified.displayName, status: 'verified', position: verified.position };
    });
  }
}

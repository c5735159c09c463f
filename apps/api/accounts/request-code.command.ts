import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { VerificationChannel } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import { checkAccountSelection, phoneAccountDecider, type RequestCode } from '../../../libs/domain/users/phone-account.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { PhoneAccounts } from './phone-accounts';

/** The same answer whether or not the number has an account. */
export interface CodeRequested {
  readonly channel: VerificationChannel;
  /** Seconds a code lives. */
  readonly expiresIn: number;
}

export class RequestCodeCommand extends Command<CodeRequested> {
  constructor(
    /** E.164. */
    readonly phone: string,
    readonly channel: VerificationChannel,
    readonly context: CommandContext,
    /** Set when a login asks for a code for one of its own accounts: any other number is 404. */
    readonly loginId: string | null = null,
  ) {
    super();
  }
}

/**
 * A new code for the account of a number: to finish creating it, or to sign
 * in. A number without an account (or whose account was removed) gets the
 * same answer and the same limits, and nothing is written or sent. A login
 * asking for its own account's code is told plainly when the number is not
 * one of its accounts: it learns nothing of others' numbers from that.
 */
@CommandHandler(RequestCodeCommand)
export class RequestCodeHandler implements ICommandHandler<RequestCodeCommand, CodeRequested> {
  constructor(
    private readonly accounts: PhoneAccounts,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ phone, channel, context, loginId }: RequestCodeCommand): Promise<CodeRequested> {
    const phoneKey = this.accounts.phoneKey(phone);
    const newCode = this.accounts.newCode(channel);
    const answer: CodeRequested = { channel, expiresIn: this.accounts.policy.ttlSeconds };
    const account = await this.accounts.account(phoneKey);
    if (loginId !== null) {
      checkAccountSelection(loginId, account.state, { pendingToo: true });
    } else if (account.state.status === 'absent' || account.state.status === 'removed') {
      this.accounts.requestForUnknown(phoneKey);
      return answer;
    }
    const command: RequestCode = { type: 'RequestCode', newCode, hash: this.accounts.hash, policy: this.accounts.policy, now: this.accounts.now() };
    const actor = loginId === null ? { ...context, actor: account.accountId } : context;
    const { events } = await this.pipeline.handle(phoneAccountDecider, streams.user(account.accountId), command, actor, {
      states: this.accounts.states(account.accountId),
    });
    const issued = events[0];
    if (issued?.type === 'VerificationCodeIssued') {
      await this.accounts.send({ phone, channel, code: newCode.code, expiresAt: issued.data.expiresAt }, actor);
    }
    return answer;
  }
}

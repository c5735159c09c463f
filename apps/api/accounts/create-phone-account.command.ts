import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streams } from '../../../libs/domain/streams';
import { phoneAccountDecider, type CreatePhoneAccount } from '../../../libs/domain/users/phone-account.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { PhoneAccounts } from './phone-accounts';

export interface CreatedPhoneAccount {
  readonly id: string;
  readonly status: 'pending';
  readonly position: string;
  /** False when a pending account of the number got a new code instead. */
  readonly created: boolean;
}

export class CreatePhoneAccountCommand extends Command<CreatedPhoneAccount> {
  constructor(
    /** E.164. */
    readonly phone: string,
    readonly nickname: string,
    readonly context: CommandContext,
    /** The signed-in user adding the number to their login (`POST /v1/me/accounts`); null for an account that is its own login. */
    readonly loginId: string | null = null,
  ) {
    super();
  }
}

/**
 * Writes the account and its first code in one append to the number's slot
 * (`user-<phoneAccountId>`), then sends the code (append first: a code that
 * went out is always in the log). Two racing creations meet at the slot's
 * expected revision; the loser decides again on the winner's account.
 */
@CommandHandler(CreatePhoneAccountCommand)
export class CreatePhoneAccountHandler implements ICommandHandler<CreatePhoneAccountCommand, CreatedPhoneAccount> {
  constructor(
    private readonly accounts: PhoneAccounts,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ phone, nickname, context, loginId }: CreatePhoneAccountCommand): Promise<CreatedPhoneAccount> {
    const phoneKey = this.accounts.phoneKey(phone);
    const newCode = this.accounts.newCode('sms');
    const { accountId } = await this.accounts.account(phoneKey);
    const command: CreatePhoneAccount = {
      type: 'CreatePhoneAccount',
      userId: accountId,
      loginId,
      phoneKey,
      phone,
      displayName: nickname,
      newCode,
      hash: this.accounts.hash,
      policy: this.accounts.policy,
      now: this.accounts.now(),
    };
    // Created without a login, the account is its own actor; a login adding a number stays the actor.
    const actor = loginId === null ? { ...context, actor: accountId } : context;
    const { events, appended } = await this.pipeline.handle(phoneAccountDecider, streams.user(accountId), command, actor, {
      states: this.accounts.states(accountId),
    });
    const issued = events[events.length - 1]!;
    const expiresAt = issued.type === 'VerificationCodeIssued' ? issued.data.expiresAt : command.now;
    await this.accounts.send({ phone, channel: 'sms', code: newCode.code, expiresAt }, actor);
    return { id: accountId, status: 'pending', position: appended!.position.toString(), created: events[0]!.type === 'PhoneAccountCreated' };
  }
}

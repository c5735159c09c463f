import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { VerificationChannel } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import { decideRequestCode } from '../../../libs/domain/users/phone-account.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
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
  ) {
    super();
  }
}

/**
 * A new code for the account of a number: to finish creating it, or to sign
 * in. A number without an account (or whose account was removed) gets the
 * same answer and the same limits, and nothing is written or sent.
 */
@CommandHandler(RequestCodeCommand)
export class RequestCodeHandler implements ICommandHandler<RequestCodeCommand, CodeRequested> {
  constructor(
    private readonly accounts: PhoneAccounts,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  async execute({ phone, channel, context }: RequestCodeCommand): Promise<CodeRequested> {
    const phoneKey = this.accounts.phoneKey(phone);
    const newCode = this.accounts.newCode(channel);
    const answer: CodeRequested = { channel, expiresIn: this.accounts.policy.ttlSeconds };
    const issued = await this.locks.run(streams.phone(phoneKey), () =>
      this.writer.retrying(async () => {
        const user = await this.accounts.account(phoneKey);
        if (user.state.status === 'absent' || user.state.status === 'removed') {
          this.accounts.requestForUnknown(phoneKey);
          return null;
        }
        const [event] = decideRequestCode(
          { type: 'RequestCode', newCode, hash: this.accounts.hash, policy: this.accounts.policy, now: this.accounts.now() },
          user.state,
        );
        await this.writer.append(streams.user(user.state.userId), [event], user.revision ?? 'no_stream', {
          ...context,
          actor: user.state.userId,
        });
        return event;
      }),
    );
    if (issued) await this.accounts.send({ phone, channel, code: newCode.code, expiresAt: issued.data.expiresAt });
    return answer;
  }
}

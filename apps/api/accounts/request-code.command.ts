import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { VerificationChannel } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import { DomainError } from '../../../libs/domain/errors';
import { phoneCodeDecider } from '../../../libs/domain/users/phone-account.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { UserStates } from '../users/user-states';
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
    private readonly pipeline: CommandPipeline,
    private readonly locks: KeyedMutex,
    private readonly users: UserStates,
  ) {}

  async execute({ phone, channel, context }: RequestCodeCommand): Promise<CodeRequested> {
    const phoneKey = this.accounts.phoneKey(phone);
    const newCode = this.accounts.newCode(channel);
    const answer: CodeRequested = { channel, expiresIn: this.accounts.policy.ttlSeconds };
    // The number's lock keeps a request from interleaving with the number's account creation.
    const issued = await this.locks.run(streams.phone(phoneKey), async () => {
      const user = await this.accounts.account(phoneKey);
      if (user.state.status === 'absent' || user.state.status === 'removed') {
        this.accounts.requestForUnknown(phoneKey);
        return null;
      }
      const userId = user.state.userId;
      try {
        const { events } = await this.pipeline.handle(
          phoneCodeDecider,
          streams.user(userId),
          () => ({ type: 'RequestCode', newCode, hash: this.accounts.hash, policy: this.accounts.policy, now: this.accounts.now() }) as const,
          { ...context, actor: userId },
          { states: { load: () => this.users.load(userId) } },
        );
        const [event] = events;
        return event?.type === 'VerificationCodeIssued' ? event : null;
      } catch (error) {
        // Removed meanwhile: answered like a number without an account.
        if (!(error instanceof DomainError && error.code === 'ACCOUNT.REMOVED')) throw error;
        this.accounts.requestForUnknown(phoneKey);
        return null;
      }
    });
    if (issued) await this.accounts.send({ phone, channel, code: newCode.code, expiresAt: issued.data.expiresAt });
    return answer;
  }
}

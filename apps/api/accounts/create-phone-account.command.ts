import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import {
  decideCreatePhoneAccount,
  decidePhoneClaim,
  type CreatePhoneAccount,
} from '../../../libs/domain/users/phone-account.decider';
import { initialUserState, type UserState } from '../../../libs/domain/users/user.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
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
  ) {
    super();
  }
}

/**
 * Claims the number in `phone-<phoneKey>`, then writes the account and its
 * first code in `user-<id>`, then sends the code (append first: a code that
 * went out is always in the log).
 */
@CommandHandler(CreatePhoneAccountCommand)
export class CreatePhoneAccountHandler implements ICommandHandler<CreatePhoneAccountCommand, CreatedPhoneAccount> {
  constructor(
    private readonly accounts: PhoneAccounts,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  async execute({ phone, nickname, context }: CreatePhoneAccountCommand): Promise<CreatedPhoneAccount> {
    const phoneKey = this.accounts.phoneKey(phone);
    const newCode = this.accounts.newCode('sms');
    const userId = newId();
    const written = await this.locks.run(streams.phone(phoneKey), () =>
      this.writer.retrying(async () => {
        const command: CreatePhoneAccount = {
          type: 'CreatePhoneAccount',
          userId,
          phoneKey,
          phone,
          displayName: nickname,
          newCode,
          hash: this.accounts.hash,
          policy: this.accounts.policy,
          now: this.accounts.now(),
        };
        const current = await this.accounts.account(phoneKey);
        const claim = decidePhoneClaim(command, current.claim?.event ?? null, current.state);
        let owner: string;
        let user: Loaded<UserState>;
        if (claim) {
          await this.writer.append(streams.phone(phoneKey), [claim], current.claim?.revision ?? 'no_stream', {
            ...context,
            actor: userId,
          });
          owner = userId;
          user = { state: initialUserState, revision: null };
        } else {
          owner = current.claim!.event.data.userId;
          user = current;
        }
        const events = decideCreatePhoneAccount(command, owner, user.state);
        const result = await this.writer.append(streams.user(owner), events, user.revision ?? 'no_stream', {
          ...context,
          actor: owner,
        });
        const issued = events[events.length - 1]!;
        return {
          id: owner,
          position: result.position.toString(),
          created: events[0]!.type === 'PhoneAccountCreated',
          expiresAt: issued.type === 'VerificationCodeIssued' ? issued.data.expiresAt : command.now,
        };
      }),
    );
    await this.accounts.send({ phone, channel: 'sms', code: newCode.code, expiresAt: written.expiresAt });
    return { id: written.id, status: 'pending', position: written.position, created: written.created };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import type { ParleyConfig } from '../../../libs/config/config';
import { DomainError } from '../../../libs/domain/errors';
import type { VerificationChannel } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import { checkCodeRate, type CodeHasher, type CodePolicy, type NewCode } from '../../../libs/domain/users/phone-account.decider';
import type { UserState } from '../../../libs/domain/users/user.decider';
import { LookupKeys } from '../../../libs/personal-data/lookup-keys';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { scopeOf } from '../../../libs/logging/logger';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { UserStates } from '../users/user-states';
import { CODE_SENDER, CodeNotSentError, type CodeMessage, type CodeSender } from './code-sender';

/** The time accounts decide with; one seam, so that tests can move it. */
@Injectable()
export class AccountsClock {
  now(): Date {
    return new Date();
  }
}

/** Remembered numbers without an account, at most this many (oldest dropped). */
const UNKNOWN_CAPACITY = 10_000;

/** What the phone-account commands share: keys, limits, lookups, code making and sending. */
@Injectable()
export class PhoneAccounts {
  readonly policy: CodePolicy;
  readonly hash: CodeHasher;
  private readonly keys: LookupKeys;
  /** Code requests for numbers without an account, limited like real ones (see `requestForUnknown`). */
  private readonly unknown = new Map<string, string[]>();

  constructor(
    @Inject(PARLEY_CONFIG) config: ParleyConfig,
    @Inject(CODE_SENDER) private readonly sender: CodeSender,
    private readonly users: UserStates,
    readonly clock: AccountsClock,
  ) {
    this.keys = new LookupKeys(config.personalDataKey);
    this.hash = (codeId, code) => this.keys.codeHash(codeId, code);
    this.policy = {
      ttlSeconds: config.verificationCodeTtlSeconds,
      maxAttempts: config.verificationMaxAttempts,
      minIntervalSeconds: config.codeRequestIntervalSeconds,
      perHour: config.codeRequestsPerHour,
    };
  }

  phoneKey(e164: string): string {
    return this.keys.phoneKey(e164);
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  /** A 6-digit code from the CSPRNG, with a fresh id. */
  newCode(channel: VerificationChannel): NewCode {
    return { codeId: newId(), code: randomInt(0, 1_000_000).toString().padStart(6, '0'), channel };
  }

  /** The number's account (absent when none holds it now) and the stream it lives in. */
  async account(phoneKey: string): Promise<Loaded<UserState> & { readonly accountId: string }> {
    const { slot, loaded } = await this.users.byPhoneKey(phoneKey);
    return { ...loaded, accountId: slot };
  }

  /** The state source the pipeline decides on: the same cache the auth guard reads. */
  states(accountId: string): { load: () => Promise<Loaded<UserState>> } {
    return { load: () => this.users.load(accountId) };
  }

  /**
   * A code request for a number without an account answers like one with an
   * account, rate limits included, so the answer does not tell which numbers
   * have accounts. Kept in this process's memory only; nothing is written.
   */
  requestForUnknown(phoneKey: string): void {
    const now = this.now();
    const issued = this.unknown.get(phoneKey) ?? [];
    checkCodeRate(issued, now, this.policy);
    this.unknown.delete(phoneKey);
    this.unknown.set(phoneKey, [...issued, now].slice(-10));
    if (this.unknown.size > UNKNOWN_CAPACITY) {
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
  }

  /**
   * Sends a code whose issue is already in the log. A failed send is a 503:
   * the code exists but did not go out; the client asks again after the
   * shortest interval (the issued code counts towards the limits).
   */
  async send(message: CodeMessage, context: CommandContext): Promise<void> {
    try {
      await this.sender.send(message, scopeOf(context));
    } catch (error) {
      const reason = error instanceof CodeNotSentError ? error.message : 'The verification code was not sent';
      throw new DomainError(
        'ACCOUNT.CODE_NOT_SENT',
        'unavailable',
        `${reason}; ask for a new code in a moment`,
        undefined,
        Math.max(1, this.policy.minIntervalSeconds),
      );
    }
  }
}

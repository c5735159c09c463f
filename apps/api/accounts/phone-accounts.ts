import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import type { ParleyConfig } from '../../../libs/config/config';
import { DomainError } from '../../../libs/domain/errors';
import { upcast, type PhoneClaimed, type VerificationChannel } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import { checkCodeRate, type CodeHasher, type CodePolicy, type NewCode } from '../../../libs/domain/users/phone-account.decider';
import { initialUserState, type UserState } from '../../../libs/domain/users/user.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { LookupKeys } from '../../../libs/personal-data/lookup-keys';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE, PARLEY_CONFIG } from '../infrastructure/tokens';
import { UserStates } from '../users/user-states';
import { CODE_SENDER, CodeNotSentError, type CodeMessage, type CodeSender } from './code-sender';

/** The time accounts decide with; one seam, so that tests can move it. */
@Injectable()
export class AccountsClock {
  now(): Date {
    return new Date();
  }
}

export interface PhoneClaim {
  readonly event: PhoneClaimed;
  /** Revision of the claim in `phone-<phoneKey>`. */
  readonly revision: number;
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
    @Inject(EVENT_STORE) private readonly store: EventStore,
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

  /** The number's current claim: the last event of `phone-<phoneKey>`. */
  async claim(phoneKey: string): Promise<PhoneClaim | null> {
    const [stored] = await this.store.readStream(streams.phone(phoneKey), { direction: 'backwards', maxCount: 1 });
    if (!stored) return null;
    const event = upcast(stored.type, stored.version, stored.data);
    return event?.type === 'PhoneClaimed' ? { event, revision: stored.revision } : null;
  }

  /** The account holding the number, absent when none does (or its stream was never written). */
  async account(phoneKey: string): Promise<Loaded<UserState> & { readonly claim: PhoneClaim | null }> {
    const claim = await this.claim(phoneKey);
    if (!claim) return { claim, state: initialUserState, revision: null };
    return { claim, ...(await this.users.load(claim.event.data.userId)) };
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
  async send(message: CodeMessage): Promise<void> {
    try {
      await this.sender.send(message);
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

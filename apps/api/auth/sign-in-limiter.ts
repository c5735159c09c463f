import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import type { ParleyConfig, SignInPolicy } from '../../../libs/config/config';
import { DomainError } from '../../../libs/domain/errors';
import {
  afterFailure,
  lockedForSeconds,
  tooManyAttempts,
  type AttemptRecord,
} from '../../../libs/domain/sign-in/attempt-limit';
import { leaseHolder } from '../../../libs/read-store/lease-keeper';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { API_STATE_STORE, PARLEY_CONFIG } from '../infrastructure/tokens';

/**
 * Failed sign-ins, per account and per client address. Kept in the read
 * store (SQLite, MongoDB), beside the read models but owned by no projection:
 * every API process sees the same counts, a restart forgets nothing, and a
 * rebuild leaves them alone. Keys are keyed hashes: the store holds no
 * username, phone number or address.
 */
export const SIGN_IN_ATTEMPTS = 'sign_in_attempts';

/** A count's lease outlives one read and one write by far; a holder that died frees it after this. */
const COUNT_LEASE_TTL_MS = 5_000;
const COUNT_LEASE_WAIT_MS = 5_000;

/** Who is trying: the account as its sign-in names it (e.g. `password:<username>`), and from where. */
export interface SignInAttempt {
  readonly account: string;
  readonly address: string | undefined;
}

/**
 * The one limiter of every way to sign in (password grant, phone code, the
 * compat surfaces' logins). `attempt` refuses at once while the account or
 * the address is locked (429 `AUTH.TOO_MANY_ATTEMPTS` with Retry-After,
 * before the credentials are looked at), counts a refusal of the credentials
 * (a DomainError of category `unauthenticated`) against both, and forgets
 * the account's failures on success. Attempts on one account take turns in
 * this process, so a burst cannot slip past the count.
 */
@Injectable()
export class SignInLimiter {
  private ready: Promise<void> | null = null;

  constructor(
    @Inject(API_STATE_STORE) private readonly store: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly locks: KeyedMutex,
  ) {}

  async attempt<T>(who: SignInAttempt, signIn: () => Promise<T>): Promise<T> {
    const account = this.key('account', who.account);
    const address = who.address === undefined ? null : this.key('address', who.address);
    await this.prepare();
    return this.locks.run(account, async () => {
      const now = Date.now();
      const [accountRecord, addressRecord] = await Promise.all([this.load(account), address ? this.load(address) : null]);
      const wait = Math.max(lockedForSeconds(accountRecord, now), lockedForSeconds(addressRecord, now));
      if (wait > 0) throw tooManyAttempts(wait);
      let result: T;
      try {
        result = await signIn();
      } catch (error) {
        if (error instanceof DomainError && error.category === 'unauthenticated') {
          await this.fail(account, this.config.signInAccountPolicy);
          if (address) await this.locks.run(address, () => this.fail(address, this.config.signInAddressPolicy));
        }
        throw error;
      }
      if (accountRecord !== null) await this.store.commit([{ kind: 'delete', collection: SIGN_IN_ATTEMPTS, id: account }], []);
      return result;
    });
  }

  /**
   * Read, then written: under a lease of the key in the read store, so that
   * failures counted at once by several API processes are each counted (the
   * mutex above orders only this process's). A lease that cannot be had in
   * time (its holder died on another host) does not stop the count.
   */
  private async fail(id: string, policy: SignInPolicy): Promise<void> {
    await this.acrossProcesses(id, async () => {
      const record = afterFailure(await this.load(id), Date.now(), policy);
      await this.store.commit([{ kind: 'put', collection: SIGN_IN_ATTEMPTS, doc: { id, ...record } }], []);
    });
  }

  private async acrossProcesses(id: string, update: () => Promise<void>): Promise<void> {
    const name = `${SIGN_IN_ATTEMPTS}:${id}`;
    const holder = leaseHolder();
    const deadline = Date.now() + COUNT_LEASE_WAIT_MS;
    let lease = await this.store.acquireLease(name, holder, COUNT_LEASE_TTL_MS);
    while (lease === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      lease = await this.store.acquireLease(name, holder, COUNT_LEASE_TTL_MS);
    }
    try {
      await update();
    } finally {
      if (lease !== null) await this.store.releaseLease(name, holder, lease.token);
    }
  }

  private async load(id: string): Promise<AttemptRecord | null> {
    const doc = await this.store.get(SIGN_IN_ATTEMPTS, id);
    if (doc === null) return null;
    return {
      failures: Number(doc['failures']),
      windowStartedAt: Number(doc['windowStartedAt']),
      lockedUntil: doc['lockedUntil'] == null ? null : Number(doc['lockedUntil']),
      lockouts: Number(doc['lockouts']),
      lastFailureAt: Number(doc['lastFailureAt']),
    };
  }

  private key(kind: 'account' | 'address', value: string): string {
    return `${kind}:${createHmac('sha256', this.config.personalDataKey).update(`${kind}\0${value}`).digest('base64url')}`;
  }

  private prepare(): Promise<void> {
    this.ready ??= this.store.ensureCollections([{ name: SIGN_IN_ATTEMPTS, indexes: [] }]).catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }
}

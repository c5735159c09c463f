import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../../libs/auth/password';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import type { ParleyConfig } from '../../../libs/config/config';
import { upcast, type EmailClaimed, type UsernameClaimed } from '../../../libs/domain/events';
import { idFromKey } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import { decideEmailChange, decideEmailClaim, type SetEmail } from '../../../libs/domain/users/email';
import { checkDisplayName, checkNewPassword } from '../../../libs/domain/users/profile.decider';
import { decideClaim, decideRegister, type KnownUser, type RegisterUser } from '../../../libs/domain/users/user.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { LookupKeys } from '../../../libs/personal-data/lookup-keys';
import { EVENT_STORE, PARLEY_CONFIG } from '../infrastructure/tokens';
import { UserStates } from './user-states';

export interface NewEmailAccount {
  /** Normalised (`normalizeEmail`). */
  readonly email: string;
  /** Null: the account signs in only through a server acting for it (Qiscus' optional password). */
  readonly password: string | null;
  readonly displayName: string;
}

export interface EmailAccount {
  readonly user: KnownUser;
  readonly created: boolean;
  /** Of the user stream's last append, or null when nothing was written. */
  readonly position: string | null;
}

/** Claims never change hands, so a found owner is kept; bounded like the other caches. */
const OWNER_CACHE = 50_000;

/**
 * Accounts by email address (Qiscus identifies users by email). The address
 * is claimed in `email-<emailKey>` (a keyed hash: the stream id names nobody)
 * before the user's stream records it, sealed with the user's key. The claim
 * is the lookup, read from the log, so a lagging read model never hides an
 * account; claims are permanent, so an owner once found is remembered.
 */
@Injectable()
export class EmailAccounts {
  private readonly keys: LookupKeys;
  private readonly writer: EventWriter;
  private readonly owners = new Map<string, string>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARLEY_CONFIG) config: ParleyConfig,
    private readonly users: UserStates,
  ) {
    this.keys = new LookupKeys(config.personalDataKey);
    this.writer = new EventWriter(store);
  }

  keyOf(email: string): string {
    return this.keys.emailKey(email);
  }

  /** The id of the account that claimed the address, removed or not; null when none did. */
  async ownerOf(email: string): Promise<string | null> {
    const emailKey = this.keyOf(email);
    const known = this.owners.get(emailKey);
    if (known !== undefined) return known;
    const claim = await this.claimOf(emailKey);
    if (claim === null) return null;
    this.owners.set(emailKey, claim.data.userId);
    if (this.owners.size > OWNER_CACHE) this.owners.delete(this.owners.keys().next().value!);
    return claim.data.userId;
  }

  /** The active account with this address, or null. */
  async find(email: string): Promise<KnownUser | null> {
    const userId = await this.ownerOf(email);
    if (userId === null) return null;
    const { state } = await this.users.load(userId);
    return state.status === 'registered' ? state : null;
  }

  /**
   * Registers an account for the address, or answers the one that holds it.
   * The user id derives from the address's key, so two racing registrations,
   * or one retried after a crash between its appends, end with one account.
   */
  async register(account: NewEmailAccount, context: CommandContext): Promise<EmailAccount> {
    const emailKey = this.keyOf(account.email);
    const userId = idFromKey('email-account', emailKey);
    const displayName = checkDisplayName(account.displayName);
    if (account.password !== null) checkNewPassword(account.password, 'password');
    const passwordHash = await hashPassword(account.password ?? randomBytes(32).toString('base64url'));
    const now = new Date().toISOString();
    const setEmail: SetEmail = { type: 'SetEmail', userId, email: account.email, emailKey, actor: context.actor, now };
    return this.writer.retrying(async () => {
      const claim = decideEmailClaim(setEmail, await this.claimOf(emailKey));
      if (claim) await this.writer.append(streams.email(emailKey), [claim], 'no_stream', context);
      const loaded = await this.users.load(userId);
      if (loaded.state.status === 'registered') return { user: loaded.state, created: false, position: null };
      // A handle nobody chooses: email accounts sign in by address, and the username is public.
      const register: RegisterUser = { type: 'RegisterUser', userId, username: `e.${userId.replace(/-/g, '').slice(0, 24)}`, displayName, passwordHash, now };
      const usernameClaim = decideClaim(register, await this.usernameClaimOf(register.username));
      if (usernameClaim) await this.writer.append(streams.username(register.username), [usernameClaim], 'no_stream', context);
      const registered = decideRegister(register, userId, loaded.state);
      const events = [registered, ...decideEmailChange(setEmail, { emailKey: null })];
      const appended = await this.writer.append(streams.user(userId), events, loaded.revision ?? 'no_stream', context);
      const { state } = await this.users.load(userId);
      if (state.status !== 'registered') throw new Error(`user ${userId} missing right after its registration`);
      return { user: state, created: true, position: appended.position.toString() };
    });
  }

  private async claimOf(emailKey: string): Promise<EmailClaimed | null> {
    const [stored] = await this.store.readStream(streams.email(emailKey), { maxCount: 1 });
    const event = stored ? upcast(stored.type, stored.version, stored.data) : null;
    return event?.type === 'EmailClaimed' ? event : null;
  }

  private async usernameClaimOf(username: string): Promise<UsernameClaimed | null> {
    const [stored] = await this.store.readStream(streams.username(username), { maxCount: 1 });
    const event = stored ? upcast(stored.type, stored.version, stored.data) : null;
    return event?.type === 'UsernameClaimed' ? event : null;
  }
}

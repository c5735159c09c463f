import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../../libs/auth/password';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import type { ParleyConfig } from '../../../libs/config/config';
import { conflict } from '../../../libs/domain/errors';
import { idFromKey } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import type { SetEmail } from '../../../libs/domain/users/email';
import { emailClaimDecider, type EmailClaimState } from '../../../libs/domain/users/email-claim.decider';
import { checkDisplayName, checkNewPassword } from '../../../libs/domain/users/profile.decider';
import { userAccountDecider, type KnownUser, type RegisterUser } from '../../../libs/domain/users/user.decider';
import { usernameClaimDecider } from '../../../libs/domain/users/username-claim.decider';
import { LookupKeys } from '../../../libs/personal-data/lookup-keys';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
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
 * Accounts by email address (Qiscus identifies users by email). Registering
 * one is a reservation and a registration, as `RegisterUserHandler`'s is,
 * three commands through the pipeline, one append each: the address is
 * claimed in `email-<emailKey>` (a keyed hash: the stream id names nobody),
 * then the account's handle in `username-<handle>`, then the account and its
 * address (sealed with the user's key) in `user-<id>`. The claim is the
 * lookup, read from the log, so a lagging read model never hides an account;
 * claims are permanent, so an owner once found is remembered.
 */
@Injectable()
export class EmailAccounts {
  private readonly keys: LookupKeys;
  private readonly claims: StreamStateCache<EmailClaimState>;
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly pipeline: CommandPipeline,
    @Inject(PARLEY_CONFIG) config: ParleyConfig,
    private readonly users: UserStates,
  ) {
    this.keys = new LookupKeys(config.personalDataKey);
    this.claims = pipeline.states(emailClaimDecider);
  }

  keyOf(email: string): string {
    return this.keys.emailKey(email);
  }

  /** The id of the account that claimed the address, removed or not; null when none did. */
  async ownerOf(email: string): Promise<string | null> {
    const emailKey = this.keyOf(email);
    const known = this.owners.get(emailKey);
    if (known !== undefined) return known;
    const { state } = await this.claims.load(streams.email(emailKey));
    if (state.holder === null) return null;
    this.owners.set(emailKey, state.holder);
    if (this.owners.size > OWNER_CACHE) this.owners.delete(this.owners.keys().next().value!);
    return state.holder;
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
   * or one retried after a crash between its appends, find every claim their
   * own and end with one account: each command then appends nothing.
   */
  async register(account: NewEmailAccount, context: CommandContext): Promise<EmailAccount> {
    const emailKey = this.keyOf(account.email);
    const userId = idFromKey('email-account', emailKey);
    const displayName = checkDisplayName(account.displayName);
    if (account.password !== null) checkNewPassword(account.password, 'password');
    const passwordHash = await hashPassword(account.password ?? randomBytes(32).toString('base64url'));
    const now = new Date().toISOString();
    await this.pipeline.handle(emailClaimDecider, streams.email(emailKey), { type: 'ClaimEmail', emailKey, userId }, context);
    // A handle nobody chooses: email accounts sign in by address, and the username is public.
    const username = `e.${userId.replace(/-/g, '').slice(0, 24)}`;
    const handle = await this.pipeline.handle(usernameClaimDecider, streams.username(username), { type: 'ClaimUsername', username, userId, now }, context, {
      states: { load: () => this.users.claimOf(username) },
    });
    // The handle is a valid username anyone may register; the address's account cannot take one another account holds.
    if (handle.state.holder?.userId !== userId) throw conflict('USER.USERNAME_TAKEN', `Username ${username} is taken`);
    const email: SetEmail = { type: 'SetEmail', userId, email: account.email, emailKey, actor: context.actor, now };
    const register: RegisterUser = { type: 'RegisterUser', userId, username, displayName, passwordHash, now, email };
    const { state, appended } = await this.pipeline.handle(userAccountDecider, streams.user(userId), register, context, {
      states: { load: () => this.users.load(userId) },
    });
    if (state.status !== 'registered') throw new Error(`user ${userId} missing right after its registration`);
    return { user: state, created: appended !== null, position: appended === null ? null : appended.position.toString() };
  }
}

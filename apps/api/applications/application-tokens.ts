import { Inject, Injectable } from '@nestjs/common';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { assertAclAllows, verifyApplicationToken, type ApplicationClaims } from '../../../libs/domain/applications/application-token';
import { unauthenticated } from '../../../libs/domain/errors';
import { applicationActor } from '../../../libs/domain/rooms/room.decider';

/** The actor an application's own token acts as (surfaces compare callers with it). */
export { applicationActor };
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';
import { UserStates } from '../users/user-states';
import { ApplicationStates } from './application-states';
import { applicationUserId } from './application-users';

/**
 * Used token ids, beside the read models but owned by no projection (a
 * rebuild keeps them): a `jti` is remembered until its token expires, so a
 * replay is refused across restarts and by every API process that shares the
 * read store. Documents `<applicationId>:<jti>` with `expiresAt` (seconds).
 */
export const APPLICATION_TOKEN_IDS = 'application_token_ids';
/** Expired ids are swept after this many new ones. */
const SWEEP_EVERY = 1000;
const GUARD_STATE_MAX_AGE_MS = 1000;

export interface ApplicationCaller {
  readonly applicationId: string;
  /** `application:<id>`, or the user named by `sub`. */
  readonly actor: string;
  /** The user the token acts as (its `sub`), null for the application itself. */
  readonly userId: string | null;
  readonly claims: ApplicationClaims;
}

@Injectable()
export class ApplicationTokens {
  private ready: Promise<void> | undefined;
  private sinceSweep = 0;

  constructor(
    private readonly applications: ApplicationStates,
    private readonly users: UserStates,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly locks: KeyedMutex,
  ) {}

  /**
   * The caller a token names, for a request to `aclPath` (the path as the
   * token's `acl` speaks of it). Refusals: 401 (unknown application, bad
   * signature, expired, replayed `jti`, unknown `sub`), 403 (outside the acl).
   * Checked in that order, and nothing is remembered of a refused token.
   */
  async authenticate(token: string, applicationId: string, aclPath: string): Promise<ApplicationCaller> {
    const { state } = await this.applications.load(applicationId, );
    if (state.status !== 'active') throw unauthenticated('APPLICATION.UNKNOWN', 'No such application');
    const claims = verifyApplicationToken(token, state.publicKey, Math.floor(Date.now() / 1000));
    assertAclAllows(claims.acl, aclPath);
    let userId: string | null = null;
    if (claims.sub !== null) {
      userId = applicationUserId(applicationId, claims.sub);
      const user = (await this.users.load(userId, { maxAgeMs: GUARD_STATE_MAX_AGE_MS })).state;
      if (user.status !== 'registered') throw unauthenticated('APPLICATION.UNKNOWN_USER', `The application has no user named ${claims.sub}`);
    }
    await this.useOnce(applicationId, claims);
    return { applicationId, actor: userId ?? applicationActor(applicationId), userId, claims };
  }

  /** Remembers the token id until the token expires; a second use within that time is refused. */
  private async useOnce(applicationId: string, claims: ApplicationClaims): Promise<void> {
    await (this.ready ??= this.store.ensureCollections([{ name: APPLICATION_TOKEN_IDS, indexes: [{ fields: ['expiresAt', 'id'] }] }]));
    const id = `${applicationId}:${claims.jti}`;
    await this.locks.run(`jti:${id}`, async () => {
      const seen = await this.store.get(APPLICATION_TOKEN_IDS, id);
      const nowSeconds = Math.floor(Date.now() / 1000);
      if (seen && (seen['expiresAt'] as number) > nowSeconds) {
        throw unauthenticated('APPLICATION.TOKEN_REPLAYED', 'This token (its jti) was used already');
      }
      await this.store.commit([{ kind: 'put', collection: APPLICATION_TOKEN_IDS, doc: { id, expiresAt: claims.expiresAt } }], []);
    });
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      await this.sweep();
    }
  }

  private async sweep(): Promise<void> {
    const expired = await this.store.find(APPLICATION_TOKEN_IDS, {
      filter: { expiresAt: { $lt: Math.floor(Date.now() / 1000) } },
      sort: [{ field: 'expiresAt', direction: 'asc' }],
      limit: 1000,
      fields: [],
    });
    if (expired.length > 0) await this.store.commit(expired.map((doc) => ({ kind: 'delete', collection: APPLICATION_TOKEN_IDS, id: doc.id })), []);
  }
}

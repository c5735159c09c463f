import { Inject, Injectable } from '@nestjs/common';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { assertAclAllows, verifyApplicationToken, type ApplicationClaims, type UnverifiedApplicationToken } from '../../../libs/domain/applications/application-token';
import { unauthenticated } from '../../../libs/domain/errors';
import { applicationActor } from '../../../libs/domain/rooms/room.decider';

/** The actor an application's own token acts as (surfaces compare callers with it). */
export { applicationActor };
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { API_STATE_STORE } from '../infrastructure/tokens';
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
/** Parsed public keys kept (parsing a PEM costs more than the signature check). */
const KEY_CACHE_CAPACITY = 1000;

/** A token id waiting for the group's one commit. */
interface PendingUse {
  readonly id: string;
  readonly expiresAt: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

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
  private readonly keys = new Map<string, KeyObject>();
  /** Ids of this turn, committed together once the turn ends. */
  private pending: PendingUse[] = [];
  /** Ids being checked or committed: a racing second use of one is refused without waiting. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly applications: ApplicationStates,
    private readonly users: UserStates,
    @Inject(API_STATE_STORE) private readonly store: ReadStore,
  ) {}

  /**
   * The caller a token (decoded by the guard, not yet trusted) names, for a request to `aclPath` (the path as the
   * token's `acl` speaks of it). Refusals: 401 (unknown application, bad
   * signature, expired, replayed `jti`, unknown `sub`), 403 (outside the acl).
   * Checked in that order, and nothing is remembered of a refused token.
   */
  async authenticate(token: UnverifiedApplicationToken, aclPath: string): Promise<ApplicationCaller> {
    const { applicationId } = token;
    const { state } = await this.applications.load(applicationId);
    if (state.status !== 'active') throw unauthenticated('APPLICATION.UNKNOWN', 'No such application');
    const claims = verifyApplicationToken(token, this.keyOf(state.publicKey), Math.floor(Date.now() / 1000));
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

  /** The parsed key of a PEM, kept for the next token of the same application. */
  private keyOf(pem: string): KeyObject {
    let key = this.keys.get(pem);
    if (key === undefined) {
      key = createPublicKey(pem);
      this.keys.set(pem, key);
      if (this.keys.size > KEY_CACHE_CAPACITY) this.keys.delete(this.keys.keys().next().value!);
    }
    return key;
  }

  /**
   * Remembers the token id until the token expires; a second use within that
   * time is refused. The ids of one event-loop turn are claimed together in
   * one `insertAbsent` (one round trip, atomic per id across API processes),
   * not one each; a use racing another of the same id is refused at once. On
   * the embedded profile it runs in the API state store's own thread.
   */
  private async useOnce(applicationId: string, claims: ApplicationClaims): Promise<void> {
    const id = `${applicationId}:${claims.jti}`;
    if (this.inFlight.has(id)) throw replayed();
    this.inFlight.add(id);
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.pending.push({ id, expiresAt: claims.expiresAt, resolve, reject }) === 1) setImmediate(() => void this.commitGroup());
      });
    } finally {
      this.inFlight.delete(id);
    }
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      await this.sweep();
    }
  }

  private async commitGroup(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await (this.ready ??= this.store.ensureCollections([{ name: APPLICATION_TOKEN_IDS, indexes: [{ fields: ['expiresAt', 'id'] }] }]));
      // One round trip for the group: each id is taken atomically, here and in any other API process.
      const held = new Set(await this.store.insertAbsent(APPLICATION_TOKEN_IDS, batch.map((use) => ({ id: use.id, expiresAt: use.expiresAt }))));
      // Rarely: an id held by a token that has expired since (not swept yet) may be used by a new token.
      const reused = held.size === 0 ? new Set<string>() : await this.takeExpired(batch.filter((use) => held.has(use.id)));
      for (const use of batch) {
        if (held.has(use.id) && !reused.has(use.id)) use.reject(replayed());
        else use.resolve();
      }
    } catch (error) {
      for (const use of batch) use.reject(error);
    }
  }

  /** Of these held ids, those whose token expired: written again with the new token's expiry, and answered. */
  private async takeExpired(uses: readonly PendingUse[]): Promise<Set<string>> {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const expired = new Set((await this.store.getMany(APPLICATION_TOKEN_IDS, uses.map((use) => use.id))).filter((doc) => (doc['expiresAt'] as number) <= nowSeconds).map((doc) => doc.id));
    const taken = uses.filter((use) => expired.has(use.id));
    if (taken.length > 0) {
      await this.store.commit(taken.map((use) => ({ kind: 'put' as const, collection: APPLICATION_TOKEN_IDS, doc: { id: use.id, expiresAt: use.expiresAt } })), []);
    }
    return new Set(taken.map((use) => use.id));
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

const replayed = () => unauthenticated('APPLICATION.TOKEN_REPLAYED', 'This token (its jti) was used already');

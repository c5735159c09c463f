import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { ParleyConfig } from '../../../libs/config/config';
import { unauthenticated } from '../../../libs/domain/errors';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import {
  initialTokenFamilyState,
  requireActiveAccount,
  requireLiveFamily,
  tokenFamilyDecider,
  type TokenGrant,
} from '../../../libs/domain/tokens/token-family.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { UserStates } from '../users/user-states';
import type { AuthenticatedUser } from './auth.decorators';
import { jwtKeys, type JwtKeys, type PublishedJwk } from './jwt-keys';

/** How long the guard trusts a user's and a sign-in's state without reading their streams while the live log is not followed. */
const GUARD_STATE_MAX_AGE_MS = 1000;
const VERIFIED_TOKENS_CAPACITY = 10_000;
import { TokenFamilyStates } from './token-family-states';

/** The token endpoint's answer (RFC 6749 5.1). */
export interface TokenPair {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly scope?: string;
}

export type TokenType = 'access' | 'refresh';

/** What a verified Parley token says. */
export interface TokenClaims {
  readonly sub: string;
  readonly typ: TokenType;
  /** The token family (sign-in) it belongs to. */
  readonly sid: string;
  readonly jti: string;
  /** Space separated; access tokens only. */
  readonly scope: string;
}

/** What a signed-in user may do; API keys carry their own scopes. */
export const USER_SCOPES: readonly string[] = ['user'];

/**
 * Access tokens: short-lived JWTs (`sub`, `typ: access`, `sid`, `scope`).
 * Refresh tokens: JWTs (`typ: refresh`, `sid` = family, `jti` = token id) that
 * rotate on every use; their family in the log says which one is current.
 */
@Injectable()
export class TokenService {
  private readonly keys: JwtKeys;
  private readonly verified = new Map<string, { readonly claims: Record<string, unknown>; readonly expiresAtMs: number }>();

  constructor(
    private readonly jwt: JwtService,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly pipeline: CommandPipeline,
    private readonly families: TokenFamilyStates,
    private readonly users: UserStates,
  ) {
    this.keys = jwtKeys(config.jwtSigning);
  }

  /** Signs in: starts a refresh-token family for `userId` and answers its first tokens. */
  async issue(userId: string, grant: TokenGrant = 'password', context?: CommandContext): Promise<TokenPair> {
    const familyId = newId();
    const tokenId = newId();
    const now = new Date();
    const expiresAt = this.refreshExpiry(now);
    const requestId = newId();
    await this.pipeline.handle(
      tokenFamilyDecider,
      streams.tokenFamily(familyId),
      {
        type: 'StartTokenFamily',
        familyId,
        userId,
        tokenId,
        grant,
        client: context?.client ?? null,
        expiresAt: expiresAt.toISOString(),
        now: now.toISOString(),
      },
      context ?? { actor: userId, correlationId: requestId, causationId: requestId },
      // The family's id is new: nothing to read, and the append expects no stream.
      { states: { load: () => Promise.resolve({ state: initialTokenFamilyState, revision: null }) } },
    );
    return this.sign(userId, familyId, tokenId, expiresAt);
  }

  /** A refresh token issued now lives this long; every rotation starts the period again. */
  refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.refreshTokenTtlSeconds * 1000);
  }

  /** A new access token and the refresh token `refreshTokenId` of family `familyId`. */
  async sign(userId: string, familyId: string, refreshTokenId: string, refreshExpiresAt: Date): Promise<TokenPair> {
    const scope = USER_SCOPES.join(' ');
    const [access, refresh] = await Promise.all([
      this.jwt.signAsync(
        { typ: 'access', sid: familyId, scope },
        { subject: userId, jwtid: newId(), expiresIn: this.config.accessTokenTtlSeconds },
      ),
      this.jwt.signAsync(
        { typ: 'refresh', sid: familyId, exp: Math.floor(refreshExpiresAt.getTime() / 1000) },
        { subject: userId, jwtid: refreshTokenId },
      ),
    ]);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: this.config.accessTokenTtlSeconds,
      refresh_token: refresh,
      scope,
    };
  }

  /**
   * The claims of a token signed by this server with the configured algorithm
   * (nothing else: another algorithm, `alg: none` or another key is a 401
   * `AUTH.TOKEN_INVALID`); `typ` null accepts either type. Signature and
   * expiry only: whether its sign-in still stands is `authenticate`'s job.
   */
  async decode(token: string, typ: TokenType | null, options: { ignoreExpiration?: boolean } = {}): Promise<TokenClaims> {
    const ignoreExpiration = options.ignoreExpiration === true;
    let claims: Record<string, unknown> | undefined;
    const known = this.verified.get(token);
    if (known !== undefined && (ignoreExpiration || Date.now() < known.expiresAtMs)) claims = known.claims;
    if (claims === undefined) {
      try {
        claims = await this.jwt.verifyAsync<Record<string, unknown>>(token, {
          algorithms: [this.keys.algorithm],
          ignoreExpiration,
        });
      } catch (error) {
        this.verified.delete(token);
        if ((error as Error).name === 'TokenExpiredError') {
          throw unauthenticated('AUTH.TOKEN_EXPIRED', 'The token has expired');
        }
        throw unauthenticated('AUTH.TOKEN_INVALID', 'The token is invalid');
      }
      this.remember(token, claims);
    }
    const { sub, typ: kind, sid, jti, scope } = claims;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof jti !== 'string' ||
      (kind !== 'access' && kind !== 'refresh')
    ) {
      throw unauthenticated('AUTH.TOKEN_INVALID', 'The token is invalid');
    }
    if (typ !== null && kind !== typ) {
      throw unauthenticated(
        'AUTH.TOKEN_WRONG_TYPE',
        typ === 'access' ? 'This is a refresh token; send an access token' : 'This is an access token; send a refresh token',
      );
    }
    return { sub, typ: kind, sid, jti, scope: typeof scope === 'string' ? scope : '' };
  }

  /** Whether this server verified the token's signature before and it has not expired (no verification now). */
  verifiedBefore(token: string): boolean {
    const known = this.verified.get(token);
    return known !== undefined && Date.now() < known.expiresAtMs;
  }

  /**
   * The caller of a request: a valid access token whose account is active and
   * whose sign-in (token family) is not revoked. Both states come from small
   * cached folds, so this costs one verify and two short reads.
   */
  async authenticate(accessToken: string): Promise<AuthenticatedUser> {
    const claims = await this.decode(accessToken, 'access');
    await this.requireLiveSignIn(claims.sub, claims.sid);
    return { id: claims.sub, scopes: claims.scope.split(' ').filter(Boolean), familyId: claims.sid };
  }

  /**
   * The account is active and its sign-in not revoked. Kept current by the live log, so no read; a change
   * made by this process is read at once. While the log is not followed, trusted for a second: another
   * process's change (or the CLI's) within that second.
   */
  private async requireLiveSignIn(userId: string, familyId: string): Promise<void> {
    const fresh = { maxAgeMs: GUARD_STATE_MAX_AGE_MS };
    const [user, family] = await Promise.all([this.users.load(userId, fresh), this.families.load(familyId, fresh)]);
    requireActiveAccount(user.state.status);
    requireLiveFamily(family.state, userId);
  }

  /**
   * The caller of a cookie session (the Warmshowers surface): the cookie
   * carries the sign-in's refresh token, which is never rotated there; the
   * session stands while the account is active, the sign-in not revoked and
   * the token not expired, checked on every request as `authenticate` does.
   */
  async authenticateSession(refreshToken: string): Promise<AuthenticatedUser> {
    const claims = await this.decode(refreshToken, 'refresh');
    await this.requireLiveSignIn(claims.sub, claims.sid);
    return { id: claims.sub, scopes: USER_SCOPES, familyId: claims.sid };
  }

  /** The user id of a valid token of the given type; access tokens get `authenticate`'s full check. */
  async verify(token: string, typ: TokenType): Promise<string> {
    return typ === 'access' ? (await this.authenticate(token)).id : (await this.decode(token, 'refresh')).sub;
  }

  /**
   * A token's signature checks out the same every time: each request of a
   * client carries the same access token, so its verified claims are kept
   * until the token expires (bounded, oldest first out). Whether its sign-in
   * still stands is checked on every request all the same (`authenticate`).
   */
  private remember(token: string, claims: Record<string, unknown>): void {
    const exp = claims['exp'];
    if (typeof exp !== 'number' || claims['nbf'] !== undefined) return;
    this.verified.delete(token);
    this.verified.set(token, { claims, expiresAtMs: exp * 1000 });
    if (this.verified.size > VERIFIED_TOKENS_CAPACITY) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
  }

  /** The public keys tokens can be checked with (none for HS256, whose key is a shared secret). */
  jwks(): { readonly keys: readonly PublishedJwk[] } {
    return this.keys.jwks;
  }
}

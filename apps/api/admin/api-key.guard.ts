import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParleyConfig } from '../../../libs/config/config';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../../libs/domain/api-keys/api-key.decider';
import { apiKeyIdOf, hashApiKey, sameDigest } from '../../../libs/domain/api-keys/api-key-secret';
import { DomainError, unauthenticated } from '../../../libs/domain/errors';
import type { ParleyRequest } from '../auth/auth.decorators';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { ApiKeyStates } from './api-key-states';
import { REQUIRED_SCOPES } from './require-scopes.metadata';

/** The actor recorded in events that the configured ADMIN_API_KEY causes. */
export const ADMIN_ACTOR = 'apikey:admin';
export const apiKeyActor = (keyId: string) => `apikey:${keyId}`;

/** Who called with `X-Api-Key`: a stored key (its id), or the configured one (id null, every scope). */
export interface ApiKeyCaller {
  readonly keyId: string | null;
  readonly scopes: readonly ApiKeyScope[];
  readonly actor: string;
}

export interface ApiKeyRequest extends ParleyRequest {
  apiKey?: ApiKeyCaller;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
/** Compared against when the key id is unknown, so that case costs what a wrong secret costs. */
const NO_HASH = '0'.repeat(64);

/**
 * `X-Api-Key` for the server-to-server admin API, with the scopes named by
 * `@RequireScopes` (a route that names none needs a key with every scope).
 * A stored key is found by the id it carries and checked by its SHA-256 in
 * constant time; the configured ADMIN_API_KEY, if any, holds every scope.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly configured: Buffer | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyStates,
    @Inject(PARLEY_CONFIG) config: ParleyConfig,
  ) {
    this.configured = config.adminApiKey === null ? null : digest(config.adminApiKey);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ApiKeyRequest>();
    const given = request.headers['x-api-key'];
    if (typeof given !== 'string' || given === '') {
      throw unauthenticated('AUTH.API_KEY_MISSING', 'An X-Api-Key header is required');
    }
    const caller = await this.authenticate(given);
    const named = this.reflector.getAllAndMerge<ApiKeyScope[]>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]);
    const required = named.length > 0 ? named : API_KEY_SCOPES;
    const missing = required.filter((scope) => !caller.scopes.includes(scope));
    if (missing.length > 0) {
      throw new DomainError(
        'AUTH.SCOPE_MISSING',
        'forbidden',
        `This API key lacks the scope ${missing.join(', ')}`,
        missing.map((scope) => ({ field: 'X-Api-Key', reason: `lacks the scope ${scope}` })),
      );
    }
    request.apiKey = caller;
    return true;
  }

  /** The caller a key stands for; 401 when it is unknown, malformed or revoked. */
  async authenticate(given: string): Promise<ApiKeyCaller> {
    if (this.configured !== null && timingSafeEqual(digest(given), this.configured)) {
      return { keyId: null, scopes: API_KEY_SCOPES, actor: ADMIN_ACTOR };
    }
    const keyId = apiKeyIdOf(given);
    if (keyId === null) throw invalid();
    const hash = hashApiKey(given);
    const { state } = await this.keys.load(keyId);
    const matches = sameDigest(hash, state.status === 'absent' ? NO_HASH : state.secretHash);
    if (state.status === 'absent' || !matches) throw invalid();
    // Only the holder of the secret learns that the key was revoked.
    if (state.status === 'revoked') throw unauthenticated('AUTH.API_KEY_REVOKED', 'This API key was revoked');
    return { keyId, scopes: state.scopes, actor: apiKeyActor(keyId) };
  }
}

const invalid = () => unauthenticated('AUTH.API_KEY_INVALID', 'The API key is invalid');

/** The API-key caller as a command context: actor `apikey:<keyId>` (or `apikey:admin`). */
export const AdminCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<ApiKeyRequest>();
  if (request.apiKey === undefined) throw new Error('AdminCaller is for routes behind @RequireScopes (ApiKeyGuard)');
  return { actor: request.apiKey.actor, correlationId: request.correlationId ?? String(request.id), causationId: String(request.id) };
});

/** The API key that called, with the scopes it holds (a key grants only those). */
export const AdminKey = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiKeyCaller => {
  const request = ctx.switchToHttp().getRequest<ApiKeyRequest>();
  if (request.apiKey === undefined) throw new Error('AdminKey is for routes behind @RequireScopes (ApiKeyGuard)');
  return request.apiKey;
});

/** The scopes an API key may hold, for the surfaces that check them. */
export type { ApiKeyScope };

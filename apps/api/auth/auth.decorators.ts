import { ApiErrors } from '../common/openapi';
import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApplicationCaller } from '../applications/application-tokens';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';

export const IS_PUBLIC = 'parley:public';
/** Marks a route that needs no access token. */
/** A route open without a Bearer token; the per-address limit on such routes can answer 429 (AuthGuard). */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiErrors(429));

export const OWN_AUTHENTICATION = 'parley:own-authentication';
/**
 * A route that authenticates callers its own way (a seed surface's server
 * secret or its own token header, in its own guard): no Bearer token is asked
 * and, unlike open routes, no per-address limit applies, since a server calls
 * from one address.
 */
export const OwnAuthentication = () => applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(OWN_AUTHENTICATION, true));

export interface AuthenticatedUser {
  readonly id: string;
  /** The access token's scopes, e.g. `user`. */
  readonly scopes: readonly string[];
  /** The sign-in (refresh-token family) the access token belongs to; null for callers without one. */
  readonly familyId: string | null;
  /** Set when an application's own token authenticated the request. */
  readonly application?: ApplicationCaller;
  /** Set when a server acts for this user (`X-Act-As`): the actor its events record. */
  readonly actingKey?: string;
  /**
   * Set when the request acts as one of the login's phone accounts
   * (`X-Parley-Account`): `id` is then the account, this the signed-in login.
   */
  readonly loginId?: string;
}

export interface ParleyRequest extends FastifyRequest {
  user?: AuthenticatedUser;
  correlationId?: string;
}

/** The caller as the command context: actor, correlation id of the request, causation id. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<ParleyRequest>();
  const correlationId = request.correlationId ?? String(request.id);
  const client = request.headers['user-agent'];
  return {
    actor: request.user?.id ?? 'anonymous',
    correlationId,
    causationId: String(request.id),
    ...(request.user?.actingKey === undefined ? {} : { actingKey: request.user.actingKey }),
    clientAddress: request.ip,
    ...(typeof client === 'string' && client !== '' ? { client } : {}),
  };
});

/** The authenticated caller of a guarded route (set by AuthGuard). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedUser | undefined => {
  return ctx.switchToHttp().getRequest<ParleyRequest>().user;
});

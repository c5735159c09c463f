import { applyDecorators, CallHandler, CanActivate, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import type { ParleyConfig } from '../../../../libs/config/config';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import { Reflector } from '@nestjs/core';
import { ApiQuery, ApiSecurity } from '@nestjs/swagger';
import type { ApiKeyScope } from '../../admin/api-key.guard';
import { DomainError, unauthenticated, validationError } from '../../../../libs/domain/errors';
import { ApiKeyGuard, type ApiKeyRequest } from '../../admin/api-key.guard';
import { REQUIRED_SCOPES } from '../../admin/require-scopes.metadata';
import { Public } from '../../auth/auth.decorators';
import { ApiErrors } from '../../common/openapi';

/**
 * Trillian's token: `?token=` as the seed documents, or the same value in an
 * `Authorization: Bearer` or `X-Api-Key` header. A token is a Parley API key
 * whose scopes the route names. The query string is never logged (the
 * request log writes the path only).
 */
export function tokenOf(request: ApiKeyRequest): string | null {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.['token'];
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const key = request.headers['x-api-key'];
  return typeof key === 'string' && key !== '' ? key : null;
}

@Injectable()
export class TrillianTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ApiKeyRequest>();
    const token = tokenOf(request);
    if (token === null) throw unauthenticated('AUTH.TOKEN_MISSING', 'A token query parameter (or Authorization header) is required');
    const caller = await this.keys.authenticate(token);
    const required = this.reflector.getAllAndMerge<ApiKeyScope[]>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]);
    const missing = required.filter((scope) => !caller.scopes.includes(scope));
    if (missing.length > 0) {
      throw new DomainError(
        'AUTH.SCOPE_MISSING',
        'forbidden',
        `This token lacks the scope ${missing.join(', ')}`,
        missing.map((scope) => ({ field: 'token', reason: `lacks the scope ${scope}` })),
      );
    }
    request.apiKey = caller;
    const format = (request.query as Record<string, unknown> | undefined)?.['format'];
    if (format !== undefined && format !== 'xml' && format !== 'json') {
      throw validationError('REQUEST.VALIDATION_FAILED', 'format must be xml or json', [{ field: 'format', reason: 'must be xml or json' }]);
    }
    return true;
  }
}

/**
 * Trillian's reads follow its writes: its writes answer without a position
 * (often 204) and its clients send no X-Min-Position, so an admin tool that
 * lists members right after removing one would otherwise see them still. A
 * read waits (bounded) for the read models to pass the log's head first.
 */
@Injectable()
export class TrillianReadsFollowWrites implements NestInterceptor {
  constructor(
    private readonly gate: ReadModelGate,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const { method } = context.switchToHttp().getRequest<FastifyRequest>();
    if (method === 'GET' || method === 'HEAD') await this.gate.waitForHead(this.config.minPositionWaitMs);
    return next.handle();
  }
}

/** A Trillian route for tokens holding these scopes. */
export const TrillianToken = (...scopes: ApiKeyScope[]) =>
  applyDecorators(
    Public(),
    SetMetadata(REQUIRED_SCOPES, scopes),
    UseGuards(TrillianTokenGuard),
    UseInterceptors(TrillianReadsFollowWrites),
    ApiSecurity('api-key'),
    ApiQuery({ name: 'token', required: false, description: 'The API token (or send it as Authorization: Bearer / X-Api-Key)', schema: { type: 'string' } }),
    ApiQuery({ name: 'format', required: false, description: 'json for JSON; XML otherwise (or Accept: application/json)', schema: { type: 'string', enum: ['xml', 'json'] } }),
    ApiErrors(400, 401, 403),
  );

/**
 * A further scope for one operation of a controller that already carries
 * `TrillianToken` (the guard merges the method's scopes with the class's), so
 * the document names the token once.
 */
export const TrillianAlsoNeeds = (...scopes: ApiKeyScope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { unauthenticated } from '../../../libs/domain/errors';
import { REQUIRED_SCOPES } from '../admin/require-scopes.metadata';
import { PublicRateLimit } from '../common/public-rate-limit';
import { IS_PUBLIC, type ParleyRequest } from './auth.decorators';
import { TokenService } from './token.service';
import { ApplicationTokens } from '../applications/application-tokens';
import { applicationIdOf } from '../../../libs/domain/applications/application-token';
import { aclPathOf } from '../common/compat-surfaces';

/**
 * Every route needs a Bearer access token unless marked @Public(): signed by
 * this server with the configured algorithm, unexpired, of an active account
 * (401 `AUTH.ACCOUNT_REMOVED` otherwise) and of a sign-in that was not revoked
 * (401 `AUTH.TOKEN_REVOKED`).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly publicRateLimit: PublicRateLimit,
    private readonly applications: ApplicationTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ParleyRequest>();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      // Admin routes are public to this guard but need an API key (ApiKeyGuard): not a door for anyone.
      if (!this.reflector.getAllAndOverride<unknown>(REQUIRED_SCOPES, targets)) await this.publicRateLimit.enforce(request);
      return true;
    }
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('AUTH.TOKEN_MISSING', 'An Authorization: Bearer <access_token> header is required');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthenticated('AUTH.TOKEN_INVALID', 'The Authorization header must be "Bearer <token>"');
    const applicationId = applicationIdOf(match[1]);
    if (applicationId !== null) {
      // An application's own RS256 token (Vonage/Nexmo): it acts as itself or as its user named by `sub`.
      const caller = await this.applications.authenticate(match[1], applicationId, aclPathOf(request.url));
      request.user = { id: caller.actor, scopes: ['application'], familyId: null, application: caller };
      return true;
    }
    request.user = await this.tokens.authenticate(match[1]);
    return true;
  }
}

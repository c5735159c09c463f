import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, unauthenticated, validationError } from '../../../libs/domain/errors';
import { ApiKeyGuard } from '../admin/api-key.guard';
import { UserStates } from '../users/user-states';
import { REQUIRED_SCOPES } from '../admin/require-scopes.metadata';
import { PublicRateLimit } from '../common/public-rate-limit';
import { IS_PUBLIC, OWN_AUTHENTICATION, type AuthenticatedUser, type ParleyRequest } from './auth.decorators';
import { TokenService } from './token.service';
import { ApplicationTokens } from '../applications/application-tokens';
import { readApplicationToken } from '../../../libs/domain/applications/application-token';
import { aclPathOf } from '../common/compat-surfaces';
import { checkAccountSelection } from '../../../libs/domain/users/phone-account.decider';

/** Names the phone account of the signed-in login a request acts as. */
export const ACCOUNT_HEADER = 'x-parley-account';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    private readonly apiKeys: ApiKeyGuard,
    private readonly users: UserStates,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ParleyRequest>();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(OWN_AUTHENTICATION, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      // Admin routes are public to this guard but need an API key (ApiKeyGuard): not a door for anyone.
      if (!this.reflector.getAllAndOverride<unknown>(REQUIRED_SCOPES, targets)) await this.publicRateLimit.enforce(request);
      return true;
    }
    const header = request.headers.authorization;
    const actAs = request.headers['x-act-as'];
    if (!header && actAs !== undefined) {
      request.user = await this.actingFor(request, actAs);
      return true;
    }
    if (!header) throw unauthenticated('AUTH.TOKEN_MISSING', 'An Authorization: Bearer <access_token> header is required');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthenticated('AUTH.TOKEN_INVALID', 'The Authorization header must be "Bearer <token>"');
    // A token this server verified before is its own: only an unknown one may be an application's.
    const application = this.tokens.verifiedBefore(match[1]) ? null : readApplicationToken(match[1]);
    if (application !== null) {
      // An application's own RS256 token (Vonage/Nexmo): it acts as itself or as its user named by `sub`.
      const caller = await this.applications.authenticate(application, aclPathOf(request.url));
      request.user = { id: caller.actor, scopes: ['application'], familyId: null, application: caller };
      return true;
    }
    const user = await this.tokens.authenticate(match[1]);
    const selected = request.headers[ACCOUNT_HEADER];
    request.user = selected === undefined ? user : await this.asAccount(user, selected);
    return true;
  }

  /**
   * The account selector: a login acts as one of its verified phone accounts
   * (decision: accounts per login). Any other value is 404, the same whether
   * the id is unknown or another login's.
   */
  private async asAccount(login: AuthenticatedUser, selected: string | string[]): Promise<AuthenticatedUser> {
    const accountId = typeof selected === 'string' ? selected.trim().toLowerCase() : '';
    if (!UUID.test(accountId)) {
      throw validationError('ACCOUNT.SELECTOR_INVALID', 'X-Parley-Account must be the id of one of your accounts', [
        { field: 'X-Parley-Account', reason: 'must be a UUID, given once' },
      ]);
    }
    if (accountId === login.id) return login;
    checkAccountSelection(login.id, (await this.users.load(accountId)).state);
    return { ...login, id: accountId, loginId: login.id };
  }

  /**
   * A server acting for a user: an `X-Api-Key` holding `act:users` and
   * `X-Act-As: <user id>` of an active account. The route runs as that user;
   * the events record the key as actor and the user as subject.
   */
  private async actingFor(request: ParleyRequest, actAs: string | string[]): Promise<AuthenticatedUser> {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') {
      throw unauthenticated('AUTH.API_KEY_MISSING', 'X-Act-As needs an X-Api-Key holding the scope act:users');
    }
    const caller = await this.apiKeys.authenticate(key);
    if (!caller.scopes.includes('act:users')) {
      throw new DomainError('AUTH.SCOPE_MISSING', 'forbidden', 'This API key lacks the scope act:users', [
        { field: 'X-Api-Key', reason: 'lacks the scope act:users' },
      ]);
    }
    const userId = typeof actAs === 'string' ? actAs : '';
    const { state } = UUID.test(userId) ? await this.users.load(userId) : { state: { status: 'absent' as const } };
    if (state.status !== 'registered') {
      throw validationError('AUTH.ACT_AS_INVALID', 'X-Act-As must name an active user', [
        { field: 'X-Act-As', reason: 'must be the id of an active user' },
      ]);
    }
    return { id: userId, scopes: ['user'], familyId: null, actingKey: caller.actor };
  }
}

import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ParleyConfig } from '../../../../libs/config/config';
import { unauthenticated } from '../../../../libs/domain/errors';
import type { ParleyRequest } from '../../auth/auth.decorators';
import { TokenService } from '../../auth/token.service';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import { qiscusHeader } from './qiscus-server.guard';

const SDK_OPEN = 'qiscus:sdk-open';
/** An SDK route a client calls before it holds a token (config, sign-in, token refresh). */
export const QiscusSdkOpen = () => SetMetadata(SDK_OPEN, true);

/**
 * The client SDK's authentication: `QISCUS-SDK-APP-ID` must name this
 * application, and every route but the open ones needs `QISCUS-SDK-TOKEN`,
 * a Parley access token (the SDK's sign-in is a Parley sign-in), checked as
 * the Bearer token of Parley's own API is. Without QISCUS_APP_ID and
 * QISCUS_SDK_SECRET the surface does not exist (404).
 */
@Injectable()
export class QiscusSdkGuard implements CanActivate {
  private readonly appId: string | null;

  constructor(
    @Inject(PARLEY_CONFIG) config: ParleyConfig,
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
  ) {
    this.appId = config.qiscus?.appId ?? null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ParleyRequest>();
    if (this.appId === null) {
      throw new NotFoundException({ statusCode: 404, code: 'ROUTE.NOT_FOUND', message: `Cannot ${request.method} ${request.url.split('?', 1)[0]}` });
    }
    const appId = qiscusHeader(request, 'QISCUS-SDK-APP-ID');
    if (appId === undefined || appId === '') throw unauthenticated('QISCUS.APP_ID_MISSING', 'A QISCUS-SDK-APP-ID header is required');
    if (appId !== this.appId) throw unauthenticated('QISCUS.APP_ID_INVALID', 'The QISCUS-SDK-APP-ID is not this application');
    if (this.reflector.getAllAndOverride<boolean>(SDK_OPEN, [context.getHandler(), context.getClass()])) return true;
    const token = qiscusHeader(request, 'QISCUS-SDK-TOKEN');
    if (token === undefined || token === '') throw unauthenticated('AUTH.TOKEN_MISSING', 'A QISCUS-SDK-TOKEN header is required');
    request.user = await this.tokens.authenticate(token);
    return true;
  }
}

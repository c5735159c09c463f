import { CanActivate, ExecutionContext, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParleyConfig } from '../../../../libs/config/config';
import { unauthenticated } from '../../../../libs/domain/errors';
import type { ParleyRequest } from '../../auth/auth.decorators';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The header under both spellings clients send (Node keeps underscores in header names). */
export function qiscusHeader(request: ParleyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()] ?? request.headers[name.toLowerCase().replace(/-/g, '_')];
  return typeof value === 'string' ? value : undefined;
}

/** The actor Qiscus' server secret writes as: it acts for users, who are the events' subjects. */
export const QISCUS_SERVER_ACTOR = 'apikey:qiscus';

/**
 * Qiscus' server authentication: `QISCUS_SDK_SECRET` (or `QISCUS-SDK-SECRET`)
 * compared in constant time with the configured secret; an app id header, if
 * sent, must be the configured one. Without QISCUS_APP_ID and
 * QISCUS_SDK_SECRET the surface does not exist: 404, said once in the log.
 */
@Injectable()
export class QiscusServerGuard implements CanActivate {
  private readonly secret: Buffer | null;
  private readonly appId: string | null;
  private readonly logger = new Logger('qiscus');
  private warned = false;

  constructor(@Inject(PARLEY_CONFIG) config: ParleyConfig) {
    this.secret = config.qiscus === null ? null : digest(config.qiscus.secret);
    this.appId = config.qiscus?.appId ?? null;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ParleyRequest>();
    if (this.secret === null) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn('a Qiscus route was called, but QISCUS_APP_ID and QISCUS_SDK_SECRET are not configured: the Qiscus surfaces answer 404');
      }
      throw new NotFoundException({ statusCode: 404, code: 'ROUTE.NOT_FOUND', message: `Cannot ${request.method} ${request.url.split('?', 1)[0]}` });
    }
    const given = qiscusHeader(request, 'QISCUS-SDK-SECRET');
    if (given === undefined || given === '') {
      throw unauthenticated('QISCUS.SECRET_MISSING', 'A QISCUS_SDK_SECRET header is required');
    }
    if (!timingSafeEqual(digest(given), this.secret)) throw unauthenticated('QISCUS.SECRET_INVALID', 'The QISCUS_SDK_SECRET is invalid');
    const appId = qiscusHeader(request, 'QISCUS-SDK-APP-ID');
    if (appId !== undefined && appId !== this.appId) throw unauthenticated('QISCUS.APP_ID_INVALID', 'The QISCUS_SDK_APP_ID is not this application');
    return true;
  }
}

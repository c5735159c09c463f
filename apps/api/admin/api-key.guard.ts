import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParleyConfig } from '../../../libs/config/config';
import { forbidden, unauthenticated } from '../../../libs/domain/errors';
import type { ParleyRequest } from '../auth/auth.decorators';
import type { CommandContext } from '../infrastructure/command-context';
import { PARLEY_CONFIG } from '../infrastructure/tokens';

/** The actor recorded in events that an API-key caller causes. */
export const ADMIN_ACTOR = 'apikey:admin';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `X-Api-Key` for the server-to-server admin API. Both sides are hashed
 * before the constant-time compare, so neither the key's content nor its
 * length shows in the timing. Without ADMIN_API_KEY the admin API is off.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(PARLEY_CONFIG) config: ParleyConfig) {
    this.expected = config.adminApiKey === null ? null : digest(config.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === null) {
      throw forbidden('ADMIN.DISABLED', 'The admin API is disabled on this server: set ADMIN_API_KEY to enable it');
    }
    const given = context.switchToHttp().getRequest<ParleyRequest>().headers['x-api-key'];
    if (typeof given !== 'string' || given === '') {
      throw unauthenticated('AUTH.API_KEY_MISSING', 'An X-Api-Key header is required');
    }
    if (!timingSafeEqual(digest(given), this.expected)) {
      throw unauthenticated('AUTH.API_KEY_INVALID', 'The API key is invalid');
    }
    return true;
  }
}

/** The API-key caller as a command context. */
export const AdminCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<ParleyRequest>();
  return { actor: ADMIN_ACTOR, correlationId: request.correlationId ?? String(request.id), causationId: String(request.id) };
});

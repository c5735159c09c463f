import { Inject, Injectable } from '@nestjs/common';
import type { ParleyConfig } from '../../../../libs/config/config';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { DomainError } from '../../../../libs/domain/errors';
import type { AuthenticatedUser, ParleyRequest } from '../../auth/auth.decorators';
import { TokenService } from '../../auth/token.service';

/** Drupal names its cookie `SESS<hash>`; clients read the name from the login answer. */
export const SESSION_NAME = 'SESSparley';
export const COOKIE_PATH = '/warmshowers';

export interface WarmshowersSession {
  readonly user: AuthenticatedUser;
  /** The cookie's value (`sessid`): the sign-in's refresh token. */
  readonly sessid: string;
}

/** A refusal in the seed's words and status. */
export class WarmshowersRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Warmshowers sessions are Parley sign-ins: login starts a token family
 * (password grant), the cookie carries its refresh token (HttpOnly; never
 * rotated here), and every request checks the family as the Bearer guard
 * does, so a logout (the family revoked), a password change, an account
 * removal or the session list's DELETE ends the session at once, and the
 * refresh token's expiry ends it too. The CSRF token is a hash of the
 * cookie's value: another session's token never matches, a page of another
 * site cannot read it, and nothing has to be stored.
 */
@Injectable()
export class WarmshowersSessions {
  constructor(
    private readonly tokens: TokenService,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  cookieOf(request: FastifyRequest): string | null {
    const header = request.headers.cookie;
    if (typeof header !== 'string') return null;
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === SESSION_NAME) {
        const value = part.slice(eq + 1).trim();
        return value === '' ? null : value;
      }
    }
    return null;
  }

  /** The session the cookie names, or null (no cookie, expired, revoked, account removed). */
  async session(request: FastifyRequest): Promise<WarmshowersSession | null> {
    const sessid = this.cookieOf(request);
    if (sessid === null) return null;
    try {
      return { user: await this.tokens.authenticateSession(sessid), sessid };
    } catch (error) {
      if (error instanceof DomainError && error.category === 'unauthenticated') return null;
      throw error;
    }
  }

  /** The session of a reading call: without one, the seed's 401. */
  async require(request: FastifyRequest): Promise<WarmshowersSession> {
    const session = await this.session(request);
    if (session === null) throw new WarmshowersRefusal(401, 'Access denied for user anonymous');
    return session;
  }

  /** The session of a writing call: a valid X-CSRF-Token for that very session, else the seed's 401. */
  async requireWithCsrf(request: FastifyRequest): Promise<WarmshowersSession> {
    const session = await this.require(request);
    if (!this.csrfMatches(session.sessid, request.headers['x-csrf-token'])) throw new WarmshowersRefusal(401, 'CSRF validation failed');
    return session;
  }

  csrfMatches(sessid: string, given: string | string[] | undefined): boolean {
    if (typeof given !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(sessid));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  csrfToken(sessid: string): string {
    return createHash('sha256').update('parley-warmshowers-csrf\n').update(sessid).digest('base64url');
  }

  /** What Drupal hands an anonymous client: a token no session will accept. */
  anonymousToken(): string {
    return randomBytes(32).toString('base64url');
  }

  cookie(request: FastifyRequest, sessid: string, maxAgeSeconds: number): string {
    return `${SESSION_NAME}=${sessid}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly${this.secure(request)}; SameSite=Lax`;
  }

  clearedCookie(request: FastifyRequest): string {
    return `${SESSION_NAME}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly${this.secure(request)}; SameSite=Lax`;
  }

  /**
   * A cookie sent over TLS must not travel over plain HTTP too. Fastify's
   * `protocol` reads X-Forwarded-Proto (trustProxy), so Parley behind a TLS
   * proxy counts as served over TLS.
   */
  private secure(request: FastifyRequest): string {
    const setting = this.config.warmshowersSecureCookie;
    return setting === 'always' || (setting === 'auto' && request.protocol === 'https') ? '; Secure' : '';
  }

  context(request: FastifyRequest, actor: string): CommandContext {
    const client = request.headers['user-agent'];
    return {
      actor,
      correlationId: (request as ParleyRequest).correlationId ?? String(request.id),
      causationId: String(request.id),
      clientAddress: request.ip,
      ...(typeof client === 'string' && client !== '' ? { client } : {}),
    };
  }
}

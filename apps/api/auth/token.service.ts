import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { ParleyConfig } from '../../../libs/config/config';
import { unauthenticated } from '../../../libs/domain/errors';
import type { CommandContext } from '../infrastructure/command-context';
import { PARLEY_CONFIG } from '../infrastructure/tokens';

export interface TokenPair {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
}

interface Claims {
  readonly sub: string;
  readonly typ: 'access' | 'refresh';
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  /** Signs in: a new refresh-token family for `userId` (rotation arrives with issue #4's token lifecycle). */
  async issue(userId: string, _grant: 'password' | 'phone' = 'password', _context?: CommandContext): Promise<TokenPair> {
    const [access, refresh] = await Promise.all([
      this.jwt.signAsync({ typ: 'access' }, { subject: userId, expiresIn: this.config.accessTokenTtlSeconds }),
      this.jwt.signAsync(
        { typ: 'refresh' },
        { subject: userId, expiresIn: this.config.refreshTokenTtlSeconds, jwtid: randomUUID() },
      ),
    ]);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: this.config.accessTokenTtlSeconds,
      refresh_token: refresh,
    };
  }

  /** The user id of a valid token of the given type; a 401 otherwise, saying which way it failed. */
  async verify(token: string, typ: Claims['typ']): Promise<string> {
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims>(token, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw unauthenticated(
        expired ? 'AUTH.TOKEN_EXPIRED' : 'AUTH.TOKEN_INVALID',
        expired ? 'The token has expired' : 'The token is invalid',
      );
    }
    if (claims.typ !== typ || typeof claims.sub !== 'string') {
      throw unauthenticated('AUTH.TOKEN_INVALID', `Not a ${typ} token`);
    }
    return claims.sub;
  }
}

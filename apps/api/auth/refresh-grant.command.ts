import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { unauthenticated } from '../../../libs/domain/errors';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import { decideTokenFamily } from '../../../libs/domain/tokens/token-family.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { UserStates } from '../users/user-states';
import { TokenFamilyStates } from './token-family-states';
import { TokenService, type TokenPair } from './token.service';

/** The refresh_token grant: the presented refresh token is used up and its successor returned. */
export class RefreshGrantCommand extends Command<TokenPair> {
  constructor(
    readonly refreshToken: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Rotation appends at the family's expected revision. Two refreshes racing
 * with the same token: one appends its rotation; the other's append fails,
 * it decides again on the new state, finds its token rotated away, and
 * revokes the family as reuse. That is the safe reading (a copied token looks
 * exactly like this), at the price of signing out a client that double-sends.
 */
@CommandHandler(RefreshGrantCommand)
export class RefreshGrantHandler implements ICommandHandler<RefreshGrantCommand, TokenPair> {
  constructor(
    private readonly tokens: TokenService,
    private readonly families: TokenFamilyStates,
    private readonly users: UserStates,
    private readonly writer: EventWriter,
  ) {}

  async execute({ refreshToken, context }: RefreshGrantCommand): Promise<TokenPair> {
    const claims = await this.tokens.decode(refreshToken, 'refresh');
    const stream = streams.tokenFamily(claims.sid);
    const nextTokenId = newId();
    const { event, expiresAt } = await this.writer.retrying(async () => {
      const [family, user] = await Promise.all([this.families.load(claims.sid), this.users.load(claims.sub)]);
      const now = new Date();
      const expires = this.tokens.refreshExpiry(now);
      const events = decideTokenFamily(
        {
          type: 'RotateRefreshToken',
          tokenId: claims.jti,
          userId: claims.sub,
          userStatus: user.state.status,
          nextTokenId,
          expiresAt: expires.toISOString(),
          now: now.toISOString(),
        },
        family.state,
      );
      await this.writer.append(stream, events, family.revision ?? 'no_stream', { ...context, actor: claims.sub });
      return { event: events[0], expiresAt: expires };
    });
    if (event?.type !== 'RefreshTokenRotated') {
      throw unauthenticated(
        'AUTH.REFRESH_TOKEN_REUSED',
        'This refresh token was used before: its sign-in is revoked on every device; sign in again',
      );
    }
    return this.tokens.sign(claims.sub, claims.sid, nextTokenId, expiresAt);
  }
}

import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { unauthenticated } from '../../../libs/domain/errors';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import { tokenFamilyDecider } from '../../../libs/domain/tokens/token-family.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { UserStates } from '../users/user-states';
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
    private readonly users: UserStates,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ refreshToken, context }: RefreshGrantCommand): Promise<TokenPair> {
    const claims = await this.tokens.decode(refreshToken, 'refresh');
    const nextTokenId = newId();
    let expiresAt = new Date();
    const { events } = await this.pipeline.handle(
      tokenFamilyDecider,
      streams.tokenFamily(claims.sid),
      async () => {
        const user = await this.users.load(claims.sub);
        const now = new Date();
        expiresAt = this.tokens.refreshExpiry(now);
        return {
          type: 'RotateRefreshToken',
          tokenId: claims.jti,
          userId: claims.sub,
          userStatus: user.state.status,
          nextTokenId,
          expiresAt: expiresAt.toISOString(),
          now: now.toISOString(),
        } as const;
      },
      { ...context, actor: claims.sub },
    );
    const [event] = events;
    if (event?.type !== 'RefreshTokenRotated') {
      throw unauthenticated(
        'AUTH.REFRESH_TOKEN_REUSED',
        'This refresh token was used before: its sign-in is revoked on every device; sign in again',
      );
    }
    return this.tokens.sign(claims.sub, claims.sid, nextTokenId, expiresAt);
  }
}

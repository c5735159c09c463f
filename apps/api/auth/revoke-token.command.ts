import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../libs/domain/errors';
import { streams } from '../../../libs/domain/streams';
import { tokenFamilyDecider } from '../../../libs/domain/tokens/token-family.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { TokenService, type TokenClaims } from './token.service';

export interface RevokeResult {
  /** Whether a family was revoked now (false: unknown token, or already revoked). */
  readonly revoked: boolean;
}

/** RFC 7009: revoke a refresh or access token, which revokes its whole sign-in. */
export class RevokeTokenCommand extends Command<RevokeResult> {
  constructor(
    readonly token: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RevokeTokenCommand)
export class RevokeTokenHandler implements ICommandHandler<RevokeTokenCommand, RevokeResult> {
  constructor(
    private readonly tokens: TokenService,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ token, context }: RevokeTokenCommand): Promise<RevokeResult> {
    let claims: TokenClaims;
    try {
      // An expired token still names its sign-in, and signing out must work with it.
      claims = await this.tokens.decode(token, null, { ignoreExpiration: true });
    } catch (error) {
      // Invalid tokens are answered like valid ones (RFC 7009 2.2): nothing to reveal.
      if (error instanceof DomainError) return { revoked: false };
      throw error;
    }
    const command = { type: 'RevokeTokenFamily', tokenId: claims.jti, userId: claims.sub, now: new Date().toISOString() } as const;
    const { events } = await this.pipeline.handle(tokenFamilyDecider, streams.tokenFamily(claims.sid), command, {
      ...context,
      actor: claims.sub,
    });
    return { revoked: events.length > 0 };
  }
}

import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEmptyResponse, ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { JwksResponse, SessionResponse, TokenPairResponse } from './auth.responses';
import { unauthenticated } from '../../../libs/domain/errors';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { Caller, CurrentUser, Public, type AuthenticatedUser } from './auth.decorators';
import { RevokeTokenDto, TokenRequestDto } from './oauth.dto';
import { PasswordGrantCommand } from './password-grant.command';
import { RefreshGrantCommand } from './refresh-grant.command';
import { RevokeTokenCommand } from './revoke-token.command';
import { TokenService, type TokenPair } from './token.service';

/** The sign-in an access token stands for, as the server sees it now. */
export interface SessionView {
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly familyId: string | null;
}

@ApiTags('identity')
@Controller('oauth')
export class OauthController {
  constructor(private readonly commands: CommandBus) {}

  /** `password` signs in (a new token family); `refresh_token` rotates: the token sent is used up. */
  @Public()
  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiErrors(...COMMAND_ERRORS, 401)
  token(@Body() body: TokenRequestDto, @Caller() caller: CommandContext): Promise<TokenPair> {
    return body.grant_type === 'password'
      ? this.commands.execute(new PasswordGrantCommand(body.username ?? '', body.password ?? '', caller))
      : this.commands.execute(new RefreshGrantCommand(body.refresh_token ?? '', caller));
  }

  /**
   * Signs out: the token's whole sign-in (refresh token family, with its access
   * tokens) stops working. 200 with an empty body for any token, valid or
   * not, so the answer reveals nothing (RFC 7009 2.2).
   */
  @Public()
  @Post('revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiEmptyResponse(200, 'Signed out (or the token was not valid: the answer is the same)')
  @ApiErrors(...COMMAND_ERRORS)
  async revoke(@Body() body: RevokeTokenDto, @Caller() caller: CommandContext): Promise<void> {
    await this.commands.execute(new RevokeTokenCommand(body.token, caller));
  }

  /** Whether the access token still stands (the guard checked it), and for what. */
  @UserApi()
  @Get('session')
  @ApiOkResponse({ type: SessionResponse })
  session(@CurrentUser() user: AuthenticatedUser | undefined): SessionView {
    if (!user) throw unauthenticated('AUTH.TOKEN_MISSING', 'An access token is required');
    return { userId: user.id, scopes: user.scopes, familyId: user.familyId };
  }
}

/** The public half of the RS256 signing key, for services that verify Parley's tokens themselves. */
@ApiTags('identity')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly tokens: TokenService) {}

  /** Outside the /v1 prefix; `{ keys: [] }` when tokens are signed HS256. */
  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOkResponse({ type: JwksResponse })
  @ApiErrors(503)
  jwks(): ReturnType<TokenService['jwks']> {
    return this.tokens.jwks();
  }
}

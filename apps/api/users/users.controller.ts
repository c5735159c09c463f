import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { unauthenticated } from '../../../libs/domain/errors';
import { DUMMY_HASH, verifyPassword } from '../../../libs/auth/password';
import { Caller, Public } from '../auth/auth.decorators';
import { TokenService, type TokenPair } from '../auth/token.service';
import type { CommandContext } from '../infrastructure/command-context';
import { RegisterUserCommand, type RegisteredUser } from './register-user.command';
import { RegisterUserDto, TokenRequestDto } from './users.dto';
import { UserStates } from './user-states';

@ApiTags('identity')
@Controller()
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserStates,
    private readonly tokens: TokenService,
  ) {}

  @Public()
  @Post('users')
  register(@Body() body: RegisterUserDto, @Caller() caller: CommandContext): Promise<RegisteredUser> {
    return this.commands.execute(new RegisterUserCommand(body.username, body.password, body.displayName, caller));
  }

  /** Reads credentials from the log itself, so a user can sign in the moment registration answered. */
  @Public()
  @Post('oauth/token')
  @HttpCode(200)
  async token(@Body() body: TokenRequestDto): Promise<TokenPair> {
    if (body.grant_type === 'refresh_token') {
      const userId = await this.tokens.verify(body.refresh_token ?? '', 'refresh');
      const { state } = await this.users.load(userId);
      if (state.status !== 'registered') throw unauthenticated('AUTH.USER_UNKNOWN', 'The account no longer exists');
      return this.tokens.issue(userId);
    }
    const user = await this.users.byUsername(body.username ?? '');
    const valid = await verifyPassword(body.password ?? '', user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid) throw unauthenticated('AUTH.INVALID_CREDENTIALS', 'Wrong username or password');
    return this.tokens.issue(user.userId);
  }
}

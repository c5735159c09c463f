import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { RegisteredUserResponse } from './users.responses';
import { Caller, Public } from '../auth/auth.decorators';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { RegisterUserCommand, type RegisteredUser } from './register-user.command';
import { RegisterUserDto } from './users.dto';

/** Registration; signing in is `POST /v1/oauth/token` (apps/api/auth/oauth.controller.ts). */
@ApiTags('identity')
@Controller()
export class UsersController {
  constructor(private readonly commands: CommandBus) {}

  @Public()
  @Post('users')
  @ApiCreatedResponse({ type: RegisteredUserResponse })
  @ApiErrors(...COMMAND_ERRORS)
  register(@Body() body: RegisterUserDto, @Caller() caller: CommandContext): Promise<RegisteredUser> {
    return this.commands.execute(new RegisterUserCommand(body.username, body.password, body.displayName, caller));
  }
}

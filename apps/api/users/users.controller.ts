import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
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
  register(@Body() body: RegisterUserDto, @Caller() caller: CommandContext): Promise<RegisteredUser> {
    return this.commands.execute(new RegisterUserCommand(body.username, body.password, body.displayName, caller));
  }
}

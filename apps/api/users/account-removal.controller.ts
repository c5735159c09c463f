import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { RemovedUserResponse } from './users.responses';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Caller } from '../auth/auth.decorators';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { RemoveUserCommand, type RemovedUser } from './remove-user.command';

export class RemoveAccountDto {
  @ApiPropertyOptional({ description: 'Why you leave; kept for the Parley operators with your account id only; leave it out rather than null', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  feedback?: string;
}

@ApiTags('identity')
@UserApi()
@Controller('me')
export class AccountRemovalController {
  constructor(private readonly commands: CommandBus) {}

  @Post('remove')
  @HttpCode(200)
  @ApiOkResponse({ type: RemovedUserResponse })
  @ApiErrors(...COMMAND_ERRORS)
  @ApiOperation({
    summary: 'Remove my account (Windu)',
    description:
      'The account is removed, its tokens stop working and its personal data (display name, phone, status messages, photos, contacts, presence) is erased by destroying its key. Rooms keep their history; its author shows as a deleted user.',
  })
  remove(@Body() body: RemoveAccountDto, @Caller() caller: CommandContext): Promise<RemovedUser> {
    return this.commands.execute(new RemoveUserCommand(caller.actor, 'self', body.feedback ?? null, caller));
  }
}

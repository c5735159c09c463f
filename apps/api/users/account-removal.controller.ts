import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Caller } from '../auth/auth.decorators';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { RemoveUserCommand, type RemovedUser } from './remove-user.command';

export class RemoveAccountDto {
  @ApiPropertyOptional({ description: 'Why you leave; kept for the Parley operators with your account id only', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  feedback?: string;
}

@ApiTags('identity')
@ApiBearerAuth()
@Controller('me')
export class AccountRemovalController {
  constructor(private readonly commands: CommandBus) {}

  @Post('remove')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Remove my account (Windu)',
    description:
      'The account is removed, its tokens stop working and its personal data (display name, phone, status messages, photos, contacts, presence) is erased by destroying its key. Rooms keep their history; its author shows as a deleted user.',
  })
  remove(@Body() body: RemoveAccountDto, @Caller() caller: CommandContext): Promise<RemovedUser> {
    return this.commands.execute(new RemoveUserCommand(caller.actor, 'self', body.feedback ?? null, caller));
  }
}

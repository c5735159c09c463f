import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { Caller } from '../auth/auth.decorators';
import { IdempotencyKey } from '../common/idempotency-key';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { CreateThreadCommand, type CreatedThread } from './create-thread.command';
import { CreateThreadDto } from './threads.dto';
import { CreatedThreadResponse } from './threads.responses';

/** Private threads with a subject; replies, unread counts and read markers are the rooms' own. */
@ApiTags('rooms')
@UserApi()
@Controller('threads')
export class ThreadsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' } })
  @ApiCreatedResponse({ type: CreatedThreadResponse, description: 'Opened, with its first message (a retried Idempotency-Key answers the same)' })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  create(
    @Body() body: CreateThreadDto,
    @Caller() caller: CommandContext,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CreatedThread> {
    return this.commands.execute(new CreateThreadCommand(body.recipients, body.subject, body.body, idempotencyKey, caller));
  }
}

import { Body, Controller, Get, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { OwnPresenceResponse, PresenceResultResponse } from './presence.responses';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { SetPresenceDto } from './presence.dto';
import { MyPresenceQuery } from './presence.queries';
import { SetPresenceCommand, type OwnPresenceView, type PresenceResult } from './set-presence.command';
import { presenceProjection } from '../../../projections';

/**
 * The caller's presence (Trillian: status, message, device). A PUT sets the
 * whole presence; sending the same again while online, away or busy is a
 * heartbeat that moves last seen.
 */
@ApiTags('presence')
@UserApi()
@Controller('me/presence')
export class PresenceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put()
  @ApiOkResponse({ type: PresenceResultResponse })
  @ApiErrors(...COMMAND_ERRORS)
  set(@Body() body: SetPresenceDto, @Caller() caller: CommandContext): Promise<PresenceResult> {
    return this.commands.execute(
      new SetPresenceCommand(
        caller.actor,
        {
          status: body.status,
          message: body.message ?? null,
          device: body.device ? { name: body.device.name, platform: body.device.platform, version: body.device.version } : null,
        },
        caller,
      ),
    );
  }

  @Get()
  @ReadModelQuery(presenceProjection)

  @ApiOkResponse({ type: OwnPresenceResponse })
  get(@Caller() caller: CommandContext): Promise<OwnPresenceView> {
    return this.queries.execute(new MyPresenceQuery(caller.actor));
  }
}

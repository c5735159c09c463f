import { Body, Controller, Get, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
@ApiBearerAuth()
@Controller('me/presence')
export class PresenceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put()
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
  get(@Caller() caller: CommandContext): Promise<OwnPresenceView> {
    return this.queries.execute(new MyPresenceQuery(caller.actor));
  }
}

import { Body, Controller, Get, Param, Patch, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { validationError } from '../../../libs/domain/errors';
import { AdminPresencePageResponse, PresenceResultResponse } from './presence.responses';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { AdminPatchPresenceDto, AdminPresenceQueryDto, AdminSetPresenceDto } from './presence.dto';
import { ListPresenceQuery, type AdminPresencePage } from './presence.queries';
import { SetPresenceCommand, type PresenceResult } from './set-presence.command';
import { presenceProjection } from '../../../projections';

/** Presence for administrators (Trillian): every user's, unfiltered, and setting a user's. */
@ApiTags('admin')
@Public()
@RequireScopes('admin:presence')
@Controller('admin')
export class AdminPresenceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('presence')
  @ReadModelQuery(presenceProjection)

  @ApiOkResponse({ type: AdminPresencePageResponse })
  list(@Query() query: AdminPresenceQueryDto): Promise<AdminPresencePage> {
    return this.queries.execute(new ListPresenceQuery(query.status, query.cursor, query.limit ?? 20));
  }

  /** Status and message; the device the user's client set stays. `changedBy` is the API key. */
  @Put('users/:id/presence')
  @ApiOkResponse({ type: PresenceResultResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  set(
    @Param('id', UuidParamPipe) userId: string,
    @Body() body: AdminSetPresenceDto,
    @AdminCaller() caller: CommandContext,
  ): Promise<PresenceResult> {
    return this.commands.execute(
      new SetPresenceCommand(userId, { status: body.status, message: body.message ?? null, device: undefined }, caller),
    );
  }

  /** Status, message or both; what is left out stays (Trillian's PATCH /presence/:imaddress). */
  @Patch('users/:id/presence')
  @ApiOkResponse({ type: PresenceResultResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  patch(
    @Param('id', UuidParamPipe) userId: string,
    @Body() body: AdminPatchPresenceDto,
    @AdminCaller() caller: CommandContext,
  ): Promise<PresenceResult> {
    if (body.status === undefined && body.message === undefined) {
      throw validationError('PRESENCE.UPDATE_EMPTY', 'Give status, message or both', [{ field: 'status', reason: 'or message is required' }]);
    }
    return this.commands.execute(new SetPresenceCommand(userId, { status: body.status, message: body.message, device: undefined }, caller));
  }
}

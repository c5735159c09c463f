import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { validationError } from '../../../libs/domain/errors';
import { historyWeeksProjection, membershipsProjection, roomsProjection, sessionsProjection, timelineProjection, usersProjection } from '../../../projections';
import { Caller, CurrentUser, type AuthenticatedUser } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { RoomCommandResponse } from '../rooms/rooms.responses';
import { DeleteHistoryCommand, type DeletedHistory } from './delete-history.command';
import { DeleteHistoryDto, historyBlockOf } from './history.dto';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { TimelinePage } from './comments.queries';
import { HistoryWeeksResponse } from './history.responses';
import { TimelinePageResponse } from './comments.responses';
import { HistoryWeekQuery, ListHistoryWeeksQuery, WEEK_PAGE_MAX, type HistoryWeeksView } from './history.queries';

const whole = (value: string, field: string): number => {
  if (!/^[0-9]{1,4}$/.test(value)) throw validationError('HISTORY.WEEK_INVALID', `${field} must be a number`, [{ field, reason: 'must be a whole number' }]);
  return Number(value);
};

/** A room's history by ISO week (Trillian's message weeks); a direct conversation is a room too. */
@ApiTags('comments')
@UserApi()
@Controller('rooms/:roomId/history/weeks')
export class HistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadModelQuery(membershipsProjection, historyWeeksProjection)
  @ApiOperation({ summary: 'The ISO weeks that hold comments, with counts and revisions' })
  @ApiOkResponse({ type: HistoryWeeksResponse })
  @ApiErrors(400, 404)
  weeks(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<HistoryWeeksView> {
    return this.queries.execute(new ListHistoryWeeksQuery(caller.actor, roomId));
  }

  @Get(':year/:week')
  @ReadModelQuery(membershipsProjection, timelineProjection, usersProjection, sessionsProjection)
  @ApiOperation({ summary: `One ISO week of the timeline, oldest first (at most ${WEEK_PAGE_MAX} items; hasMoreAfter says when there are more)` })
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: 1970, maximum: 9999 } })
  @ApiParam({ name: 'week', schema: { type: 'integer', minimum: 1, maximum: 53 } })
  @ApiOkResponse({ type: TimelinePageResponse })
  @ApiErrors(400, 404)
  week(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('year') year: string,
    @Param('week') week: string,
    @Caller() caller: CommandContext,
    @CurrentUser() user: AuthenticatedUser | undefined,
  ): Promise<TimelinePage> {
    return this.queries.execute(new HistoryWeekQuery(caller.actor, roomId, whole(year, 'year'), whole(week, 'week'), user?.familyId ?? null));
  }
}

/** Any room's history by ISO week for administrators (`admin:rooms`), member or not: group chats and a user's direct conversations alike. */
@ApiTags('admin: rooms')
@Public()
@RequireScopes('admin:rooms')
@Controller('admin/rooms/:roomId/history/weeks')
export class AdminHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadModelQuery(roomsProjection, historyWeeksProjection)
  @ApiOperation({ summary: 'The ISO weeks of any room that hold comments, with counts and revisions' })
  @ApiOkResponse({ type: HistoryWeeksResponse })
  @ApiErrors(400, 404)
  weeks(@Param('roomId', UuidParamPipe) roomId: string, @AdminCaller() caller: CommandContext): Promise<HistoryWeeksView> {
    return this.queries.execute(new ListHistoryWeeksQuery(caller.actor, roomId, true));
  }

  @Get(':year/:week')
  @ReadModelQuery(roomsProjection, timelineProjection, usersProjection)
  @ApiOperation({ summary: `One ISO week of any room's timeline, oldest first (at most ${WEEK_PAGE_MAX} items)` })
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: 1970, maximum: 9999 } })
  @ApiParam({ name: 'week', schema: { type: 'integer', minimum: 1, maximum: 53 } })
  @ApiOkResponse({ type: TimelinePageResponse })
  @ApiErrors(400, 404)
  week(@Param('roomId', UuidParamPipe) roomId: string, @Param('year') year: string, @Param('week') week: string, @AdminCaller() caller: CommandContext): Promise<TimelinePage> {
    return this.queries.execute(new HistoryWeekQuery(caller.actor, roomId, whole(year, 'year'), whole(week, 'week'), null, true));
  }
}

const DELETE_HISTORY =
  'Deletes a block of the room’s history: the comments named, an ISO week, or all of it up to now. One HistoryDeleted event; ' +
  'the comments show as tombstones in every page, week, feed and export from then on, the log keeps the posts. ' +
  'Comments deleted before are left out (written 0 when nothing stood).';

/** Deleting history by its operators and owners. */
@ApiTags('comments')
@UserApi()
@Controller('rooms/:roomId/history/deletions')
export class HistoryDeletionController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a block of history (operators and owners)', description: DELETE_HISTORY })
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  delete(@Param('roomId', UuidParamPipe) roomId: string, @Body() body: DeleteHistoryDto, @Caller() caller: CommandContext): Promise<DeletedHistory> {
    return this.commands.execute(new DeleteHistoryCommand(roomId, historyBlockOf(body), caller));
  }
}

/** Deleting any room's history as an administrator (`admin:rooms`), without being a member. */
@ApiTags('admin: rooms')
@Public()
@RequireScopes('admin:rooms')
@Controller('admin/rooms/:roomId/history/deletions')
export class AdminHistoryDeletionController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a block of any room’s history', description: DELETE_HISTORY })
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  delete(@Param('roomId', UuidParamPipe) roomId: string, @Body() body: DeleteHistoryDto, @AdminCaller() caller: CommandContext): Promise<DeletedHistory> {
    return this.commands.execute(new DeleteHistoryCommand(roomId, historyBlockOf(body), caller, true));
  }
}

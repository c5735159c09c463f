import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { validationError } from '../../../libs/domain/errors';
import { historyWeeksProjection, membershipsProjection, sessionsProjection, timelineProjection, usersProjection } from '../../../projections';
import { Caller, CurrentUser, type AuthenticatedUser } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, UserApi } from '../common/openapi';
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

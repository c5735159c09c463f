import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { validationError } from '../../../libs/domain/errors';
import { contactsProjection, membersProjection, presenceProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ChangeMemberProfileCommand, LeaveFeedbackCommand, type LeftFeedback, type MemberProfileResult } from './members.commands';
import { LeaveFeedbackDto, MemberProfileDto, SearchMembersQueryDto } from './members.dto';
import { GetMemberQuery, ListFeedbackQuery, SearchMembersQuery, type FeedbackView, type MemberSearch, type MemberSearchPage, type MemberView } from './members.queries';
import {
  FeedbackResponse,
  LeftFeedbackResponse,
  MemberProfileResultResponse,
  CommunityMemberResponse,
  MemberSearchPageResponse,
} from './members.responses';

const AREA_FIELDS = ['minLat', 'maxLat', 'minLon', 'maxLon', 'centerLat', 'centerLon'] as const;

/** Which search the query asks for: a map area needs all six coordinates, and never with a keyword. */
function searchOf(query: SearchMembersQueryDto): MemberSearch {
  const given = AREA_FIELDS.filter((field) => query[field] !== undefined);
  if (given.length === 0) return { kind: 'keyword', q: query.q ?? '' };
  const missing = AREA_FIELDS.filter((field) => query[field] === undefined);
  if (missing.length > 0) {
    throw validationError(
      'SEARCH.AREA_INVALID',
      `A map area needs ${missing.join(', ')}`,
      missing.map((field) => ({ field, reason: 'is required with the other coordinates of a map area' })),
    );
  }
  if (query.q !== undefined) {
    throw validationError('SEARCH.AREA_INVALID', 'Search by keyword or by map area, not both', [{ field: 'q', reason: 'not allowed with a map area' }]);
  }
  return {
    kind: 'area',
    area: {
      minLat: query.minLat!,
      maxLat: query.maxLat!,
      minLon: query.minLon!,
      maxLon: query.maxLon!,
      centerLat: query.centerLat!,
      centerLon: query.centerLon!,
    },
  };
}

/** Members of a community of hosts: profiles, search by keyword and by place, feedback (issue #17). */
@ApiTags('members')
@UserApi()
@Controller()
export class MembersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put('me/member-profile')
  @ApiOkResponse({ type: MemberProfileResultResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  changeProfile(@Body() body: MemberProfileDto, @Caller() caller: CommandContext): Promise<MemberProfileResult> {
    const { availability, offers, ...fields } = body;
    return this.commands.execute(
      new ChangeMemberProfileCommand({ ...fields, ...(availability ? { availability: { ...availability } } : {}), ...(offers ? { offers: { ...offers } } : {}) }, caller),
    );
  }

  @Get('users/search')
  @ReadModelQuery(membersProjection)
  @ApiOkResponse({ type: MemberSearchPageResponse, description: 'Findable members: by keyword in username order, or in a map area nearest the centre first' })
  @ApiErrors(400)
  search(@Query() query: SearchMembersQueryDto, @Caller() caller: CommandContext): Promise<MemberSearchPage> {
    return this.queries.execute(new SearchMembersQuery(searchOf(query), query.offset ?? 0, query.limit ?? 20, caller.actor));
  }

  @Get('users/by-username/:username')
  @ReadModelQuery(membersProjection, presenceProjection, contactsProjection)
  @ApiOkResponse({ type: CommunityMemberResponse })
  @ApiErrors(400, 404)
  byUsername(@Param('username') username: string, @Caller() caller: CommandContext): Promise<MemberView> {
    return this.queries.execute(new GetMemberQuery(caller.actor, { username }));
  }

  @Get('users/:userId')
  @ReadModelQuery(membersProjection, presenceProjection, contactsProjection)
  @ApiOkResponse({ type: CommunityMemberResponse })
  @ApiErrors(400, 404)
  get(@Param('userId', UuidParamPipe) userId: string, @Caller() caller: CommandContext): Promise<MemberView> {
    return this.queries.execute(new GetMemberQuery(caller.actor, { userId }));
  }

  @Get('users/:userId/feedback')
  @ReadModelQuery(membersProjection)
  @ApiOkResponse({ type: [FeedbackResponse], description: 'Newest first' })
  @ApiErrors(400, 404)
  feedback(@Param('userId', UuidParamPipe) userId: string): Promise<FeedbackView[]> {
    return this.queries.execute(new ListFeedbackQuery(userId));
  }

  @Post('users/:userId/feedback')
  @ApiCreatedResponse({ type: LeftFeedbackResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  leaveFeedback(
    @Param('userId', UuidParamPipe) userId: string,
    @Body() body: LeaveFeedbackDto,
    @Caller() caller: CommandContext,
  ): Promise<LeftFeedback> {
    return this.commands.execute(
      new LeaveFeedbackCommand(userId, { rating: body.rating, body: body.body, stay: body.stay, relation: body.relation }, caller),
    );
  }
}

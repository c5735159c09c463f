import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { roomsProjection, usersProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { callingApplication, CreateApplicationUserCommand, type CreatedApplicationUser } from './applications.commands';
import { CreateApplicationUserDto, CursorPageQueryDto } from './applications.dto';
import {
  GetApplicationUserQuery,
  ListApplicationRoomsQuery,
  ListApplicationUsersQuery,
  type ApplicationRoomView,
  type ApplicationUserView,
  type CursorPage,
} from './applications.queries';
import { ApplicationRoomPageResponse, ApplicationUserPageResponse, ApplicationUserResponse, CreatedApplicationUserResponse } from './applications.responses';

/**
 * What an application does as itself (its RS256 token without `sub`): its
 * users and its rooms. Rooms are created with POST /v1/rooms, as users do.
 */
@ApiTags('applications')
@UserApi()
@Controller('application')
export class ApplicationController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** A user of the application, by name, without a password: it acts through the application's tokens (`sub`). */
  @Post('users')
  @ApiCreatedResponse({ type: CreatedApplicationUserResponse })
  @ApiErrors(...COMMAND_ERRORS, 403)
  createUser(@Body() body: CreateApplicationUserDto, @Caller() caller: CommandContext): Promise<CreatedApplicationUser> {
    return this.commands.execute(new CreateApplicationUserCommand(body.name, body.displayName, caller));
  }

  @Get('users')
  @ReadModelQuery(usersProjection)
  @ApiOkResponse({ type: ApplicationUserPageResponse })
  @ApiErrors(400, 403)
  users(@Query() query: CursorPageQueryDto, @Caller() caller: CommandContext): Promise<CursorPage<ApplicationUserView>> {
    return this.queries.execute(new ListApplicationUsersQuery(callingApplication(caller), query.cursor, query.limit ?? 20));
  }

  @Get('users/:userId')
  @ReadModelQuery(usersProjection)
  @ApiOkResponse({ type: ApplicationUserResponse })
  @ApiErrors(400, 403, 404)
  user(@Param('userId', UuidParamPipe) userId: string, @Caller() caller: CommandContext): Promise<ApplicationUserView> {
    return this.queries.execute(new GetApplicationUserQuery(callingApplication(caller), userId));
  }

  /** The application's rooms, oldest first, deleted ones included. */
  @Get('rooms')
  @ReadModelQuery(roomsProjection)
  @ApiOkResponse({ type: ApplicationRoomPageResponse })
  @ApiErrors(400, 403)
  rooms(@Query() query: CursorPageQueryDto, @Caller() caller: CommandContext): Promise<CursorPage<ApplicationRoomView>> {
    return this.queries.execute(new ListApplicationRoomsQuery(callingApplication(caller), query.cursor, query.limit ?? 20));
  }
}

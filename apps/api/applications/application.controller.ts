import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { roomsProjection, usersProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  callingApplication,
  CreateApplicationUserCommand,
  RemoveApplicationUserCommand,
  UpdateApplicationUserCommand,
  type CreatedApplicationUser,
  type UpdatedApplicationUser,
} from './applications.commands';
import type { RemovedUser } from '../users/remove-user.command';
import { RemovedUserResponse } from '../users/users.responses';
import { CreateApplicationUserDto, CursorPageQueryDto, UpdateApplicationUserDto } from './applications.dto';
import {
  GetApplicationUserQuery,
  ListApplicationRoomsQuery,
  ListApplicationUsersQuery,
  type ApplicationRoomView,
  type ApplicationUserView,
  type CursorPage,
} from './applications.queries';
import { ApplicationRoomPageResponse, ApplicationUserPageResponse, ApplicationUserResponse, CreatedApplicationUserResponse, UpdatedApplicationUserResponse } from './applications.responses';

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

  /** Changes a user the application created: display name, image, custom_data (`properties`, replaced whole); only the fields given. */
  @Patch('users/:userId')
  @ApiOkResponse({ type: UpdatedApplicationUserResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  updateUser(
    @Param('userId', UuidParamPipe) userId: string,
    @Body() body: UpdateApplicationUserDto,
    @Caller() caller: CommandContext,
  ): Promise<UpdatedApplicationUser> {
    const { displayName, imageUrl, properties } = body;
    return this.commands.execute(
      new UpdateApplicationUserCommand(
        userId,
        { ...(displayName !== undefined ? { displayName } : {}), ...(imageUrl !== undefined ? { imageUrl } : {}), ...(properties !== undefined ? { properties } : {}) },
        caller,
      ),
    );
  }

  /** Removes a user the application created, as any account is removed: its tokens (`sub`) stop working and its personal data is erased. */
  @Delete('users/:userId')
  @ApiOkResponse({ type: RemovedUserResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  removeUser(@Param('userId', UuidParamPipe) userId: string, @Caller() caller: CommandContext): Promise<RemovedUser> {
    return this.commands.execute(new RemoveApplicationUserCommand(userId, caller));
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

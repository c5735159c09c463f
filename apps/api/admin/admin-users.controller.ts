import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { RegisteredUserResponse, RemovedUserResponse } from '../users/users.responses';
import { AdminUpdatedUserResponse, AdminUserPageResponse, AdminUserResponse } from './admin.responses';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { RegisterUserCommand, type RegisteredUser } from '../users/register-user.command';
import { RemoveUserCommand, type RemovedUser } from '../users/remove-user.command';
import { AdminCaller } from './api-key.guard';
import { AdminUserUpdates, type AdminUpdatedUser } from './admin-user-updates';
import { AdminCreateUserDto, AdminUpdateUserDto, ListAdminUsersQueryDto } from './admin-users.dto';
import {
  GetAdminUserQuery,
  ListAdminUsersQuery,
  type AdminUserPage,
  type AdminUserView,
} from './admin-users.queries';
import { RequireScopes } from './require-scopes';
import { usersProjection } from '../../../projections';

/**
 * Users, for holders of a key with `admin:users` (Nexmo's users CRUD,
 * Trillian's user administration, Warmshowers' search). Events these routes
 * cause name the API key as their actor.
 */
@ApiTags('admin: users')
@Public()
@RequireScopes('admin:users')
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly updates: AdminUserUpdates,
  ) {}

  @Get()
  @ReadModelQuery(usersProjection)

  @ApiOkResponse({ type: AdminUserPageResponse })
  @ApiOperation({ summary: 'Active users, oldest first; q matches the username or display name; total counts every match' })
  list(@Query() query: ListAdminUsersQueryDto): Promise<AdminUserPage> {
    return this.queries.execute(new ListAdminUsersQuery(query.q, query.offset ?? 0, query.limit ?? 20));
  }

  @Get(':id')
  @ReadModelQuery(usersProjection)

  @ApiOkResponse({ type: AdminUserResponse })
  @ApiErrors(404)
  @ApiOperation({ summary: 'One user, pending and removed accounts included (a removed one shows as "Deleted user")' })
  get(@Param('id', UuidParamPipe) id: string): Promise<AdminUserView> {
    return this.queries.execute(new GetAdminUserQuery(id));
  }

  @Post()
  @ApiCreatedResponse({ type: RegisteredUserResponse })
  @ApiErrors(...COMMAND_ERRORS)
  create(@Body() body: AdminCreateUserDto, @AdminCaller() caller: CommandContext): Promise<RegisteredUser> {
    return this.commands.execute(new RegisterUserCommand(body.username, body.password, body.displayName, caller));
  }

  @Patch(':id')
  @ApiOkResponse({ type: AdminUpdatedUserResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  @ApiOperation({ summary: 'Sets the display name, the password, or both; at least one' })
  update(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: AdminUpdateUserDto,
    @AdminCaller() caller: CommandContext,
  ): Promise<AdminUpdatedUser> {
    return this.updates.update(id, { displayName: body.displayName, password: body.password }, caller);
  }

  @Delete(':id')
  @ApiOkResponse({ type: RemovedUserResponse })
  @ApiErrors(400, 404, 409)
  @ApiOperation({
    summary: 'Removes the account (Nexmo delete user): tokens stop working, personal data is erased; 404 USER.REMOVED the second time',
  })
  remove(@Param('id', UuidParamPipe) id: string, @AdminCaller() caller: CommandContext): Promise<RemovedUser> {
    return this.commands.execute(new RemoveUserCommand(id, 'admin', null, caller));
  }
}

import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { RegisteredUserResponse, RemovedUserResponse } from '../users/users.responses';
import { AdminUpdatedUserResponse, AdminUserPageResponse, AdminUserResponse } from './admin.responses';
import { validationError } from '../../../libs/domain/errors';
import { checkDisplayName, checkNewPassword } from '../../../libs/domain/users/profile.decider';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ChangePasswordCommand, ExecuteProfileCommand, type ProfileCommandResult } from '../users/profile.command';
import { RegisterUserCommand, type RegisteredUser } from '../users/register-user.command';
import { RemoveUserCommand, type RemovedUser } from '../users/remove-user.command';
import { AdminCaller } from './api-key.guard';
import { AdminCreateUserDto, AdminUpdateUserDto, ListAdminUsersQueryDto } from './admin-users.dto';
import {
  GetAdminUserQuery,
  ListAdminUsersQuery,
  type AdminUserPage,
  type AdminUserView,
} from './admin-users.queries';
import { RequireScopes } from './require-scopes';
import { usersProjection } from '../../../projections';

export interface AdminUpdatedUser {
  readonly id: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly position: string;
}

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
  async update(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: AdminUpdateUserDto,
    @AdminCaller() caller: CommandContext,
  ): Promise<AdminUpdatedUser> {
    if (body.displayName === undefined && body.password === undefined) {
      throw validationError('ADMIN.USER_UPDATE_EMPTY', 'Give displayName, password or both', [
        { field: 'displayName', reason: 'or password is required' },
      ]);
    }
    // Both checked before either is written, and the password (which a phone account refuses) first.
    if (body.displayName !== undefined) checkDisplayName(body.displayName);
    if (body.password !== undefined) checkNewPassword(body.password, 'password');
    let result: ProfileCommandResult | undefined;
    if (body.password !== undefined) {
      result = await this.commands.execute(new ChangePasswordCommand(id, null, body.password, caller));
    }
    if (body.displayName !== undefined) {
      result = await this.commands.execute(
        new ExecuteProfileCommand(
          id,
          { type: 'UpdateDisplayName', actor: caller.actor, displayName: body.displayName, now: new Date().toISOString() },
          caller,
        ),
      );
    }
    const { profile, position } = result!;
    return { id: profile.id, username: profile.username, displayName: profile.displayName, position };
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

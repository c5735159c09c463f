import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { DomainError, notFound, validationError } from '../../../../libs/domain/errors';
import { AdminCaller } from '../../admin/api-key.guard';
import { AdminUserUpdates } from '../../admin/admin-user-updates';
import { GetAdminUserQuery, ListAdminUsersQuery, type AdminUserPage, type AdminUserView } from '../../admin/admin-users.queries';
import { ReadModelQuery } from '../../common/min-position.interceptor';
import { RegisterUserCommand, type RegisteredUser } from '../../users/register-user.command';
import { RemoveUserCommand } from '../../users/remove-user.command';
import { usersProjection } from '../../../../projections';
import { TrillianToken } from './trillian-auth.guard';
import { TrillianUserDto } from './trillian.dto';
import { TRILLIAN_ERRORS, TrillianAnswer } from './trillian.openapi';
import { answer, userIdOf, type WireNode } from './trillian-wire';

/** Parley's field names in a refusal, as Trillian's client sent them. */
const TRILLIAN_FIELDS: Readonly<Record<string, string>> = { username: 'im', displayName: 'displayname', newPassword: 'password' };

async function inTrillianFields<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DomainError && error.details !== undefined) {
      const details = error.details.map((detail) => ({ ...detail, field: TRILLIAN_FIELDS[detail.field] ?? detail.field }));
      throw new DomainError(error.code, error.category, error.message, details, error.retryAfterSeconds);
    }
    throw error;
  }
}

const userNode = (user: { readonly id: string; readonly username: string | null; readonly displayName: string | null }): WireNode => ({
  '@_name': user.id,
  im: user.username ?? '',
  displayname: user.displayName ?? '',
});

/**
 * Trillian's users (`/trillian/v1/users`) over Parley's admin users and
 * registration: tokens with `admin:users`; a user is named by id, `im` is the
 * Parley username. Trillian's `email` is checked but not kept.
 */
@ApiTags('compat: trillian')
@TrillianToken('admin:users')
@ApiProduces('application/xml', 'application/json')
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@Controller('trillian/v1/users')
export class TrillianUsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly updates: AdminUserUpdates,
  ) {}

  @Get()
  @ReadModelQuery(usersProjection)
  @ApiOperation({ summary: 'Get all users', description: 'Active users, oldest first; name is the user id, im the username.' })
  @TrillianAnswer(200, 'users', 400)
  async list(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const users: AdminUserView[] = [];
    let page: AdminUserPage;
    do {
      page = await this.queries.execute(new ListAdminUsersQuery(undefined, users.length, 100));
      users.push(...page.users);
    } while (page.users.length > 0 && users.length < page.total);
    return answer(request, reply, 200, { user: users.map(userNode) });
  }

  @Get(':user')
  @ReadModelQuery(usersProjection)
  @ApiOperation({ summary: 'Get a single user', description: 'A removed account answers 404 USER.REMOVED.' })
  @ApiParam({ name: 'user', description: 'The user id (an @domain after it is ignored)', schema: { type: 'string' } })
  @TrillianAnswer(200, 'user', 400, 404)
  async get(@Param('user') name: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const user: AdminUserView = await this.queries.execute(new GetAdminUserQuery(userIdOf(name, 'user')));
    if (user.removed) throw notFound('USER.REMOVED', 'The account was removed');
    return answer(request, reply, 200, { user: userNode(user) });
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a user', description: 'im (the username) and password are required; displayname defaults to im; email is checked, not kept.' })
  @ApiBody({ type: TrillianUserDto })
  @TrillianAnswer(201, 'user', ...TRILLIAN_ERRORS)
  async create(@Body() body: TrillianUserDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const missing = (['im', 'password'] as const).filter((field) => body[field] === undefined);
    if (missing.length > 0) {
      throw validationError('REQUEST.VALIDATION_FAILED', `${missing.join(' and ')} required`, missing.map((field) => ({ field, reason: 'is required' })));
    }
    const user: RegisteredUser = await inTrillianFields(this.commands.execute(new RegisterUserCommand(body.im!, body.password!, body.displayname, caller)));
    return answer(request, reply, 201, { user: userNode(user) });
  }

  @Patch(':user')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a user (PATCH; POST does the same)', description: 'displayname, password or both; im cannot change.' })
  @ApiParam({ name: 'user', description: 'The user id', schema: { type: 'string' } })
  @ApiBody({ type: TrillianUserDto })
  @TrillianAnswer(200, 'user', ...TRILLIAN_ERRORS, 404)
  patch(
    @Param('user') name: string,
    @Body() body: TrillianUserDto,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.update(name, body, caller, request, reply);
  }

  @Post(':user')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a user (POST, where PATCH is unavailable)' })
  @ApiParam({ name: 'user', description: 'The user id', schema: { type: 'string' } })
  @ApiBody({ type: TrillianUserDto })
  @TrillianAnswer(200, 'user', ...TRILLIAN_ERRORS, 404)
  async update(
    @Param('user') name: string,
    @Body() body: TrillianUserDto,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const userId = userIdOf(name, 'user');
    if (body.im !== undefined) {
      throw validationError('REQUEST.VALIDATION_FAILED', 'im cannot be changed', [{ field: 'im', reason: 'cannot be changed: Parley usernames are set at registration' }]);
    }
    const user = await inTrillianFields(this.updates.update(userId, { displayName: body.displayname, password: body.password }, caller));
    return answer(request, reply, 200, { user: userNode(user) });
  }

  @Delete(':user')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a user', description: 'Removes the account: its tokens stop working, its personal data is erased; 404 USER.REMOVED the second time.' })
  @ApiParam({ name: 'user', description: 'The user id', schema: { type: 'string' } })
  @TrillianAnswer(200, 'user', 400, 404, 409)
  async remove(@Param('user') name: string, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = userIdOf(name, 'user');
    await this.commands.execute(new RemoveUserCommand(userId, 'admin', null, caller));
    return answer(request, reply, 200, { user: { '@_name': userId } });
  }
}

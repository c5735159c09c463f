import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { roomsProjection } from '../../../projections';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  AdministerRoomCommand,
  CreateAdministeredRoomCommand,
  GetAdminRoomQuery,
  ListAdminRoomsQuery,
  type AdministeredRoom,
  type AdminRoomView,
  type CreatedAdminRoom,
} from './admin-rooms';
import { AdministeredRoomResponse, AdminRoomPageResponse, AdminRoomResponse, CreatedAdminRoomResponse } from './admin-rooms.responses';
import type { Page } from './rooms.queries';
import { AdminCreateRoomDto, AdminListRoomsQueryDto, AdminPutMemberDto, AdminUpdateRoomDto, type RoomPermissionsDto } from './rooms.dto';
import type { RoomPermissions } from '../../../libs/domain/events';

const now = () => new Date().toISOString();
const givenPermissions = (permissions: RoomPermissionsDto | undefined): Partial<RoomPermissions> | undefined =>
  permissions === undefined ? undefined : (Object.fromEntries(Object.entries(permissions).filter(([, v]) => v !== undefined)) as Partial<RoomPermissions>);

/**
 * Group chats run by administrators (`admin:rooms`, Trillian's group chat
 * administration): every room listed, created for the organisation, changed,
 * deleted and given members without being a member. The rules are the room
 * decider's, with the administrator acting as an owner.
 */
@ApiTags('admin: rooms')
@Public()
@RequireScopes('admin:rooms')
@Controller('admin/rooms')
export class AdminRoomsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ReadModelQuery(roomsProjection)
  @ApiOperation({ summary: 'Every group chat, oldest first, listed or not (deleted ones with deleted=1)' })
  @ApiOkResponse({ type: AdminRoomPageResponse })
  @ApiErrors(400)
  list(@Query() query: AdminListRoomsQueryDto): Promise<Page<AdminRoomView>> {
    return this.queries.execute(
      new ListAdminRoomsQuery({ withMembers: query.members === '1', withDeleted: query.deleted === '1', cursor: query.cursor, limit: query.limit ?? 20 }),
    );
  }

  @Post()
  @ApiOperation({ summary: 'Create a group chat for the organisation (the caller is no member)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' } })
  @ApiCreatedResponse({ type: CreatedAdminRoomResponse })
  @ApiErrors(...COMMAND_ERRORS, 403)
  async create(
    @Body() body: AdminCreateRoomDto,
    @AdminCaller() caller: CommandContext,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedAdminRoom> {
    const created = await this.commands.execute(
      new CreateAdministeredRoomCommand(
        {
          kind: 'group',
          name: body.name,
          participants: (body.participants ?? []).map((id) => id.toLowerCase()),
          topic: body.topic ?? null,
          avatarUrl: body.avatarUrl ?? null,
          permissions: givenPermissions(body.permissions),
          historyVisibility: body.historyVisibility,
          unlisted: body.unlisted,
          idempotencyKey,
          ...(body.properties !== undefined ? { properties: body.properties } : {}),
        },
        caller,
      ),
    );
    void reply.status(201);
    return created;
  }

  @Get(':roomId')
  @ReadModelQuery(roomsProjection)
  @ApiOkResponse({ type: AdminRoomResponse })
  @ApiErrors(400, 404)
  get(@Param('roomId', UuidParamPipe) roomId: string): Promise<AdminRoomView> {
    return this.queries.execute(new GetAdminRoomQuery(roomId));
  }

  @Patch(':roomId')
  @ApiOperation({ summary: 'Change a room: name, topic, permissions (send false moderates it), listing; deleted: true deletes it' })
  @ApiOkResponse({ type: AdministeredRoomResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  update(@Param('roomId', UuidParamPipe) roomId: string, @Body() body: AdminUpdateRoomDto, @AdminCaller() caller: CommandContext): Promise<AdministeredRoom> {
    return this.commands.execute(
      new AdministerRoomCommand(
        roomId,
        {
          type: 'UpdateRoom',
          actor: caller.actor,
          name: body.name,
          topic: body.topic,
          avatarUrl: body.avatarUrl,
          permissions: givenPermissions(body.permissions),
          historyVisibility: body.historyVisibility,
          unlisted: body.unlisted,
          properties: body.properties,
          close: body.deleted,
          now: now(),
        },
        caller,
      ),
    );
  }

  @Put(':roomId/members/:userId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make a user a member (added if need be) with this role, voice and mute' })
  @ApiOkResponse({ type: AdministeredRoomResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  putMember(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('userId', UuidParamPipe) userId: string,
    @Body() body: AdminPutMemberDto,
    @AdminCaller() caller: CommandContext,
  ): Promise<AdministeredRoom> {
    return this.commands.execute(
      new AdministerRoomCommand(roomId, { type: 'PutMember', actor: caller.actor, userId, role: body.role, voice: body.voice, muted: body.muted, now: now() }, caller),
    );
  }

  @Delete(':roomId/members/:userId')
  @ApiOkResponse({ type: AdministeredRoomResponse })
  @ApiErrors(400, 403, 404, 409, 503, 507)
  removeMember(@Param('roomId', UuidParamPipe) roomId: string, @Param('userId', UuidParamPipe) userId: string, @AdminCaller() caller: CommandContext): Promise<AdministeredRoom> {
    return this.commands.execute(new AdministerRoomCommand(roomId, { type: 'RemoveMember', actor: caller.actor, userId, now: now() }, caller));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { CreatedRoomResponse, MemberResponse, MyRoomPageResponse, MyRoomResponse, RoomCommandResponse } from './rooms.responses';
import type { FastifyReply } from 'fastify';
import type { RoomPermissions, RoomRole } from '../../../libs/domain/events';
import { Caller } from '../auth/auth.decorators';
import { IdempotencyKey } from '../common/idempotency-key';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CreateRoomCommand, type CreatedRoom } from './create-room.command';
import { ExecuteRoomCommand, type RoomCommandResult } from './room-command.command';
import type { MyRoomView } from './room-views';
import {
  AddMembersDto,
  ChangeMemberDto,
  CreateRoomDto,
  DirectRoomDto,
  ListRoomsQueryDto,
  RoomPermissionsDto,
  UpdateRoomDto,
} from './rooms.dto';
import {
  GetRoomQuery,
  ListMembersQuery,
  ListMyRoomsQuery,
  type MemberView,
  type Page,
} from './rooms.queries';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { InviteMembersDto } from '../applications/applications.dto';
import { RoomMemberStatesQuery, type MemberStateView } from '../applications/applications.queries';
import { MemberStateListResponse } from '../applications/applications.responses';
import { contactsProjection, membershipsProjection, presenceProjection, roomsProjection, usersProjection } from '../../../projections';

const now = () => new Date().toISOString();

/**
 * The flags given, without the DTO instance's unset fields: spread over the
 * room's permissions, an own `undefined` would erase a flag.
 */
const givenPermissions = (permissions: RoomPermissionsDto | undefined): Partial<RoomPermissions> | undefined =>
  permissions === undefined
    ? undefined
    : (Object.fromEntries(Object.entries(permissions).filter(([, value]) => value !== undefined)) as Partial<RoomPermissions>);

@ApiTags('rooms')
@UserApi()
@Controller('rooms')
export class RoomsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' } })
  @ApiCreatedResponse({ type: CreatedRoomResponse, description: 'Created (or the same answer again for a retried Idempotency-Key)' })
  @ApiOkResponse({ type: CreatedRoomResponse, description: 'The room existed already' })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  async create(
    @Body() body: CreateRoomDto,
    @Caller() caller: CommandContext,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedRoom> {
    const room = await this.commands.execute(
      new CreateRoomCommand(
        {
          kind: 'group',
          name: body.name,
          participants: body.participants,
          topic: body.topic ?? null,
          avatarUrl: body.avatarUrl ?? null,
          permissions: givenPermissions(body.permissions),
          historyVisibility: body.historyVisibility,
          idempotencyKey,
          applicationName: body.applicationName,
          ...(body.properties !== undefined ? { properties: body.properties } : {}),
        },
        caller,
      ),
    );
    void reply.status(room.created || idempotencyKey ? 201 : 200);
    return room;
  }

  @Post('direct')
  @ApiCreatedResponse({ type: CreatedRoomResponse, description: 'Created' })
  @ApiOkResponse({ type: CreatedRoomResponse, description: 'The direct room of the two existed already' })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  async direct(
    @Body() body: DirectRoomDto,
    @Caller() caller: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedRoom> {
    const room = await this.commands.execute(new CreateRoomCommand({ kind: 'direct', userId: body.userId.toLowerCase() }, caller));
    void reply.status(room.created ? 201 : 200);
    return room;
  }

  @Get()
  @ReadModelQuery(membershipsProjection, roomsProjection)

  @ApiOkResponse({ type: MyRoomPageResponse })
  list(@Query() query: ListRoomsQueryDto, @Caller() caller: CommandContext): Promise<Page<MyRoomView>> {
    return this.queries.execute(new ListMyRoomsQuery(caller.actor, query.cursor, query.limit ?? 20));
  }

  @Get(':roomId')
  @ReadModelQuery(membershipsProjection, roomsProjection)

  @ApiOkResponse({ type: MyRoomResponse })
  @ApiErrors(403, 404)
  get(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<MyRoomView> {
    return this.queries.execute(new GetRoomQuery(caller.actor, roomId));
  }

  @Patch(':roomId')
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  update(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Body() body: UpdateRoomDto,
    @Caller() caller: CommandContext,
  ): Promise<RoomCommandResult> {
    return this.commands.execute(
      new ExecuteRoomCommand(
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
          now: now(),
        },
        caller,
      ),
    );
  }

  @Get(':roomId/members')
  @ReadModelQuery(membershipsProjection, usersProjection, presenceProjection, contactsProjection)

  @ApiOkResponse({ type: [MemberResponse] })
  @ApiErrors(403, 404)
  members(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<MemberView[]> {
    return this.queries.execute(new ListMembersQuery(caller.actor, roomId));
  }

  @Post(':roomId/members')
  @HttpCode(200)
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  addMembers(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Body() body: AddMembersDto,
    @Caller() caller: CommandContext,
  ): Promise<RoomCommandResult> {
    return this.commands.execute(
      new ExecuteRoomCommand(
        roomId,
        { type: 'AddMembers', actor: caller.actor, userIds: body.userIds.map((id) => id.toLowerCase()), now: now() },
        caller,
      ),
    );
  }

  @Delete(':roomId/members/:userId')
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(400, 403, 404, 409)
  removeMember(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('userId', UuidParamPipe) userId: string,
    @Caller() caller: CommandContext,
  ): Promise<RoomCommandResult> {
    return this.commands.execute(
      new ExecuteRoomCommand(roomId, { type: 'RemoveMember', actor: caller.actor, userId, now: now() }, caller),
    );
  }

  @Patch(':roomId/members/:userId')
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  changeMember(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('userId', UuidParamPipe) userId: string,
    @Body() body: ChangeMemberDto,
    @Caller() caller: CommandContext,
  ): Promise<RoomCommandResult> {
    return this.commands.execute(
      new ExecuteRoomCommand(
        roomId,
        {
          type: 'ChangeMember',
          actor: caller.actor,
          userId,
          role: body.role as RoomRole | undefined,
          muted: body.muted,
          voice: body.voice,
          now: now(),
        },
        caller,
      ),
    );
  }

  /** Invites users: they become members when they accept (POST …/invitation/accept). */
  @Post(':roomId/invitations')
  @HttpCode(200)
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  invite(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Body() body: InviteMembersDto,
    @Caller() caller: CommandContext,
  ): Promise<RoomCommandResult> {
    return this.commands.execute(
      new ExecuteRoomCommand(
        roomId,
        { type: 'InviteMembers', actor: caller.actor, userIds: body.userIds.map((id) => id.toLowerCase()), now: now() },
        caller,
      ),
    );
  }

  @Post(':roomId/invitation/accept')
  @HttpCode(200)
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(400, 403, 404, 409, 503, 507)
  accept(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<RoomCommandResult> {
    return this.commands.execute(new ExecuteRoomCommand(roomId, { type: 'AcceptInvitation', actor: caller.actor, now: now() }, caller));
  }

  @Post(':roomId/invitation/decline')
  @HttpCode(200)
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(400, 403, 404, 409, 503, 507)
  decline(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<RoomCommandResult> {
    return this.commands.execute(new ExecuteRoomCommand(roomId, { type: 'DeclineInvitation', actor: caller.actor, now: now() }, caller));
  }

  /** Deletes the room (its owner or its application): it stays as read-only history. */
  @Delete(':roomId')
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(400, 403, 404, 409, 503, 507)
  close(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<RoomCommandResult> {
    return this.commands.execute(new ExecuteRoomCommand(roomId, { type: 'CloseRoom', actor: caller.actor, now: now() }, caller));
  }

  /** Everyone ever invited or joined, with their state (invited, joined, left), its times and who invited. */
  @Get(':roomId/member-states')
  @ReadModelQuery(roomsProjection, membershipsProjection)
  @ApiOkResponse({ type: MemberStateListResponse })
  @ApiErrors(400, 404)
  memberStates(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<{ readonly items: readonly MemberStateView[] }> {
    return this.queries.execute(new RoomMemberStatesQuery(caller.actor, roomId));
  }

  @Post(':roomId/leave')
  @HttpCode(200)
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(400, 403, 404, 409)
  leave(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<RoomCommandResult> {
    return this.commands.execute(new ExecuteRoomCommand(roomId, { type: 'LeaveRoom', actor: caller.actor, now: now() }, caller));
  }
}

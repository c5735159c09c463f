import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RoomRole } from '../../../libs/domain/events';
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
import { contactsProjection, membershipsProjection, presenceProjection, roomsProjection, usersProjection } from '../../../projections';

const now = () => new Date().toISOString();

@ApiTags('rooms')
@ApiBearerAuth()
@Controller('rooms')
export class RoomsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
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
          permissions: body.permissions,
          historyVisibility: body.historyVisibility,
          idempotencyKey,
        },
        caller,
      ),
    );
    void reply.status(room.created || idempotencyKey ? 201 : 200);
    return room;
  }

  @Post('direct')
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
  list(@Query() query: ListRoomsQueryDto, @Caller() caller: CommandContext): Promise<Page<MyRoomView>> {
    return this.queries.execute(new ListMyRoomsQuery(caller.actor, query.cursor, query.limit ?? 20));
  }

  @Get(':roomId')
  @ReadModelQuery(membershipsProjection, roomsProjection)
  get(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<MyRoomView> {
    return this.queries.execute(new GetRoomQuery(caller.actor, roomId));
  }

  @Patch(':roomId')
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
          permissions: body.permissions,
          historyVisibility: body.historyVisibility,
          now: now(),
        },
        caller,
      ),
    );
  }

  @Get(':roomId/members')
  @ReadModelQuery(membershipsProjection, usersProjection, presenceProjection, contactsProjection)
  members(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<MemberView[]> {
    return this.queries.execute(new ListMembersQuery(caller.actor, roomId));
  }

  @Post(':roomId/members')
  @HttpCode(200)
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
          now: now(),
        },
        caller,
      ),
    );
  }

  @Post(':roomId/leave')
  @HttpCode(200)
  leave(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<RoomCommandResult> {
    return this.commands.execute(new ExecuteRoomCommand(roomId, { type: 'LeaveRoom', actor: caller.actor, now: now() }, caller));
  }
}

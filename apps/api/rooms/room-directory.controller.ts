import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { membershipsProjection, roomsProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, UserApi, UUID, WHOLE } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ExecuteRoomCommand, type RoomCommandResult } from './room-command.command';
import { ListRoomDirectoryQuery, type DirectoryRoomView } from './room-directory';
import { ListRoomsQueryDto } from './rooms.dto';
import type { Page } from './rooms.queries';
import { RoomCommandResponse } from './rooms.responses';

class DirectoryRoomResponse implements DirectoryRoomView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) topic!: string | null;
  @ApiProperty({ type: String, nullable: true }) avatarUrl!: string | null;
  @ApiProperty(WHOLE) memberCount!: number;
  @ApiProperty({ description: 'The caller is a member already' }) member!: boolean;
  @ApiProperty({ description: 'The caller may join by themselves (POST /v1/rooms/:roomId/join); false where only operators add members' }) joinable!: boolean;
}

class DirectoryPageResponse implements Page<DirectoryRoomView> {
  @ApiProperty({ type: [DirectoryRoomResponse] }) items!: DirectoryRoomResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/**
 * The room directory: the organisation's group chats a signed-in user may
 * discover without being a member, by name, and joining one where its
 * members may add members. A room with listing disabled (Trillian's
 * DISABLE_LIST) or deleted is neither listed nor joinable.
 */
@ApiTags('rooms')
@UserApi()
@Controller('rooms')
export class RoomDirectoryController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('directory')
  @ReadModelQuery(roomsProjection, membershipsProjection)
  @ApiOperation({ summary: 'The room directory: listed group chats of the organisation, by name' })
  @ApiOkResponse({ type: DirectoryPageResponse })
  @ApiErrors(400)
  directory(@Query() query: ListRoomsQueryDto, @Caller() caller: CommandContext): Promise<Page<DirectoryRoomView>> {
    return this.queries.execute(new ListRoomDirectoryQuery(caller.actor, query.cursor, query.limit ?? 20));
  }

  @Post(':roomId/join')
  @HttpCode(200)
  @ApiOperation({ summary: 'Join a room of the directory (written 0 when already a member)' })
  @ApiOkResponse({ type: RoomCommandResponse })
  @ApiErrors(400, 403, 404, 409, 503, 507)
  join(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<RoomCommandResult> {
    return this.commands.execute(new ExecuteRoomCommand(roomId, { type: 'JoinRoom', actor: caller.actor, now: new Date().toISOString() }, caller));
  }
}

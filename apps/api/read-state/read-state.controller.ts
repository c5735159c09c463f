import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { ClearHistoryResultResponse, ReadResultResponse, ReceiptsResponse } from '../comments/comments.responses';
import { RoomReceiptsQuery, type ReceiptsView } from './receipts.query';
import { ClearHistoryCommand, type ClearHistoryResult } from './clear-history.command';
import { UnreadResponse } from '../rooms/rooms.responses';
import { validationError } from '../../../libs/domain/errors';
import { Caller } from '../auth/auth.decorators';
import { MarkReadDto } from '../comments/comments.dto';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { UnreadQuery, type UnreadView } from '../rooms/rooms.queries';
import { MarkReadCommand, type ReadResult } from './mark-read.command';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { membershipsProjection, usersProjection } from '../../../projections';

@ApiTags('read state')
@UserApi()
@Controller()
export class ReadStateController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('rooms/:roomId/read')
  @HttpCode(200)
  @ApiOkResponse({ type: ReadResultResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  mark(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Body() body: MarkReadDto,
    @Caller() caller: CommandContext,
  ): Promise<ReadResult> {
    if (body.unread !== undefined && body.seq !== undefined) {
      throw validationError('READ.AMBIGUOUS', 'Send either seq or unread, not both', [
        { field: 'seq', reason: 'must be absent when unread is given' },
      ]);
    }
    const mark = body.unread ? ({ unread: true } as const) : { seq: body.seq! };
    return this.commands.execute(new MarkReadCommand(roomId, mark, caller));
  }

  @Post('rooms/:roomId/history/clear')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Clears the room's history for the caller alone, up to its last comment: those comments no longer show to them (comments, rooms' last comment) and count as read; the other members keep them, and the log keeps everything.",
  })
  @ApiOkResponse({ type: ClearHistoryResultResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  clearHistory(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<ClearHistoryResult> {
    return this.commands.execute(new ClearHistoryCommand(roomId, caller));
  }

  @Get('rooms/:roomId/receipts')
  @ReadModelQuery(membershipsProjection, usersProjection)
  @ApiOperation({
    summary:
      "How far the room's other members read. Reciprocal (privacy read_receipts): a caller who hides theirs sees none; a member who hides theirs is not listed.",
  })
  @ApiOkResponse({ type: ReceiptsResponse })
  @ApiErrors(400, 404)
  receipts(@Param('roomId', UuidParamPipe) roomId: string, @Caller() caller: CommandContext): Promise<ReceiptsView> {
    return this.queries.execute(new RoomReceiptsQuery(caller.actor, roomId));
  }

  @Get('me/unread')
  @ReadModelQuery(membershipsProjection)

  @ApiOkResponse({ type: UnreadResponse })
  unread(@Caller() caller: CommandContext): Promise<UnreadView> {
    return this.queries.execute(new UnreadQuery(caller.actor));
  }
}

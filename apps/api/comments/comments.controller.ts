import { Body, Controller, Delete, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { CommentResponse, DeletedCommentResponse, TimelineItemResponse, TimelinePageResponse } from './comments.responses';
import { Caller, CurrentUser, type AuthenticatedUser } from '../auth/auth.decorators';
import { IdempotencyKey } from '../common/idempotency-key';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { CommentView } from './comment-views';
import { ListCommentsQueryDto, PostCommentDto } from './comments.dto';
import { GetCommentQuery, ListCommentsQuery, type TimelineItemWithSender, type TimelinePage } from './comments.queries';
import { DeleteCommentCommand, type DeletedComment } from './delete-comment.command';
import { PostCommentCommand } from './post-comment.command';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { membershipsProjection, roomsProjection, sessionsProjection, timelineProjection, usersProjection } from '../../../projections';
import { CommentSizeGuard } from './comment-size.guard';

@ApiTags('comments')
@UserApi()
@Controller('rooms/:roomId/comments')
export class CommentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @UseGuards(CommentSizeGuard)
  @ApiHeader({ name: 'Idempotency-Key', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' } })
  @ApiCreatedResponse({ type: CommentResponse, description: 'Posted (a retry with the same clientId or Idempotency-Key answers the same)' })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  post(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Body() body: PostCommentDto,
    @Caller() caller: CommandContext,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommentView> {
    return this.commands.execute(
      new PostCommentCommand(
        roomId,
        body.text ?? '',
        body.type ?? 'text',
        body.payload ?? null,
        body.replyTo?.toLowerCase() ?? null,
        body.clientId ?? null,
        idempotencyKey ?? null,
        caller,
        body.attachments?.map((id) => id.toLowerCase()) ?? [],
      ),
    );
  }

  @Get()
  @ReadModelQuery(membershipsProjection, timelineProjection, usersProjection, sessionsProjection)

  @ApiOkResponse({ type: TimelinePageResponse })
  @ApiErrors(403, 404)
  list(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Query() query: ListCommentsQueryDto,
    @Caller() caller: CommandContext,
    @CurrentUser() user: AuthenticatedUser | undefined,
  ): Promise<TimelinePage> {
    return this.queries.execute(
      new ListCommentsQuery(caller.actor, roomId, {
        before: query.before,
        after: query.after,
        since: query.since,
        until: query.until,
        limit: query.limit ?? 20,
      }, user?.familyId ?? null),
    );
  }

  @Get(':commentId')
  @ReadModelQuery(membershipsProjection, timelineProjection, usersProjection, roomsProjection)
  @ApiOkResponse({ type: TimelineItemResponse })
  @ApiErrors(400, 403, 404)
  get(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('commentId', UuidParamPipe) commentId: string,
    @Caller() caller: CommandContext,
  ): Promise<TimelineItemWithSender> {
    return this.queries.execute(new GetCommentQuery(caller.actor, roomId, commentId));
  }

  @Delete(':commentId')
  @ApiOkResponse({ type: DeletedCommentResponse })
  @ApiErrors(400, 403, 404, 409)
  delete(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('commentId', UuidParamPipe) commentId: string,
    @Caller() caller: CommandContext,
  ): Promise<DeletedComment> {
    return this.commands.execute(new DeleteCommentCommand(roomId, commentId, caller));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { notFound, validationError } from '../../../../libs/domain/errors';
import { historyWeeksProjection, membershipsProjection, roomsProjection, timelineProjection, usersProjection } from '../../../../projections';
import { AdminCaller } from '../../admin/api-key.guard';
import { GetAdminUserQuery, type AdminUserView } from '../../admin/admin-users.queries';
import type { TimelinePage } from '../../comments/comments.queries';
import type { CommentView } from '../../comments/comment-views';
import { DeleteHistoryCommand } from '../../comments/delete-history.command';
import { HistoryWeekQuery, ListHistoryWeeksQuery, type HistoryWeeksView } from '../../comments/history.queries';
import { PostCommentCommand } from '../../comments/post-comment.command';
import { ApiEmptyResponse } from '../../common/openapi';
import { ReadModelQuery } from '../../common/min-position.interceptor';
import { ListUserConversationsQuery, type AdminConversationView } from '../../rooms/admin-conversations';
import { CreateRoomCommand, type CreatedRoom } from '../../rooms/create-room.command';
import { RoomDocumentsQuery } from '../../rooms/room-lookups.queries';
import type { Page } from '../../rooms/rooms.queries';
import { TrillianAlsoNeeds, TrillianToken } from './trillian-auth.guard';
import { messageNode, weekDeletion, weekMessagesNode, weeksNode, whole } from './trillian-history';
import { TrillianMessageDto } from './trillian.dto';
import { TRILLIAN_ERRORS, TrillianAnswer } from './trillian.openapi';
import { answer, userIdOf, type WireNode } from './trillian-wire';

/** A user's conversation is a direct room: its id without dashes (the room id itself is taken too). */
const conversationOf = (roomId: string) => roomId.replace(/-/g, '');
const CONVERSATION = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/;
const noConversation = () => notFound('HISTORY.CONVERSATION_NOT_FOUND', 'No such conversation of this user');

const usersPath = (userId: string) => `users/${encodeURIComponent(userId)}/messages`;

/**
 * Trillian's user messages (`/trillian/v1/users/:user/messages`) over
 * Parley's direct rooms: a user's conversations are the direct rooms they are
 * in, each browsed by ISO week as a group chat's history is; sending opens
 * the direct room of `from` and the user and posts as `from`. Tokens with
 * `admin:rooms` (and `act:users` to send as a user).
 */
@ApiTags('compat: trillian')
@TrillianToken('admin:rooms')
@ApiProduces('application/xml', 'application/json')
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@Controller('trillian/v1/users/:user/messages')
export class TrillianUserMessagesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ReadModelQuery(membershipsProjection, roomsProjection, usersProjection, historyWeeksProjection)
  @ApiOperation({ summary: 'Get all message weeks from a user', description: 'One <messages> per direct conversation of the user (name: the other party), most recent first.' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @TrillianAnswer(200, 'conversations', 400, 404)
  async weeks(@Param('user') user: string, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = userIdOf(user, 'user');
    const conversations: AdminConversationView[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<AdminConversationView> = await this.queries.execute(new ListUserConversationsQuery(userId, cursor, 100));
      conversations.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const nodes: WireNode[] = [];
    for (const conversation of conversations) {
      const view: HistoryWeeksView = await this.queries.execute(new ListHistoryWeeksQuery(caller.actor, conversation.roomId, true));
      const id = conversationOf(conversation.roomId);
      nodes.push(weeksNode(request, view, id, conversation.withUserId, `${usersPath(userId)}/${id}`));
    }
    return answer(request, reply, 200, { messages: nodes });
  }

  @Post()
  @HttpCode(200)
  @TrillianAlsoNeeds('act:users')
  @ApiOperation({ summary: 'Send a message to a user (the token also holds act:users; from names the sender)' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiBody({ type: TrillianMessageDto })
  @TrillianAnswer(200, 'message', ...TRILLIAN_ERRORS, 403, 404)
  async send(@Param('user') user: string, @Body() body: TrillianMessageDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = userIdOf(user, 'user');
    const missing = (['from', 'message'] as const).filter((field) => body[field] === undefined || body[field] === '');
    if (missing.length > 0) throw validationError('REQUEST.VALIDATION_FAILED', `${missing.join(' and ')} required`, missing.map((field) => ({ field, reason: 'is required' })));
    const from = userIdOf(body.from!, 'from');
    const sender: AdminUserView = await this.queries.execute(new GetAdminUserQuery(from));
    if (sender.status !== 'active') throw notFound('USER.NOT_FOUND', 'from names no active user');
    const asSender: CommandContext = { ...caller, actor: from, actingKey: caller.actor };
    const room: CreatedRoom = await this.commands.execute(new CreateRoomCommand({ kind: 'direct', userId }, asSender));
    const posted: CommentView = await this.commands.execute(new PostCommentCommand(room.id, body.message!, 'text', null, null, null, null, asSender));
    return answer(request, reply, 200, { message: messageNode({ createdAt: posted.createdAt, senderId: posted.senderId, text: posted.text }) });
  }

  @Get(':conversation/:year/:week')
  @ReadModelQuery(membershipsProjection, roomsProjection, timelineProjection, usersProjection)
  @ApiOperation({ summary: 'Get messages from a user by week' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiParam({ name: 'conversation', schema: { type: 'string' } })
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: 1970, maximum: 9999 } })
  @ApiParam({ name: 'week', schema: { type: 'integer', minimum: 1, maximum: 53 } })
  @TrillianAnswer(200, 'week', 400, 404)
  async week(
    @Param('user') user: string,
    @Param('conversation') conversation: string,
    @Param('year') year: string,
    @Param('week') week: string,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const roomId = await this.conversationRoom(userIdOf(user, 'user'), conversation);
    const page: TimelinePage = await this.queries.execute(new HistoryWeekQuery(caller.actor, roomId, whole(year, 'year'), whole(week, 'week'), null, true));
    return answer(request, reply, 200, { messages: weekMessagesNode(page) });
  }

  @Delete(':conversation/:year/:week')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one or more messages (block) or all of a week from a user' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiParam({ name: 'conversation', schema: { type: 'string' } })
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: 1970, maximum: 9999 } })
  @ApiParam({ name: 'week', schema: { type: 'integer', minimum: 1, maximum: 53 } })
  @ApiQuery({ name: 'block', required: false, description: 'Base64 of the comment ids to delete (commas or new lines between them); without it, the whole week', schema: { type: 'string' } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 403, 404)
  async deleteWeek(
    @Param('user') user: string,
    @Param('conversation') conversation: string,
    @Param('year') year: string,
    @Param('week') week: string,
    @Query('block') block: string | undefined,
    @Body() body: { block?: unknown } | undefined,
    @AdminCaller() caller: CommandContext,
  ): Promise<void> {
    const roomId = await this.conversationRoom(userIdOf(user, 'user'), conversation);
    const target = weekDeletion(block, body, year, week);
    await this.commands.execute(new DeleteHistoryCommand(roomId, target, caller, true));
  }

  @Delete(':conversation')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete all messages from a user' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiParam({ name: 'conversation', schema: { type: 'string' } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 403, 404)
  async deleteAll(@Param('user') user: string, @Param('conversation') conversation: string, @AdminCaller() caller: CommandContext): Promise<void> {
    const roomId = await this.conversationRoom(userIdOf(user, 'user'), conversation);
    await this.commands.execute(new DeleteHistoryCommand(roomId, { scope: 'all' }, caller, true));
  }

  /** The direct room a conversation names, when the user is in it; 404 otherwise (another user's conversation, a group chat). */
  private async conversationRoom(userId: string, conversation: string): Promise<string> {
    const parts = CONVERSATION.exec(conversation.toLowerCase());
    if (!parts) throw noConversation();
    const roomId = parts.slice(1).join('-');
    const { room, membership } = await this.queries.execute(new RoomDocumentsQuery(roomId, userId));
    if (!room || room['kind'] !== 'direct' || membership?.['active'] !== true) throw noConversation();
    return roomId;
  }
}

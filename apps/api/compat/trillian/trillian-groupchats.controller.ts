import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { notFound, validationError } from '../../../../libs/domain/errors';
import { AdminCaller } from '../../admin/api-key.guard';
import { ApiEmptyResponse } from '../../common/openapi';
import { DeleteHistoryCommand } from '../../comments/delete-history.command';
import { HistoryWeekQuery, ListHistoryWeeksQuery, type HistoryWeeksView } from '../../comments/history.queries';
import type { TimelinePage } from '../../comments/comments.queries';
import { PostCommentCommand } from '../../comments/post-comment.command';
import type { CommentView } from '../../comments/comment-views';
import { AdministerRoomCommand, CreateAdministeredRoomCommand, GetAdminRoomQuery, ListAdminRoomsQuery, type AdminRoomView } from '../../rooms/admin-rooms';
import type { Page } from '../../rooms/rooms.queries';
import { TrillianAlsoNeeds, TrillianToken } from './trillian-auth.guard';
import { flagsOf, memberFlagsOf, parseFlags, settingsOf } from './trillian-flags';
import { TrillianGroupchatDto, TrillianMessageDto } from './trillian.dto';
import { TRILLIAN_ERRORS, TrillianAnswer } from './trillian.openapi';
import { answer, href, userIdOf, type WireNode } from './trillian-wire';
import { messageNode, weekDeletion, weekMessagesNode, weeksNode, whole } from './trillian-history';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const now = () => new Date().toISOString();

/** A group chat's Trillian name, `#<room id>@<host>`; the room id alone is taken too. */
export function roomIdOf(name: string, field = 'groupchat'): string {
  const id = name.replace(/^#/, '').replace(/@.*$/, '').toLowerCase();
  if (!UUID.test(id)) throw validationError('REQUEST.VALIDATION_FAILED', `${field} must name a group chat`, [{ field, reason: 'must be #<room id>@<domain> or a room id' }]);
  return id;
}
/** A conversation is the room's history: its id without dashes (the room id itself is taken too). */
const conversationOf = (roomId: string) => roomId.replace(/-/g, '');
function requireConversation(roomId: string, conversation: string): void {
  if (conversation.replace(/-/g, '').toLowerCase() !== conversationOf(roomId)) throw notFound('HISTORY.CONVERSATION_NOT_FOUND', 'No such conversation in this group chat');
}
function switchOf(value: string | undefined, field: string): boolean {
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw validationError('REQUEST.VALIDATION_FAILED', `${field} must be 0 or 1`, [{ field, reason: 'must be 0 or 1' }]);
}

function groupchatNode(request: FastifyRequest, room: AdminRoomView, members: boolean): WireNode {
  const base = `groupchats/${encodeURIComponent(`#${room.id}@${request.hostname}`)}/`;
  const memberLink = { '@_href': href(request, `${base}members/`) };
  return {
    '@_name': `#${room.id}@${request.hostname}`,
    displayname: room.name,
    flags: flagsOf(room),
    groups: { '@_href': href(request, `${base}groups/`) },
    media: { '@_href': href(request, `${base}media/`) },
    members: members && room.members !== null && room.members.length > 0 ? { ...memberLink, member: room.members.map(memberNode) } : memberLink,
    messageTimestamp: 0,
    messages: { '@_href': href(request, `${base}messages/`) },
    topic: room.topic ?? '',
  };
}
const memberNode = (member: NonNullable<AdminRoomView['members']>[number]): WireNode => ({ '@_name': member.userId, flags: memberFlagsOf(member) });

/**
 * Trillian's group chats (`/trillian/v1/groupchats`) over Parley's rooms run by
 * administrators: tokens with `admin:rooms` (and `act:users` to send as a
 * user), flags as Trillian's bitmasks, history by ISO week, deleting blocks.
 */
@ApiTags('compat: trillian')
@TrillianToken('admin:rooms')
@ApiProduces('application/xml', 'application/json')
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@Controller('trillian/v1/groupchats')
export class TrillianGroupchatsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Get all group chats' })
  @ApiQuery({ name: 'groups', required: false, schema: { type: 'string', enum: ['0', '1'] } })
  @ApiQuery({ name: 'members', required: false, schema: { type: 'string', enum: ['0', '1'] } })
  @TrillianAnswer(200, 'groupchats', 400)
  async list(@Query('members') members: string | undefined, @Query('groups') groups: string | undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const withMembers = switchOf(members, 'members');
    switchOf(groups, 'groups');
    const rooms: AdminRoomView[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<AdminRoomView> = await this.queries.execute(new ListAdminRoomsQuery({ withMembers, withDeleted: false, cursor, limit: 100 }));
      rooms.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return answer(request, reply, 200, { groupchat: rooms.map((room) => groupchatNode(request, room, withMembers)) });
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a group chat' })
  @ApiBody({ type: TrillianGroupchatDto })
  @TrillianAnswer(201, 'groupchat', ...TRILLIAN_ERRORS)
  async create(@Body() body: TrillianGroupchatDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (body.displayname === undefined) throw validationError('REQUEST.VALIDATION_FAILED', 'displayname is required', [{ field: 'displayname', reason: 'is required' }]);
    const settings = settingsOf(parseFlags(body.flags ?? '0'));
    if (settings.deleted) throw validationError('TRILLIAN.FLAGS_UNKNOWN', 'A new group chat is not deleted', [{ field: 'flags', reason: 'GROUPCHAT_DELETED is not for a new group chat' }]);
    const { room } = await this.commands.execute(
      new CreateAdministeredRoomCommand(
        { kind: 'group', name: body.displayname, participants: [], topic: body.topic ?? null, avatarUrl: null, permissions: settings.permissions, unlisted: settings.unlisted },
        caller,
      ),
    );
    return answer(request, reply, 201, { groupchat: groupchatNode(request, room, false) });
  }

  @Get(':groupchat')
  @ApiOperation({ summary: 'Get a single group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiQuery({ name: 'groups', required: false, schema: { type: 'string', enum: ['0', '1'] } })
  @ApiQuery({ name: 'members', required: false, schema: { type: 'string', enum: ['0', '1'] } })
  @TrillianAnswer(200, 'groupchat', 400, 404)
  async get(@Param('groupchat') name: string, @Query('members') members: string | undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const room: AdminRoomView = await this.queries.execute(new GetAdminRoomQuery(roomIdOf(name)));
    return answer(request, reply, 200, { groupchat: groupchatNode(request, room, switchOf(members, 'members')) });
  }

  @Patch(':groupchat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiBody({ type: TrillianGroupchatDto })
  @TrillianAnswer(200, 'groupchat', ...TRILLIAN_ERRORS, 404)
  patch(@Param('groupchat') name: string, @Body() body: TrillianGroupchatDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.update(name, body, caller, request, reply);
  }

  @Post(':groupchat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a group chat (POST, where PATCH is unavailable)' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiBody({ type: TrillianGroupchatDto })
  @TrillianAnswer(200, 'groupchat', ...TRILLIAN_ERRORS, 404)
  async update(@Param('groupchat') name: string, @Body() body: TrillianGroupchatDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const roomId = roomIdOf(name);
    const settings = body.flags === undefined ? null : settingsOf(parseFlags(body.flags));
    const { room } = await this.commands.execute(
      new AdministerRoomCommand(
        roomId,
        {
          type: 'UpdateRoom',
          actor: caller.actor,
          name: body.displayname,
          topic: body.topic === undefined ? undefined : body.topic === '' ? null : body.topic,
          permissions: settings?.permissions,
          unlisted: settings?.unlisted,
          close: settings?.deleted === true ? true : undefined,
          now: now(),
        },
        caller,
      ),
    );
    return answer(request, reply, 200, { groupchat: groupchatNode(request, room, false) });
  }

  @Get(':groupchat/members')
  @ApiOperation({ summary: 'Get all members of a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @TrillianAnswer(200, 'members', 400, 404)
  async members(@Param('groupchat') name: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const room: AdminRoomView = await this.queries.execute(new GetAdminRoomQuery(roomIdOf(name)));
    const node = groupchatNode(request, room, true);
    return answer(request, reply, 200, { members: node['members'] as WireNode });
  }

  @Get(':groupchat/messages')
  @ApiOperation({ summary: 'Get all message weeks from a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @TrillianAnswer(200, 'weeks', 400, 404)
  async weeks(@Param('groupchat') name: string, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const roomId = roomIdOf(name);
    const view: HistoryWeeksView = await this.queries.execute(new ListHistoryWeeksQuery(caller.actor, roomId, true));
    const conversation = conversationOf(roomId);
    const base = `groupchats/${encodeURIComponent(`#${roomId}@${request.hostname}`)}/messages/${conversation}`;
    return answer(request, reply, 200, { messages: weeksNode(request, view, conversation, `#${roomId}@${request.hostname}`, base) });
  }

  @Post(':groupchat/messages')
  @HttpCode(200)
  @TrillianAlsoNeeds('act:users')
  @ApiOperation({ summary: 'Send a message to a group chat (the token also holds act:users; from names the sending member)' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiBody({ type: TrillianMessageDto })
  @TrillianAnswer(200, 'message', ...TRILLIAN_ERRORS, 404)
  async send(@Param('groupchat') name: string, @Body() body: TrillianMessageDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const missing = (['from', 'message'] as const).filter((field) => body[field] === undefined || body[field] === '');
    if (missing.length > 0) throw validationError('REQUEST.VALIDATION_FAILED', `${missing.join(' and ')} required`, missing.map((field) => ({ field, reason: 'is required' })));
    const from = userIdOf(body.from!, 'from');
    const posted: CommentView = await this.commands.execute(
      new PostCommentCommand(roomIdOf(name), body.message!, 'text', null, null, null, null, { ...caller, actor: from, actingKey: caller.actor }),
    );
    return answer(request, reply, 200, { message: messageNode({ createdAt: posted.createdAt, senderId: posted.senderId, text: posted.text }) });
  }

  @Get(':groupchat/messages/:conversation/:year/:week')
  @ApiOperation({ summary: 'Get messages from a group chat by week' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'conversation', schema: { type: 'string' } })
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: 1970, maximum: 9999 } })
  @ApiParam({ name: 'week', schema: { type: 'integer', minimum: 1, maximum: 53 } })
  @TrillianAnswer(200, 'week', 400, 404)
  async week(
    @Param('groupchat') name: string,
    @Param('conversation') conversation: string,
    @Param('year') year: string,
    @Param('week') week: string,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const roomId = roomIdOf(name);
    requireConversation(roomId, conversation);
    const page: TimelinePage = await this.queries.execute(new HistoryWeekQuery(caller.actor, roomId, whole(year, 'year'), whole(week, 'week'), null, true));
    return answer(request, reply, 200, { messages: weekMessagesNode(page) });
  }

  @Delete(':groupchat/messages/:conversation/:year/:week')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one or more messages (block) or all of a week from a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'conversation', schema: { type: 'string' } })
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: 1970, maximum: 9999 } })
  @ApiParam({ name: 'week', schema: { type: 'integer', minimum: 1, maximum: 53 } })
  @ApiQuery({ name: 'block', required: false, description: 'Base64 of the comment ids to delete (commas or new lines between them); without it, the whole week', schema: { type: 'string' } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 403, 404)
  async deleteWeek(
    @Param('groupchat') name: string,
    @Param('conversation') conversation: string,
    @Param('year') year: string,
    @Param('week') week: string,
    @Query('block') block: string | undefined,
    @Body() body: { block?: unknown } | undefined,
    @AdminCaller() caller: CommandContext,
  ): Promise<void> {
    const roomId = roomIdOf(name);
    requireConversation(roomId, conversation);
    const target = weekDeletion(block, body, year, week);
    await this.commands.execute(new DeleteHistoryCommand(roomId, target, caller, true));
  }

  @Delete(':groupchat/messages/:conversation')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete all messages from a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'conversation', schema: { type: 'string' } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 403, 404)
  async deleteAll(@Param('groupchat') name: string, @Param('conversation') conversation: string, @AdminCaller() caller: CommandContext): Promise<void> {
    const roomId = roomIdOf(name);
    requireConversation(roomId, conversation);
    await this.commands.execute(new DeleteHistoryCommand(roomId, { scope: 'all' }, caller, true));
  }

  @Post(':groupchat/:member')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a member to a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'member', schema: { type: 'string' } })
  @TrillianAnswer(201, 'member', ...TRILLIAN_ERRORS, 404)
  async addMember(@Param('groupchat') name: string, @Param('member') member: string, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = userIdOf(member);
    const { room } = await this.commands.execute(new AdministerRoomCommand(roomIdOf(name), { type: 'PutMember', actor: caller.actor, userId, now: now() }, caller));
    const added = (room as AdminRoomView).members?.find((m) => m.userId === userId);
    return answer(request, reply, 201, { member: added ? memberNode(added) : { '@_name': userId, flags: 0 } });
  }

  @Delete(':groupchat/:member')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a member from a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'member', schema: { type: 'string' } })
  @ApiEmptyResponse(204, 'Removed')
  @TrillianAnswer(null, null, 400, 403, 404, 409)
  async removeMember(@Param('groupchat') name: string, @Param('member') member: string, @AdminCaller() caller: CommandContext): Promise<void> {
    await this.commands.execute(new AdministerRoomCommand(roomIdOf(name), { type: 'RemoveMember', actor: caller.actor, userId: userIdOf(member), now: now() }, caller));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiExtension, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { notFound, validationError } from '../../../../libs/domain/errors';
import { RemoveApplicationUserCommand } from '../../applications/applications.commands';
import {
  GetApplicationRoomQuery,
  GetApplicationUserQuery,
  GetTimelineEventQuery,
  ListApplicationRoomsQuery,
  ListApplicationUsersQuery,
  ListTimelineEventsQuery,
  ListUserRoomsQuery,
  type ApplicationRoomView,
  type ApplicationUserView,
  type CursorPage,
  type MemberStateView,
  type TimelineEventView,
} from '../../applications/applications.queries';
import { applicationRoomId, applicationUserId } from '../../applications/application-users';
import type { ParleyRequest } from '../../auth/auth.decorators';
import { CreateRoomCommand, type CreatedRoom } from '../../rooms/create-room.command';
import { ExecuteRoomCommand } from '../../rooms/room-command.command';
import { ConversationCalls, type RoomDetail } from '../conversations-shared/conversation-calls';
import { applicationOf, contextOf, eventIdOf, idOf, required, str, type Json } from '../conversations-shared/conversation-request';
import { customDataOf, roomUpdate, type ConversationUser as VonageUserRef } from '../conversations-shared/conversation-shapes';
import { CONVERSATION_BODY, requestBody, SurfaceErrors, USER_BODY } from '../vonage/vonage.openapi';
import { CUSTOM_DATA, NEXMO_SCHEMAS, NexmoErrorDto, NexmoOperation, STRING } from './nexmo.openapi';
import {
  CONVERSATION_PREFIX,
  conversationHref,
  created,
  fromNexmoId,
  MEMBER_PREFIX,
  nexmoConversation,
  nexmoConversationSummary,
  nexmoEvent,
  nexmoMember,
  nexmoPage,
  nexmoUser,
  USER_PREFIX,
  userHref,
} from './nexmo-shapes';


const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;
/** `record_index` without a cursor is served by reading from the start: bounded so a page never reads more than this. */
const MAX_RECORD_INDEX = 1000;



function whole(query: Json, field: string, fallback: number, min: number, max: number): number {
  const raw = query[field];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validationError('REQUEST.VALIDATION_FAILED', `${field} must be a whole number from ${min} to ${max}`, [
      { field, reason: `must be a whole number from ${min} to ${max}` },
    ]);
  }
  return value;
}

interface Paging {
  readonly size: number;
  readonly recordIndex: number;
  /** Parley's own cursor, carried hex-encoded: the beta client looks for `USR-`/`CON-` in a next link, hex never holds them. */
  readonly cursor: string | undefined;
}

function paging(query: Json): Paging {
  const size = whole(query, 'page_size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const recordIndex = whole(query, 'record_index', 0, 0, Number.MAX_SAFE_INTEGER);
  const raw = query['cursor'];
  if (raw === undefined || raw === '') return { size, recordIndex, cursor: undefined };
  if (typeof raw !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(raw) || raw.length > 2000) {
    throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [{ field: 'cursor', reason: 'is malformed' }]);
  }
  return { size, recordIndex, cursor: Buffer.from(raw, 'hex').toString('utf8') };
}

const hex = (cursor: string) => Buffer.from(cursor, 'utf8').toString('hex');

/** Reading from the start to `record_index` (no cursor): bounded. */
function offsetLimit(paging: Paging): number {
  if (paging.recordIndex > MAX_RECORD_INDEX) {
    throw validationError('REQUEST.VALIDATION_FAILED', `record_index beyond ${MAX_RECORD_INDEX} needs the cursor of the page before`, [
      { field: 'record_index', reason: `must be at most ${MAX_RECORD_INDEX} without a cursor (follow _links.next)` },
    ]);
  }
  return paging.recordIndex + paging.size;
}

/**
 * The Nexmo Conversation beta (the seed, and the `nexmo@2.7.0-beta-1`
 * client) at its own paths: writes under `/beta`, reads under `/beta2` (and
 * `/beta`). The caller is an application (its RS256 token, checked by
 * AuthGuard); ids carry `CON-`/`USR-`/`MEM-` around Parley's UUIDs.
 */
@ApiTags('compat: nexmo beta')
@ApiBearerAuth()
@Controller()
export class NexmoController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly calls: ConversationCalls,
  ) {}

  // ---- users

  @NexmoOperation('/users', { status: 201, description: 'The user created: its id and where it lives', schema: NEXMO_SCHEMAS.createdUser, body: { ...USER_BODY, required: ['name'] } })
  @Post('beta/users')
  @HttpCode(201)
  async createUser(@Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    this.application(request);
    const name = required(body, 'name');
    const user = await this.calls.createUser(name, body, this.context(request));
    return created(`${USER_PREFIX}${user.id}`, userHref(this.base(request), user.id));
  }

  /** `display_name`, `image_url` and `properties.custom_data` change; `name` (the user's handle) stays. */
  @NexmoOperation('/users/:user_id', { status: 200, description: 'The user as it is now', schema: NEXMO_SCHEMAS.user, body: USER_BODY })
  @Put('beta/users/:user_id')
  async updateUser(@Param('user_id') userId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    return nexmoUser(this.base(request), await this.calls.updateUser(app, this.userIdOf(userId), body, this.context(request)));
  }

  /** The user is removed as Parley removes an account: its tokens (`sub`) stop working, its personal data is erased, rooms keep its messages. */
  @NexmoOperation('/users/:user_id', { status: 204, description: 'Deleted', schema: null, writes: true })
  @Delete('beta/users/:user_id')
  @HttpCode(204)
  async deleteUser(@Param('user_id') userId: string, @Req() request: ParleyRequest): Promise<void> {
    this.application(request);
    await this.commands.execute(new RemoveApplicationUserCommand(this.userIdOf(userId), this.context(request)));
  }

  @NexmoOperation('/users', { status: 200, description: 'A page of the application’s users', schema: NEXMO_SCHEMAS.users, query: ['page_size', 'record_index', 'cursor'] })
  @Get(['beta2/users', 'beta/users'])
  async listUsers(@Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const page = paging(query);
    const found: CursorPage<ApplicationUserView> = page.cursor
      ? await this.queries.execute(new ListApplicationUsersQuery(app, page.cursor, page.size))
      : await this.queries.execute(new ListApplicationUsersQuery(app, undefined, offsetLimit(page)));
    const items = page.cursor ? found.items : found.items.slice(page.recordIndex);
    const base = this.base(request);
    return nexmoPage(
      this.listHref(base, '/users', page, page.recordIndex, page.cursor),
      found.next ? this.listHref(base, '/users', page, page.recordIndex + items.length, found.next) : null,
      page.recordIndex,
      page.size,
      'users',
      items.map((user) => nexmoUser(base, user)),
    );
  }

  @NexmoOperation('/users/:user_id', { status: 200, description: 'The user', schema: NEXMO_SCHEMAS.user })
  @Get(['beta2/users/:user_id', 'beta/users/:user_id'])
  async getUser(@Param('user_id') userId: string, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const user: ApplicationUserView = await this.queries.execute(new GetApplicationUserQuery(app, this.userIdOf(userId)));
    return nexmoUser(this.base(request), user);
  }

  /** The conversations the user is a member of; the beta client pages them by the `USR-` id in the next link. */
  @NexmoOperation('/users/:user_id/conversations', { status: 200, description: 'A page of the conversations the user is a member of', schema: NEXMO_SCHEMAS.conversations, query: ['page_size', 'record_index', 'cursor'] })
  @Get(['beta2/users/:user_id/conversations', 'beta/users/:user_id/conversations'])
  async listUserConversations(@Param('user_id') userId: string, @Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const page = paging(query);
    const id = this.userIdOf(userId);
    const found: CursorPage<ApplicationRoomView> = page.cursor
      ? await this.queries.execute(new ListUserRoomsQuery(app, id, page.cursor, page.size))
      : await this.queries.execute(new ListUserRoomsQuery(app, id, undefined, offsetLimit(page)));
    const items = page.cursor ? found.items : found.items.slice(page.recordIndex);
    const base = this.base(request);
    const path = `/users/${userId}/conversations`;
    return nexmoPage(
      this.listHref(base, path, page, page.recordIndex, page.cursor),
      found.next ? this.listHref(base, path, page, page.recordIndex + items.length, found.next) : null,
      page.recordIndex,
      page.size,
      'conversations',
      items.filter((room) => !room.closed).map((room) => nexmoConversationSummary(base, room)),
    );
  }

  // ---- conversations

  @NexmoOperation('/conversations', { status: 201, description: 'The conversation created: its id and where it lives', schema: NEXMO_SCHEMAS.createdConversation, body: CONVERSATION_BODY })
  @Post('beta/conversations')
  @HttpCode(201)
  async createConversation(@Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    this.application(request);
    const handle = required(body, 'name');
    const properties = customDataOf(body);
    const room: CreatedRoom = await this.commands.execute(
      new CreateRoomCommand(
        { kind: 'group', name: str(body, 'display_name') ?? handle, applicationName: handle, participants: [], topic: null, avatarUrl: null, ...(properties ? { properties } : {}) },
        this.context(request),
      ),
    );
    return created(`${CONVERSATION_PREFIX}${room.id}`, conversationHref(this.base(request), room.id));
  }

  /** The seed's query: all the application's conversations, or the one of a `name`. */
  @NexmoOperation('/conversations', { status: 200, description: 'A page of the application’s conversations, or the one of a name', schema: NEXMO_SCHEMAS.conversations, query: ['name', 'page_size', 'record_index', 'cursor'] })
  @Get(['beta2/conversations', 'beta/conversations'])
  async listConversations(@Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const page = paging(query);
    const base = this.base(request);
    const name = str(query, 'name');
    if (name !== undefined) {
      const room = await this.queries.execute(new GetApplicationRoomQuery(app, applicationRoomId(app, name))).catch(() => null);
      const items = room && !room.closed && page.recordIndex === 0 ? [nexmoConversationSummary(base, room)] : [];
      return nexmoPage(this.listHref(base, '/conversations', page, page.recordIndex, undefined, { name }), null, page.recordIndex, page.size, 'conversations', items);
    }
    const found: CursorPage<ApplicationRoomView> = page.cursor
      ? await this.queries.execute(new ListApplicationRoomsQuery(app, page.cursor, page.size))
      : await this.queries.execute(new ListApplicationRoomsQuery(app, undefined, offsetLimit(page)));
    const items = page.cursor ? found.items : found.items.slice(page.recordIndex);
    return nexmoPage(
      this.listHref(base, '/conversations', page, page.recordIndex, page.cursor),
      found.next ? this.listHref(base, '/conversations', page, page.recordIndex + items.length, found.next) : null,
      page.recordIndex,
      page.size,
      'conversations',
      // Deleted conversations are history for Parley's own API, gone for the beta's.
      items.filter((room) => !room.closed).map((room) => nexmoConversationSummary(base, room)),
    );
  }

  @NexmoOperation('/conversations/:conversation_id', { status: 200, description: 'The conversation with its members', schema: NEXMO_SCHEMAS.conversation })
  @Get(['beta/conversations/:conversation_id', 'beta2/conversations/:conversation_id'])
  async getConversation(@Param('conversation_id') conversationId: string, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const users = await this.users(request, room.memberStates.map((m) => m.userId));
    const last: { items: readonly TimelineEventView[] } = await this.queries.execute(
      new ListTimelineEventsQuery(this.context(request).actor, room.id, 0, 1, 'desc'),
    );
    return nexmoConversation(
      this.base(request),
      room,
      room.memberStates.map((member) => ({ member, user: users.get(member.userId)! })),
      last.items[0]?.eventId ?? 0,
    );
  }

  /** `display_name` renames the room, `properties.custom_data` replaces the application's data on it. */
  @NexmoOperation('/conversations/:conversation_id', { status: 200, description: 'The conversation as it is now', schema: NEXMO_SCHEMAS.conversation, body: CONVERSATION_BODY })
  @Put('beta/conversations/:conversation_id')
  async updateConversation(@Param('conversation_id') conversationId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    await this.commands.execute(new ExecuteRoomCommand(room.id, roomUpdate(room, body, this.context(request).actor), this.context(request)));
    return this.getConversation(conversationId, request);
  }

  @NexmoOperation('/conversations/:conversation_id', { status: 204, description: 'Deleted: its history stays in Parley, read-only', schema: null, writes: true })
  @Delete('beta/conversations/:conversation_id')
  @HttpCode(204)
  async deleteConversation(@Param('conversation_id') conversationId: string, @Req() request: ParleyRequest): Promise<void> {
    const room = await this.room(request, conversationId);
    const context = this.context(request);
    await this.commands.execute(new ExecuteRoomCommand(room.id, { type: 'CloseRoom', actor: context.actor, now: new Date().toISOString() }, context));
  }

  // ---- members

  /** `action: join` adds the user, `action: invite` invites them; the user is named by `user_id` (USR-…) or `user_name`. */
  @NexmoOperation('/conversations/:conversation_id/members', { status: 200, description: 'The member, joined or invited', schema: NEXMO_SCHEMAS.member, body: requestBody({ action: { type: 'string', enum: ['join', 'invite'] }, user_id: STRING, user_name: STRING, channel: CUSTOM_DATA }) })
  @Post('beta/conversations/:conversation_id/members')
  @HttpCode(200)
  async createMember(@Param('conversation_id') conversationId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const user = await this.userOf(request, body);
    const action = str(body, 'action') ?? 'join';
    const context = this.context(request);
    const now = new Date().toISOString();
    if (action === 'invite') {
      await this.commands.execute(new ExecuteRoomCommand(room.id, { type: 'InviteMembers', actor: context.actor, userIds: [user.id], now }, context));
    } else if (action === 'join') {
      await this.commands.execute(new ExecuteRoomCommand(room.id, { type: 'AddMembers', actor: context.actor, userIds: [user.id], now }, context));
    } else {
      throw validationError('REQUEST.VALIDATION_FAILED', 'action must be join or invite', [{ field: 'action', reason: 'must be join or invite' }]);
    }
    return this.memberAnswer(request, room.id, user);
  }

  @NexmoOperation('/conversations/:conversation_id/members', { status: 200, description: 'A page of the members, with their states', schema: NEXMO_SCHEMAS.members, query: ['page_size', 'record_index', 'cursor'] })
  @Get(['beta2/conversations/:conversation_id/members', 'beta/conversations/:conversation_id/members'])
  async listMembers(@Param('conversation_id') conversationId: string, @Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const page = paging(query);
    // Members are listed from the room's own document: the cursor is the record index.
    const start = page.cursor === undefined ? page.recordIndex : Number(page.cursor);
    if (!Number.isSafeInteger(start) || start < 0) throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [{ field: 'cursor', reason: 'is malformed' }]);
    const slice = room.memberStates.slice(start, start + page.size);
    const users = await this.users(request, slice.map((m) => m.userId));
    const base = this.base(request);
    const path = `/conversations/${conversationId}/members`;
    const next = start + page.size < room.memberStates.length ? String(start + page.size) : null;
    return nexmoPage(
      this.listHref(base, path, page, start, page.cursor),
      next ? this.listHref(base, path, page, Number(next), next) : null,
      start,
      page.size,
      'members',
      slice.map((m) => nexmoMember(base, room.id, m, users.get(m.userId)!)),
    );
  }

  @NexmoOperation('/conversations/:conversation_id/members/:member_id', { status: 200, description: 'The member', schema: NEXMO_SCHEMAS.member })
  @Get(['beta2/conversations/:conversation_id/members/:member_id', 'beta/conversations/:conversation_id/members/:member_id'])
  async getMember(@Param('conversation_id') conversationId: string, @Param('member_id') memberId: string, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const member = this.memberOf(room, memberId);
    const users = await this.users(request, [member.userId]);
    return nexmoMember(this.base(request), room.id, member, users.get(member.userId)!);
  }

  /** `action: join` accepts an invitation (as the invited user, whom the application answers for); `action: leave` ends the membership. */
  @NexmoOperation('/conversations/:conversation_id/members/:member_id', { status: 200, description: 'The member in its new state', schema: NEXMO_SCHEMAS.member, body: requestBody({ action: { type: 'string', enum: ['join', 'leave'] } }, ['action']) })
  @Put('beta/conversations/:conversation_id/members/:member_id')
  async updateMember(
    @Param('conversation_id') conversationId: string,
    @Param('member_id') memberId: string,
    @Body() body: Json,
    @Req() request: ParleyRequest,
  ): Promise<Json> {
    const room = await this.room(request, conversationId);
    const member = this.memberOf(room, memberId);
    const action = str(body, 'action');
    if (action === 'leave') await this.calls.leave(this.context(request), room.id, member);
    else if (action === 'join') await this.calls.accept(this.context(request), room.id, member);
    else {
      throw validationError('REQUEST.VALIDATION_FAILED', 'action must be join or leave', [{ field: 'action', reason: 'must be join or leave' }]);
    }
    const users = await this.users(request, [member.userId]);
    return this.memberAnswer(request, room.id, users.get(member.userId)!);
  }

  @NexmoOperation('/conversations/:conversation_id/members/:member_id', { status: 204, description: 'The member left (or was removed)', schema: null, writes: true })
  @Delete('beta/conversations/:conversation_id/members/:member_id')
  @HttpCode(204)
  async deleteMember(@Param('conversation_id') conversationId: string, @Param('member_id') memberId: string, @Req() request: ParleyRequest): Promise<void> {
    const room = await this.room(request, conversationId);
    await this.calls.leave(this.context(request), room.id, this.memberOf(room, memberId));
  }

  // ---- events

  /** A `text` (or `custom:<name>`) event `from` a member: a comment of that member's user, posted by the application for them. */
  @NexmoOperation('/conversations/:conversation_id/events', { status: 200, description: 'The event sent', schema: NEXMO_SCHEMAS.event, body: requestBody({ type: STRING, from: STRING, body: CUSTOM_DATA }, ['type']) })
  @Post('beta/conversations/:conversation_id/events')
  @HttpCode(200)
  async createEvent(@Param('conversation_id') conversationId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    const roomId = this.roomIdOf(conversationId);
    const { event, sender, fromMember } = await this.calls.sendEvent(app, roomId, body, ['text'], this.context(request));
    return nexmoEvent(this.base(request), roomId, event, (userId) => (userId === sender ? fromMember : null));
  }


  @NexmoOperation('/conversations/:conversation_id/events', { status: 200, description: 'A page of the conversation’s events', schema: NEXMO_SCHEMAS.events, query: ['page_size', 'record_index', 'cursor'] })
  @Get(['beta2/conversations/:conversation_id/events', 'beta/conversations/:conversation_id/events'])
  async listEvents(@Param('conversation_id') conversationId: string, @Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const page = paging(query);
    // Event ids are dense from 1: the record index is the id before the page, and so is the cursor.
    const after = page.cursor === undefined ? page.recordIndex : Number(page.cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [{ field: 'cursor', reason: 'is malformed' }]);
    const found: { items: readonly TimelineEventView[]; more: boolean } = await this.queries.execute(
      new ListTimelineEventsQuery(this.context(request).actor, room.id, after, page.size, 'asc'),
    );
    const base = this.base(request);
    const members = new Map(room.memberStates.map((m) => [m.userId, m.memberId]));
    const last = found.items[found.items.length - 1];
    const path = `/conversations/${conversationId}/events`;
    return nexmoPage(
      this.listHref(base, path, page, after, page.cursor),
      found.more && last ? this.listHref(base, path, page, last.eventId, String(last.eventId)) : null,
      after,
      page.size,
      'events',
      found.items.map((event) => nexmoEvent(base, room.id, event, (userId) => members.get(userId) ?? null)),
    );
  }

  @NexmoOperation('/conversations/:conversation_id/events/:event_id', { status: 200, description: 'The event', schema: NEXMO_SCHEMAS.event })
  @Get(['beta2/conversations/:conversation_id/events/:event_id', 'beta/conversations/:conversation_id/events/:event_id'])
  async getEvent(@Param('conversation_id') conversationId: string, @Param('event_id') eventId: string, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const event: TimelineEventView = await this.queries.execute(new GetTimelineEventQuery(this.context(request).actor, room.id, eventIdOf(eventId)));
    const members = new Map(room.memberStates.map((m) => [m.userId, m.memberId]));
    return nexmoEvent(this.base(request), room.id, event, (userId) => members.get(userId) ?? null);
  }

  @NexmoOperation('/conversations/:conversation_id/events/:event_id', { status: 204, description: 'Deleted: it lists as DELETED from then on', schema: null, writes: true })
  @Delete('beta/conversations/:conversation_id/events/:event_id')
  @HttpCode(204)
  async deleteEvent(@Param('conversation_id') conversationId: string, @Param('event_id') eventId: string, @Req() request: ParleyRequest): Promise<void> {
    const room = await this.room(request, conversationId);
    await this.calls.deleteEvent(this.context(request), room.id, eventIdOf(eventId), 'text');
  }

  // ---- voice

  /** The beta client's `conversations.record` (at the bare host): voice recording, which Parley does not carry. Refused in the seed's error body. */
  @ApiOperation({ summary: 'conversations.record: refused, Parley carries no voice (400 CONVERSATION.RECORD_UNSUPPORTED)' })
  @ApiExtension('x-parley-compat', 'compat: nexmo beta')
  @ApiExtension('x-parley-refused', true)
  @ApiParam({ name: 'conversation_id', schema: { type: 'string', pattern: '^CON-[0-9a-f-]{36}$' } })
  @SurfaceErrors(NexmoErrorDto, [400, 401, 403, 404, 503])
  @Put('conversations/:conversation_id/record')
  async record(@Param('conversation_id') conversationId: string, @Req() request: ParleyRequest): Promise<never> {
    await this.room(request, conversationId);
    throw validationError('CONVERSATION.RECORD_UNSUPPORTED', 'Parley carries no voice: a conversation is not recorded', [{ field: 'record', reason: 'voice is not carried by Parley' }]);
  }

  // ---- translation helpers

  private application(request: ParleyRequest): string {
    return applicationOf(request, 'Nexmo');
  }

  private context(request: ParleyRequest): CommandContext {
    this.application(request);
    return contextOf(request);
  }

  private base(request: ParleyRequest): string {
    return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
  }

  /** A `/beta2` listing's link: the query the client sends back, Parley's cursor carried hex-encoded. */
  private listHref(base: string, path: string, page: Paging, recordIndex: number, cursor: string | undefined, extra: Record<string, string> = {}): string {
    const query = new URLSearchParams({ ...extra, page_size: String(page.size), record_index: String(recordIndex), ...(cursor ? { cursor: hex(cursor) } : {}) });
    return `${base}/beta2${path}?${query.toString()}`;
  }

  private settle(): Promise<void> {
    return this.calls.settle();
  }

  private roomIdOf(conversationId: string): string {
    return idOf(CONVERSATION_PREFIX, conversationId, 'ROOM.NOT_FOUND', 'Conversation not found');
  }

  private userIdOf(userId: string): string {
    return idOf(USER_PREFIX, userId, 'USER.NOT_FOUND', 'User not found');
  }

  private room(request: ParleyRequest, conversationId: string): Promise<RoomDetail> {
    return this.calls.openRoom(this.application(request), this.roomIdOf(conversationId));
  }

  private memberOf(room: RoomDetail, memberId: string): MemberStateView {
    const member = room.memberStates.find((m) => m.memberId === fromNexmoId(MEMBER_PREFIX, memberId));
    if (!member) throw notFound('ROOM.MEMBER_NOT_FOUND', 'Member not found');
    return member;
  }

  /** The user a member request names: `user_id` (USR-…) or `user_name`. */
  private userOf(request: ParleyRequest, body: Json): Promise<VonageUserRef> {
    const app = this.application(request);
    const byId = str(body, 'user_id');
    const byName = str(body, 'user_name');
    const id = byId !== undefined ? this.userIdOf(byId) : byName !== undefined ? applicationUserId(app, byName) : null;
    if (id === null) throw validationError('REQUEST.VALIDATION_FAILED', 'user_id or user_name is required', [{ field: 'user_id', reason: 'is required (or user_name)' }]);
    return this.calls.user(app, id);
  }

  private users(request: ParleyRequest, userIds: readonly string[]): Promise<Map<string, VonageUserRef>> {
    return this.calls.users(this.application(request), userIds);
  }

  private async memberAnswer(request: ParleyRequest, roomId: string, user: VonageUserRef): Promise<Json> {
    const member = await this.calls.memberAfterChange(this.application(request), roomId, user.id);
    return nexmoMember(this.base(request), roomId, member, user);
  }
}

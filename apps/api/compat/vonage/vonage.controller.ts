import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { notFound, validationError } from '../../../../libs/domain/errors';
import { RemoveApplicationUserCommand } from '../../applications/applications.commands';
import {
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
import { applicationUserId } from '../../applications/application-users';
import type { ParleyRequest } from '../../auth/auth.decorators';
import { CreateRoomCommand, type CreatedRoom } from '../../rooms/create-room.command';
import { ExecuteRoomCommand } from '../../rooms/room-command.command';
import { ConversationCalls, type RoomDetail } from '../conversations-shared/conversation-calls';
import { applicationOf, contextOf, eventIdOf, idOf, str, type Json } from '../conversations-shared/conversation-request';
import { CONVERSATION_BODY, CUSTOM_DATA, requestBody, STRING, USER_BODY, VONAGE_SCHEMAS, VonageOperation } from './vonage.openapi';
import {
  applicationUserExtras,
  CONVERSATION_PREFIX,
  customDataOf,
  roomUpdate,
  fromVonageId,
  MEMBER_PREFIX,
  USER_PREFIX,
  vonageConversation,
  vonageEvent,
  vonageMember,
  vonageUser,
  type VonageUserRef,
} from './vonage-shapes';


const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;


function pageSize(query: Json): number {
  const raw = query['page_size'];
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw validationError('REQUEST.VALIDATION_FAILED', `page_size must be 1 to ${MAX_PAGE_SIZE}`, [{ field: 'page_size', reason: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return size;
}

const cursorOf = (query: Json): string | undefined => (typeof query['cursor'] === 'string' && query['cursor'] !== '' ? query['cursor'] : undefined);

/**
 * The Vonage Conversation API v1 under `/vonage` (a client configured with
 * `apiHost: http://<parley>/vonage`): users, conversations, members and
 * events translated to Parley's commands and queries. The caller is an
 * application (its RS256 token, checked by AuthGuard); ids carry Vonage's
 * prefixes around Parley's UUIDs.
 */
@ApiTags('compat: vonage')
@ApiBearerAuth()
@Controller('vonage/v1')
export class VonageController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly calls: ConversationCalls,
  ) {}

  // ---- users

  @VonageOperation('/users', { status: 200, description: 'The user created', schema: VONAGE_SCHEMAS.user, body: { ...USER_BODY, required: ['name'] } })
  @Post('users')
  @HttpCode(200)
  async createUser(@Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    this.application(request);
    const name = str(body, 'name');
    if (name === undefined) throw validationError('REQUEST.VALIDATION_FAILED', 'name is required', [{ field: 'name', reason: 'is required' }]);
    const extras = applicationUserExtras(body);
    const created = await this.calls.createUser(name, body, this.context(request));
    return vonageUser(this.base(request), {
      id: created.id,
      name: created.name,
      displayName: created.displayName,
      imageUrl: extras.imageUrl ?? null,
      properties: extras.properties ?? {},
      createdAt: created.createdAt,
    });
  }

  /** `display_name`, `image_url` and `properties.custom_data` change; `name` (the user's handle) stays. */
  @VonageOperation('/users/:user_id', { status: 200, description: 'The user as it is now', schema: VONAGE_SCHEMAS.user, body: USER_BODY })
  @Patch('users/:user_id')
  async updateUser(@Param('user_id') userId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    return vonageUser(this.base(request), await this.calls.updateUser(app, this.userIdOf(userId), body, this.context(request)));
  }

  /** The user is removed as Parley removes an account: its tokens (`sub`) stop working, its personal data is erased, rooms keep its messages. */
  @VonageOperation('/users/:user_id', { status: 204, description: 'Deleted', schema: null, writes: true })
  @Delete('users/:user_id')
  @HttpCode(204)
  async deleteUser(@Param('user_id') userId: string, @Req() request: ParleyRequest): Promise<void> {
    this.application(request);
    await this.commands.execute(new RemoveApplicationUserCommand(this.userIdOf(userId), this.context(request)));
  }

  @VonageOperation('/users', { status: 200, description: 'A page of the application’s users', schema: VONAGE_SCHEMAS.users, query: ['page_size', 'cursor'] })
  @Get('users')
  async listUsers(@Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const size = pageSize(query);
    const page: CursorPage<ApplicationUserView> = await this.queries.execute(new ListApplicationUsersQuery(app, cursorOf(query), size));
    const base = this.base(request);
    return {
      page_size: size,
      _embedded: { users: page.items.map((user) => vonageUser(base, user)) },
      _links: this.links(base, '/v1/users', size, cursorOf(query), page.next),
    };
  }

  @VonageOperation('/users/:user_id', { status: 200, description: 'The user', schema: VONAGE_SCHEMAS.user })
  @Get('users/:user_id')
  async getUser(@Param('user_id') userId: string, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const user: ApplicationUserView = await this.queries.execute(new GetApplicationUserQuery(app, this.userIdOf(userId)));
    return vonageUser(this.base(request), user);
  }

  @VonageOperation('/users/:user_id/conversations', { status: 200, description: 'A page of the conversations the user is a member of', schema: VONAGE_SCHEMAS.conversations, query: ['page_size', 'cursor'] })
  @Get('users/:user_id/conversations')
  async listUserConversations(@Param('user_id') userId: string, @Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const size = pageSize(query);
    const page: CursorPage<ApplicationRoomView> = await this.queries.execute(new ListUserRoomsQuery(app, this.userIdOf(userId), cursorOf(query), size));
    const base = this.base(request);
    return {
      page_size: size,
      _embedded: { conversations: page.items.filter((room) => !room.closed).map((room) => vonageConversation(base, room)) },
      _links: this.links(base, `/v1/users/${userId}/conversations`, size, cursorOf(query), page.next),
    };
  }

  // ---- conversations

  @VonageOperation('/conversations', { status: 200, description: 'The conversation created', schema: VONAGE_SCHEMAS.conversation, body: CONVERSATION_BODY })
  @Post('conversations')
  @HttpCode(200)
  async createConversation(@Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    this.application(request);
    const handle = str(body, 'name');
    if (handle === undefined) throw validationError('REQUEST.VALIDATION_FAILED', 'name is required', [{ field: 'name', reason: 'is required' }]);
    const displayName = str(body, 'display_name') ?? handle;
    const properties = customDataOf(body);
    const room: CreatedRoom = await this.commands.execute(
      new CreateRoomCommand(
        { kind: 'group', name: displayName, applicationName: handle, participants: [], topic: null, avatarUrl: null, ...(properties ? { properties } : {}) },
        this.context(request),
      ),
    );
    return vonageConversation(this.base(request), {
      id: room.id,
      applicationName: handle,
      name: room.name,
      createdAt: new Date().toISOString(),
      closed: false,
      memberCount: 0,
      properties: properties ?? {},
    });
  }

  /** `display_name` renames the room; `properties.custom_data` replaces the application's data on it; `name` (the handle) stays. */
  @VonageOperation('/conversations/:conversation_id', { status: 200, description: 'The conversation as it is now', schema: VONAGE_SCHEMAS.conversation, body: CONVERSATION_BODY })
  @Put('conversations/:conversation_id')
  async updateConversation(@Param('conversation_id') conversationId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    await this.commands.execute(new ExecuteRoomCommand(room.id, roomUpdate(room, body, this.context(request).actor), this.context(request)));
    return vonageConversation(this.base(request), await this.room(request, conversationId));
  }

  @VonageOperation('/conversations', { status: 200, description: 'A page of the application’s conversations', schema: VONAGE_SCHEMAS.conversations, query: ['page_size', 'cursor'] })
  @Get('conversations')
  async listConversations(@Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    await this.settle();
    const size = pageSize(query);
    const page: CursorPage<ApplicationRoomView> = await this.queries.execute(new ListApplicationRoomsQuery(app, cursorOf(query), size));
    const base = this.base(request);
    return {
      page_size: size,
      _embedded: { conversations: page.items.filter((room) => !room.closed).map((room) => vonageConversation(base, room)) },
      _links: this.links(base, '/v1/conversations', size, cursorOf(query), page.next),
    };
  }

  @VonageOperation('/conversations/:conversation_id', { status: 200, description: 'The conversation', schema: VONAGE_SCHEMAS.conversation })
  @Get('conversations/:conversation_id')
  async getConversation(@Param('conversation_id') conversationId: string, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    return vonageConversation(this.base(request), room);
  }

  @VonageOperation('/conversations/:conversation_id', { status: 204, description: 'Deleted: its history stays in Parley, read-only', schema: null, writes: true })
  @Delete('conversations/:conversation_id')
  @HttpCode(204)
  async deleteConversation(@Param('conversation_id') conversationId: string, @Req() request: ParleyRequest): Promise<void> {
    const room = await this.room(request, conversationId);
    await this.commands.execute(new ExecuteRoomCommand(room.id, { type: 'CloseRoom', actor: this.context(request).actor, now: new Date().toISOString() }, this.context(request)));
  }

  // ---- members

  @VonageOperation('/conversations/:conversation_id/members', { status: 201, description: 'The member, invited or joined', schema: VONAGE_SCHEMAS.member, body: requestBody({ state: { type: 'string', enum: ['invited', 'joined', 'INVITED', 'JOINED'] }, user: requestBody({ id: STRING, name: STRING }), channel: CUSTOM_DATA }, ['user']) })
  @Post('conversations/:conversation_id/members')
  @HttpCode(201)
  async createMember(@Param('conversation_id') conversationId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const user = await this.userOf(request, (body['user'] ?? {}) as Json);
    const state = (str(body, 'state') ?? 'joined').toLowerCase();
    const context = this.context(request);
    const now = new Date().toISOString();
    if (state === 'invited') {
      await this.commands.execute(new ExecuteRoomCommand(room.id, { type: 'InviteMembers', actor: context.actor, userIds: [user.id], now }, context));
    } else if (state === 'joined') {
      await this.commands.execute(new ExecuteRoomCommand(room.id, { type: 'AddMembers', actor: context.actor, userIds: [user.id], now }, context));
    } else {
      throw validationError('REQUEST.VALIDATION_FAILED', 'state must be invited or joined', [{ field: 'state', reason: 'must be invited or joined' }]);
    }
    return this.memberAnswer(request, room.id, user);
  }

  @VonageOperation('/conversations/:conversation_id/members', { status: 200, description: 'A page of the members, with their states', schema: VONAGE_SCHEMAS.members, query: ['page_size', 'cursor'] })
  @Get('conversations/:conversation_id/members')
  async listMembers(@Param('conversation_id') conversationId: string, @Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const size = pageSize(query);
    const start = cursorOf(query) === undefined ? 0 : Number(cursorOf(query));
    if (!Number.isInteger(start) || start < 0) throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [{ field: 'cursor', reason: 'is malformed' }]);
    const slice = room.memberStates.slice(start, start + size);
    const users = await this.users(request, slice.map((m) => m.userId));
    const base = this.base(request);
    const next = start + size < room.memberStates.length ? String(start + size) : null;
    return {
      page_size: size,
      _embedded: { members: slice.map((m) => vonageMember(base, room.id, m, users.get(m.userId)!)) },
      _links: this.links(base, `/v1/conversations/${conversationId}/members`, size, cursorOf(query), next),
    };
  }

  @VonageOperation('/conversations/:conversation_id/members/:member_id', { status: 200, description: 'The member', schema: VONAGE_SCHEMAS.member })
  @Get('conversations/:conversation_id/members/:member_id')
  async getMember(@Param('conversation_id') conversationId: string, @Param('member_id') memberId: string, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const member = this.memberOf(request, room, memberId);
    const users = await this.users(request, [member.userId]);
    return vonageMember(this.base(request), room.id, member, users.get(member.userId)!);
  }

  /** `state: left` ends the membership (or withdraws an invitation); `state: joined` accepts an invitation. */
  @VonageOperation('/conversations/:conversation_id/members/:member_id', { status: 200, description: 'The member in its new state', schema: VONAGE_SCHEMAS.member, body: requestBody({ state: { type: 'string', enum: ['joined', 'left', 'JOINED', 'LEFT'] } }, ['state']) })
  @Patch('conversations/:conversation_id/members/:member_id')
  async updateMember(
    @Param('conversation_id') conversationId: string,
    @Param('member_id') memberId: string,
    @Body() body: Json,
    @Req() request: ParleyRequest,
  ): Promise<Json> {
    const room = await this.room(request, conversationId);
    const member = this.memberOf(request, room, memberId);
    const state = (str(body, 'state') ?? '').toLowerCase();
    const context = this.context(request);
    if (state === 'left') {
      await this.calls.leave(context, room.id, member);
    } else if (state === 'joined') {
      await this.calls.accept(context, room.id, member);
    } else {
      throw validationError('REQUEST.VALIDATION_FAILED', 'state must be joined or left', [{ field: 'state', reason: 'must be joined or left' }]);
    }
    const users = await this.users(request, [member.userId]);
    return this.memberAnswer(request, room.id, users.get(member.userId)!);
  }

  // ---- events

  @VonageOperation('/conversations/:conversation_id/events', { status: 200, description: 'The event sent', schema: VONAGE_SCHEMAS.event, body: requestBody({ type: STRING, from: STRING, body: CUSTOM_DATA }, ['type']) })
  @Post('conversations/:conversation_id/events')
  @HttpCode(200)
  async createEvent(@Param('conversation_id') conversationId: string, @Body() body: Json, @Req() request: ParleyRequest): Promise<Json> {
    const app = this.application(request);
    const roomId = this.roomIdOf(conversationId);
    const { event, sender, fromMember } = await this.calls.sendEvent(app, roomId, body, ['text', 'message'], this.context(request));
    return vonageEvent(this.base(request), roomId, event, (userId) => (userId === sender ? fromMember : null));
  }


  @VonageOperation('/conversations/:conversation_id/events', { status: 200, description: 'A page of the conversation’s events', schema: VONAGE_SCHEMAS.events, query: ['page_size', 'cursor', 'order'] })
  @Get('conversations/:conversation_id/events')
  async listEvents(@Param('conversation_id') conversationId: string, @Query() query: Json, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const size = pageSize(query);
    const order = query['order'] === 'desc' ? 'desc' : 'asc';
    const cursor = cursorOf(query);
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isInteger(after) || after < 0) throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [{ field: 'cursor', reason: 'is malformed' }]);
    const page: { items: readonly TimelineEventView[]; more: boolean } = await this.queries.execute(
      new ListTimelineEventsQuery(this.context(request).actor, room.id, after, size, order),
    );
    const base = this.base(request);
    const members = new Map(room.memberStates.map((m) => [m.userId, m.memberId]));
    const last = page.items[page.items.length - 1];
    return {
      page_size: size,
      _embedded: page.items.map((event) => vonageEvent(base, room.id, event, (userId) => members.get(userId) ?? null)),
      _links: this.links(base, `/v1/conversations/${conversationId}/events`, size, cursor, page.more && last ? String(last.eventId) : null),
    };
  }

  @VonageOperation('/conversations/:conversation_id/events/:event_id', { status: 200, description: 'The event', schema: VONAGE_SCHEMAS.event })
  @Get('conversations/:conversation_id/events/:event_id')
  async getEvent(@Param('conversation_id') conversationId: string, @Param('event_id') eventId: string, @Req() request: ParleyRequest): Promise<Json> {
    const room = await this.room(request, conversationId);
    const event: TimelineEventView = await this.queries.execute(new GetTimelineEventQuery(this.context(request).actor, room.id, eventIdOf(eventId)));
    const members = new Map(room.memberStates.map((m) => [m.userId, m.memberId]));
    return vonageEvent(this.base(request), room.id, event, (userId) => members.get(userId) ?? null);
  }

  @VonageOperation('/conversations/:conversation_id/events/:event_id', { status: 204, description: 'Deleted: it lists as DELETED from then on', schema: null, writes: true })
  @Delete('conversations/:conversation_id/events/:event_id')
  @HttpCode(204)
  async deleteEvent(@Param('conversation_id') conversationId: string, @Param('event_id') eventId: string, @Req() request: ParleyRequest): Promise<void> {
    const room = await this.room(request, conversationId);
    await this.calls.deleteEvent(this.context(request), room.id, eventIdOf(eventId), 'message');
  }

  // ---- translation helpers

  private application(request: ParleyRequest): string {
    return applicationOf(request, 'Vonage');
  }

  private context(request: ParleyRequest): CommandContext {
    this.application(request);
    return contextOf(request);
  }

  private base(request: ParleyRequest): string {
    return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}/vonage`;
  }

  private links(base: string, path: string, size: number, cursor: string | undefined, next: string | null): Json {
    const href = (c: string | undefined) => `${base}${path}?page_size=${size}${c ? `&cursor=${encodeURIComponent(c)}` : ''}`;
    return { first: { href: href(undefined) }, self: { href: href(cursor) }, ...(next ? { next: { href: href(next) } } : {}) };
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

  private memberOf(request: ParleyRequest, room: RoomDetail, memberId: string): MemberStateView {
    const own = request.user?.application?.userId ?? null;
    const member =
      memberId === 'me'
        ? room.memberStates.find((m) => m.userId === own)
        : room.memberStates.find((m) => m.memberId === fromVonageId(MEMBER_PREFIX, memberId));
    if (!member) throw notFound('ROOM.MEMBER_NOT_FOUND', 'Member not found');
    return member;
  }

  /** The user a member request names: `user.id` (USR-…) or `user.name`. */
  private userOf(request: ParleyRequest, user: Json): Promise<VonageUserRef> {
    const app = this.application(request);
    const id = typeof user['id'] === 'string' ? this.userIdOf(user['id']) : typeof user['name'] === 'string' ? applicationUserId(app, user['name']) : null;
    if (id === null) throw validationError('REQUEST.VALIDATION_FAILED', 'user.id or user.name is required', [{ field: 'user', reason: 'needs id or name' }]);
    return this.calls.user(app, id);
  }

  private users(request: ParleyRequest, userIds: readonly string[]): Promise<Map<string, VonageUserRef>> {
    return this.calls.users(this.application(request), userIds);
  }

  private async memberAnswer(request: ParleyRequest, roomId: string, user: VonageUserRef): Promise<Json> {
    const member = await this.calls.memberAfterChange(this.application(request), roomId, user.id);
    return vonageMember(this.base(request), roomId, member, user);
  }
}

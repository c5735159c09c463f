import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { notFound, unauthenticated, validationError } from '../../../../libs/domain/errors';
import { CreateApplicationUserCommand, RemoveApplicationUserCommand, UpdateApplicationUserCommand, type UpdatedApplicationUser } from '../../applications/applications.commands';
import {
  GetApplicationRoomQuery,
  GetApplicationUserQuery,
  GetTimelineEventQuery,
  ListApplicationRoomsQuery,
  ListApplicationUsersQuery,
  ListTimelineEventsQuery,
  ListUserRoomsQuery,
  TimelineEventOfCommentQuery,
  type ApplicationRoomView,
  type ApplicationUserView,
  type CursorPage,
  type MemberStateView,
  type TimelineEventView,
} from '../../applications/applications.queries';
import { applicationUserId } from '../../applications/application-users';
import { applicationActor } from '../../applications/application-tokens';
import type { ParleyRequest } from '../../auth/auth.decorators';
import { DeleteCommentCommand } from '../../comments/delete-comment.command';
import { PostCommentCommand } from '../../comments/post-comment.command';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { CreateRoomCommand, type CreatedRoom } from '../../rooms/create-room.command';
import { ExecuteRoomCommand } from '../../rooms/room-command.command';
import { CurrentMemberByIdQuery } from '../../rooms/room-lookups.queries';
import { CONVERSATION_BODY, CUSTOM_DATA, requestBody, STRING, USER_BODY, VONAGE_SCHEMAS, VonageOperation } from './vonage.openapi';
import {
  applicationUserChange,
  applicationUserExtras,
  CONVERSATION_PREFIX,
  customDataOf,
  eventContent,
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

type Json = Record<string, unknown>;
type RoomDetail = ApplicationRoomView & { readonly memberStates: readonly MemberStateView[] };

/** The Vonage API reads what the caller just wrote: queries wait (bounded) for the read models to pass the log's head. */
const READ_YOUR_WRITES_MS = 10_000;
const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;

const str = (body: Json, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError('REQUEST.VALIDATION_FAILED', `${field} must be a string`, [{ field, reason: 'must be a string' }]);
  return value;
};

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
    private readonly gate: ReadModelGate,
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
    const created = await this.commands.execute(new CreateApplicationUserCommand(name, str(body, 'display_name'), this.context(request), extras));
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
    await this.settle();
    const user: ApplicationUserView = await this.queries.execute(new GetApplicationUserQuery(app, this.userIdOf(userId)));
    const updated: UpdatedApplicationUser = await this.commands.execute(new UpdateApplicationUserCommand(user.id, applicationUserChange(user, body), this.context(request)));
    return vonageUser(this.base(request), { ...user, displayName: updated.displayName, imageUrl: updated.imageUrl, properties: updated.properties });
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
    const now = new Date().toISOString();
    if (state === 'left') {
      const command = context.actor === member.userId
        ? ({ type: 'LeaveRoom', actor: member.userId, now } as const)
        : ({ type: 'RemoveMember', actor: context.actor, userId: member.userId, now } as const);
      await this.commands.execute(new ExecuteRoomCommand(room.id, command, context));
    } else if (state === 'joined') {
      // The application answers for its users: accepting is done as the invited user.
      await this.commands.execute(new ExecuteRoomCommand(room.id, { type: 'AcceptInvitation', actor: member.userId, now }, { ...context, actor: member.userId }));
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
    const content = eventContent(str(body, 'type'), body['body'], ['text', 'message']);
    const from = str(body, 'from');
    const memberUser = from === undefined ? null : await this.userOfMember(app, roomId, from);
    const context = this.context(request);
    // The application speaks for the member named in `from`; without one, for the user of its token.
    const sender = memberUser ?? (context.actor === applicationActor(app) ? null : context.actor);
    if (sender === null) throw validationError('REQUEST.VALIDATION_FAILED', 'from must name a member', [{ field: 'from', reason: 'is required' }]);
    const posted = await this.commands.execute(
      new PostCommentCommand(roomId, content.text, content.commentType, content.payload, null, null, null, { ...context, actor: sender }),
    );
    await this.gate.waitFor(BigInt(posted.position), READ_YOUR_WRITES_MS);
    const event: TimelineEventView = await this.queries.execute(new TimelineEventOfCommentQuery(roomId, posted.id));
    return vonageEvent(this.base(request), roomId, event, (userId) => (userId === sender && from ? fromVonageId(MEMBER_PREFIX, from) : null));
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
    const event: TimelineEventView = await this.queries.execute(new GetTimelineEventQuery(this.context(request).actor, room.id, this.eventIdOf(eventId)));
    const members = new Map(room.memberStates.map((m) => [m.userId, m.memberId]));
    return vonageEvent(this.base(request), room.id, event, (userId) => members.get(userId) ?? null);
  }

  @VonageOperation('/conversations/:conversation_id/events/:event_id', { status: 204, description: 'Deleted: it lists as DELETED from then on', schema: null, writes: true })
  @Delete('conversations/:conversation_id/events/:event_id')
  @HttpCode(204)
  async deleteEvent(@Param('conversation_id') conversationId: string, @Param('event_id') eventId: string, @Req() request: ParleyRequest): Promise<void> {
    const room = await this.room(request, conversationId);
    const event: TimelineEventView = await this.queries.execute(new GetTimelineEventQuery(this.context(request).actor, room.id, this.eventIdOf(eventId)));
    if (event.commentId === null) throw validationError('EVENT.NOT_DELETABLE', 'Only message events are deleted', [{ field: 'event_id', reason: 'is not a message' }]);
    await this.commands.execute(new DeleteCommentCommand(room.id, event.commentId, this.context(request)));
  }

  // ---- translation helpers

  private application(request: ParleyRequest): string {
    const application = request.user?.application;
    if (!application) throw unauthenticated('APPLICATION.TOKEN_REQUIRED', 'The Vonage API takes an application’s RS256 token');
    return application.applicationId;
  }

  private context(request: ParleyRequest): CommandContext {
    this.application(request);
    return { actor: request.user!.id, correlationId: request.correlationId ?? String(request.id), causationId: String(request.id) };
  }

  private base(request: ParleyRequest): string {
    return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}/vonage`;
  }

  private links(base: string, path: string, size: number, cursor: string | undefined, next: string | null): Json {
    const href = (c: string | undefined) => `${base}${path}?page_size=${size}${c ? `&cursor=${encodeURIComponent(c)}` : ''}`;
    return { first: { href: href(undefined) }, self: { href: href(cursor) }, ...(next ? { next: { href: href(next) } } : {}) };
  }

  private async settle(): Promise<void> {
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
  }

  private roomIdOf(conversationId: string): string {
    const id = fromVonageId(CONVERSATION_PREFIX, conversationId);
    if (id === null) throw notFound('ROOM.NOT_FOUND', 'Conversation not found');
    return id;
  }

  private userIdOf(userId: string): string {
    const id = fromVonageId(USER_PREFIX, userId);
    if (id === null) throw notFound('USER.NOT_FOUND', 'User not found');
    return id;
  }

  private eventIdOf(eventId: string): number {
    const id = Number(eventId);
    if (!Number.isSafeInteger(id) || id < 1) throw notFound('EVENT.NOT_FOUND', 'No event with that id in this conversation');
    return id;
  }

  private async room(request: ParleyRequest, conversationId: string): Promise<RoomDetail> {
    const app = this.application(request);
    await this.settle();
    const room = (await this.queries.execute(new GetApplicationRoomQuery(app, this.roomIdOf(conversationId)))) as RoomDetail;
    if (room.closed) throw notFound('ROOM.NOT_FOUND', 'Conversation not found');
    return room;
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

  /** The user a `from` member id names among the conversation's current members, from the room's decision state (no read model is waited for). */
  private async userOfMember(applicationId: string, roomId: string, memberId: string): Promise<string> {
    const inner = fromVonageId(MEMBER_PREFIX, memberId);
    const userId: string | null = inner === null ? null : await this.queries.execute(new CurrentMemberByIdQuery(applicationId, roomId, inner));
    if (userId === null) throw validationError('EVENT.FROM_UNKNOWN', 'from names no member of this conversation', [{ field: 'from', reason: 'is not a member of this conversation' }]);
    return userId;
  }


  /** The user a member request names: `user.id` (USR-…) or `user.name`. */
  private async userOf(request: ParleyRequest, user: Json): Promise<VonageUserRef> {
    const app = this.application(request);
    const id = typeof user['id'] === 'string' ? this.userIdOf(user['id']) : typeof user['name'] === 'string' ? applicationUserId(app, user['name']) : null;
    if (id === null) throw validationError('REQUEST.VALIDATION_FAILED', 'user.id or user.name is required', [{ field: 'user', reason: 'needs id or name' }]);
    const found: ApplicationUserView = await this.queries.execute(new GetApplicationUserQuery(app, id));
    return { id: found.id, name: found.name, displayName: found.displayName };
  }

  private async users(request: ParleyRequest, userIds: readonly string[]): Promise<Map<string, VonageUserRef>> {
    const app = this.application(request);
    const found = await Promise.all(
      userIds.map(async (id) => {
        const user: ApplicationUserView | null = await this.queries.execute(new GetApplicationUserQuery(app, id)).catch(() => null);
        return [id, user ? { id, name: user.name, displayName: user.displayName } : { id, name: id, displayName: null }] as const;
      }),
    );
    return new Map(found);
  }

  private async memberAnswer(request: ParleyRequest, roomId: string, user: VonageUserRef): Promise<Json> {
    await this.settle();
    const room = (await this.queries.execute(new GetApplicationRoomQuery(this.application(request), roomId))) as RoomDetail;
    const member = room.memberStates.find((m) => m.userId === user.id);
    if (!member) throw new Error(`member ${user.id} missing from room ${roomId} right after the change`);
    return vonageMember(this.base(request), roomId, member, user);
  }
}

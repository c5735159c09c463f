import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { Caller, OwnAuthentication, type ParleyRequest } from '../../auth/auth.decorators';
import { QiscusExceptionFilter } from './qiscus-errors';
import { QiscusInput } from './qiscus-input';
import { QiscusSdk } from './qiscus-sdk';
import { QiscusSdkGuard, QiscusSdkOpen } from './qiscus-sdk.guard';
import {
  QiscusSdkBlockBody,
  QiscusSdkBlockedResponse,
  QiscusSdkClearedRoomsResponse,
  QiscusSdkClearRoomsBody,
  QiscusSdkCommentResponse,
  QiscusSdkCommentsResponse,
  QiscusSdkCommentStatusBody,
  QiscusSdkCommentStatusResponse,
  QiscusSdkConfigResponse,
  QiscusSdkCreateRoomBody,
  QiscusSdkDeleteBody,
  QiscusSdkEmptyResponse,
  QiscusSdkLoginBody,
  QiscusSdkLoginResponse,
  QiscusSdkLogoutBody,
  QiscusSdkParticipantsAddedResponse,
  QiscusSdkParticipantsBody,
  QiscusSdkParticipantsRemovedResponse,
  QiscusSdkPostCommentBody,
  QiscusSdkProfileBody,
  QiscusSdkProfileResponse,
  QiscusSdkRefreshBody,
  QiscusSdkRoomResponse,
  QiscusSdkRoomsResponse,
  QiscusSdkSyncEventResponse,
  QiscusSdkSyncResponse,
  QiscusSdkTargetBody,
  QiscusSdkTokenResponse,
  QiscusSdkUnreadResponse,
} from './qiscus-sdk.responses';
import { qiscusHeader } from './qiscus-server.guard';
import { QiscusErrors } from './qiscus.responses';

const ok = <T>(results: T) => ({ results, status: 200 });

/**
 * The Qiscus client SDK's API (`/api/v2/sdk/*`), as `qiscus-sdk-core` calls
 * it: `QISCUS-SDK-APP-ID` on every request, `QISCUS-SDK-TOKEN` (a Parley
 * access token) once signed in, forms or JSON, `{ results, status }`.
 */
@ApiTags('compat: qiscus sdk')
@ApiSecurity('qiscus-sdk-token')
@ApiHeader({ name: 'QISCUS-SDK-APP-ID', required: true, description: 'QISCUS_APP_ID' })
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@OwnAuthentication()
@UseGuards(QiscusSdkGuard)
@UseFilters(QiscusExceptionFilter)
@QiscusErrors(400, 401, 403, 404, 409, 413, 415, 429, 503, 507)
@Controller('api/v2/sdk')
export class QiscusSdkController {
  constructor(private readonly sdk: QiscusSdk) {}

  @Get('config')
  @QiscusSdkOpen()
  @ApiOperation({ summary: "The app's configuration: no realtime connection, sync over HTTP every sync_interval ms" })
  @ApiOkResponse({ type: QiscusSdkConfigResponse })
  config() {
    return ok(this.sdk.appConfig());
  }

  @Post('login_or_register')
  @HttpCode(200)
  @QiscusSdkOpen()
  @ApiOperation({ summary: 'Signs in by email and password (the SDK’s user key), registering the address first if nobody holds it' })
  @ApiBody({ type: QiscusSdkLoginBody })
  @ApiOkResponse({ type: QiscusSdkLoginResponse })
  async loginOrRegister(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.loginOrRegister(QiscusInput.of(body), caller));
  }

  @Post('refresh_user_token')
  @HttpCode(200)
  @QiscusSdkOpen()
  @ApiOperation({ summary: 'Rotates the refresh token (Parley’s refresh grant) and answers a new access token' })
  @ApiBody({ type: QiscusSdkRefreshBody })
  @ApiOkResponse({ type: QiscusSdkTokenResponse })
  async refreshUserToken(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.refreshToken(QiscusInput.of(body), caller));
  }

  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ends the sign-in the token belongs to' })
  @ApiBody({ type: QiscusSdkLogoutBody })
  @ApiOkResponse({ type: QiscusSdkEmptyResponse })
  async logout(@Req() request: ParleyRequest, @Caller() caller: CommandContext) {
    return ok(await this.sdk.logout(qiscusHeader(request, 'QISCUS-SDK-TOKEN') ?? '', caller));
  }

  @Get('my_profile')
  @ApiOkResponse({ type: QiscusSdkProfileResponse })
  async myProfile(@Caller() caller: CommandContext) {
    return ok({ user: await this.sdk.profile(caller.actor) });
  }

  @Patch('my_profile')
  @ApiOperation({ summary: "Changes the caller's name and avatar" })
  @ApiBody({ type: QiscusSdkProfileBody })
  @ApiOkResponse({ type: QiscusSdkProfileResponse })
  async updateProfile(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.updateProfile(QiscusInput.of(body), caller));
  }

  @Post('block_user')
  @HttpCode(200)
  @ApiOperation({ summary: "Adds the user to the caller's block list" })
  @ApiBody({ type: QiscusSdkBlockBody })
  @ApiOkResponse({ type: QiscusSdkProfileResponse })
  async blockUser(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.block(QiscusInput.of(body), caller, 'Block'));
  }

  @Post('unblock_user')
  @HttpCode(200)
  @ApiBody({ type: QiscusSdkBlockBody })
  @ApiOkResponse({ type: QiscusSdkProfileResponse })
  async unblockUser(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.block(QiscusInput.of(body), caller, 'Unblock'));
  }

  @Get('get_blocked_users')
  @ApiOkResponse({ type: QiscusSdkBlockedResponse })
  async blockedUsers(@Query() query: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.blockedUsers(QiscusInput.of(query), caller.actor));
  }

  @Post('create_room')
  @HttpCode(200)
  @ApiOperation({ summary: 'A group room of the caller and the participants (emails)' })
  @ApiBody({ type: QiscusSdkCreateRoomBody })
  @ApiOkResponse({ type: QiscusSdkRoomResponse })
  async createRoom(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.createRoom(QiscusInput.of(body), caller));
  }

  @Post('get_or_create_room_with_target')
  @HttpCode(200)
  @ApiOperation({ summary: 'The single room of the caller and the user `emails` names, created when needed, with its last comments' })
  @ApiBody({ type: QiscusSdkTargetBody })
  @ApiOkResponse({ type: QiscusSdkRoomResponse })
  async getOrCreateRoomWithTarget(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.getOrCreateRoomWithTarget(QiscusInput.of(body), caller));
  }

  @Get('get_room_by_id')
  @ApiOperation({ summary: 'A room of the caller by its integer id, with its last comments' })
  @ApiOkResponse({ type: QiscusSdkRoomResponse })
  async getRoomById(@Query() query: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.getRoomById(QiscusInput.of(query), caller.actor));
  }

  @Get('user_rooms')
  @ApiOperation({ summary: "The caller's rooms, most recent activity first, with unread counts and last comments" })
  @ApiOkResponse({ type: QiscusSdkRoomsResponse })
  async userRooms(@Query() query: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.userRooms(QiscusInput.of(query), caller.actor));
  }

  @Get('total_unread_count')
  @ApiOkResponse({ type: QiscusSdkUnreadResponse })
  async totalUnreadCount(@Caller() caller: CommandContext) {
    return ok(await this.sdk.totalUnreadCount(caller.actor));
  }

  @Post('post_comment')
  @HttpCode(200)
  @ApiOperation({ summary: 'Posts a comment as the caller; unique_temp_id is Parley’s clientId (a retry is the same comment)' })
  @ApiBody({ type: QiscusSdkPostCommentBody })
  @ApiOkResponse({ type: QiscusSdkCommentResponse })
  async postComment(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.postComment(QiscusInput.of(body), caller));
  }

  @Get('load_comments')
  @ApiOperation({ summary: 'Comments of a room of the caller: newest first before last_comment_id, or oldest first after it (after=true)' })
  @ApiOkResponse({ type: QiscusSdkCommentsResponse })
  async loadComments(@Query() query: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.loadComments(QiscusInput.of(query), caller.actor));
  }

  @Post('update_comment_status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Moves the caller’s read marker to last_comment_read_id' })
  @ApiBody({ type: QiscusSdkCommentStatusBody })
  @ApiOkResponse({ type: QiscusSdkCommentStatusResponse })
  async updateCommentStatus(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.updateCommentStatus(QiscusInput.of(body), caller));
  }

  @Get('sync')
  @ApiOperation({ summary: 'Comments after last_received_comment_id in the caller’s rooms (Parley’s feed, in pages)' })
  @ApiOkResponse({ type: QiscusSdkSyncResponse })
  async sync(@Query() query: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.sync(QiscusInput.of(query), caller.actor));
  }

  @Get('sync_event')
  @ApiOperation({ summary: 'Deletions and the caller’s own clearings after start_event_id in the caller’s rooms; the last event carries how far the log was read' })
  @ApiOkResponse({ type: QiscusSdkSyncEventResponse })
  async syncEvent(@Query() query: unknown, @Caller() caller: CommandContext) {
    return { ...(await this.sdk.syncEvent(QiscusInput.of(query), caller.actor)), status: 200 };
  }

  @Delete('delete_messages')
  @ApiOperation({ summary: 'Deletes the caller’s comments named by unique_temp_id, for everyone' })
  @ApiBody({ type: QiscusSdkDeleteBody })
  @ApiOkResponse({ type: QiscusSdkCommentsResponse })
  async deleteMessages(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.deleteMessages(QiscusInput.of(body), caller));
  }

  @Delete('clear_room_messages')
  @ApiOperation({
    summary: "Clears the rooms' history for the caller alone (Parley's HistoryCleared): the other participants keep theirs; the caller's other sessions learn of it through sync_event (clear_room)",
  })
  @ApiBody({ type: QiscusSdkClearRoomsBody })
  @ApiOkResponse({ type: QiscusSdkClearedRoomsResponse })
  async clearRoomMessages(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.clearRoomMessages(QiscusInput.of(body), caller));
  }

  @Post('add_room_participants')
  @HttpCode(200)
  @ApiBody({ type: QiscusSdkParticipantsBody })
  @ApiOkResponse({ type: QiscusSdkParticipantsAddedResponse })
  async addRoomParticipants(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.changeParticipants(QiscusInput.of(body), caller, 'add'));
  }

  @Post('remove_room_participants')
  @HttpCode(200)
  @ApiBody({ type: QiscusSdkParticipantsBody })
  @ApiOkResponse({ type: QiscusSdkParticipantsRemovedResponse })
  async removeRoomParticipants(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.sdk.changeParticipants(QiscusInput.of(body), caller, 'remove'));
  }
}

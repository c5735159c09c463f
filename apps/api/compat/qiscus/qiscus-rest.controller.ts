import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UuidParamPipe } from '../../common/uuid-param.pipe';
import { QiscusBackups } from './qiscus-backups';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { Caller, OwnAuthentication } from '../../auth/auth.decorators';
import { QiscusExceptionFilter } from './qiscus-errors';
import { QiscusInput } from './qiscus-input';
import { QiscusRest } from './qiscus-rest';
import {
  QiscusClearedRoomsResponse,
  QiscusClearRoomsBody,
  QiscusCommentsResponse,
  QiscusCreateRoomBody,
  QiscusExportBody,
  QiscusExportHistoriesResponse,
  QiscusExportHistoryResponse,
  QiscusExportResponse,
  QiscusImportBody,
  QiscusImportHistoriesResponse,
  QiscusImportHistoryResponse,
  QiscusErrors,
  QiscusLoadCommentsBody,
  QiscusLoginBody,
  QiscusLoginResponse,
  QiscusParticipantsBody,
  QiscusPostCommentBody,
  QiscusPostCommentResponse,
  QiscusRoomsInfoBody,
  QiscusRoomsInfoResponse,
  QiscusRoomSummaryResponse,
  QiscusRoomWithCommentsResponse,
  QiscusSystemEventBody,
  QiscusSystemEventResponse,
} from './qiscus.responses';
import { QISCUS_SERVER_ACTOR, QiscusServerGuard } from './qiscus-server.guard';

const ok = <T>(results: T) => ({ results, status: 200 });

/**
 * The seed's server REST API (`/api/v2/rest/*`): a backend written against
 * Qiscus works with only its base URL changed. Bodies are JSON or forms.
 */
@ApiTags('compat: qiscus')
@ApiSecurity('qiscus-secret')
@ApiConsumes('application/json', 'application/x-www-form-urlencoded')
@OwnAuthentication()
@UseGuards(QiscusServerGuard)
@UseFilters(QiscusExceptionFilter)
@QiscusErrors(400, 401, 404, 409, 413, 415, 503, 507)
@Controller('api/v2/rest')
export class QiscusRestController {
  constructor(
    private readonly rest: QiscusRest,
    private readonly backups: QiscusBackups,
  ) {}

  @Post('login_or_register')
  @HttpCode(200)
  @ApiOperation({ summary: 'Creates the user with this email, or updates name, avatar and password' })
  @ApiBody({ type: QiscusLoginBody })
  @ApiOkResponse({ type: QiscusLoginResponse })
  async loginOrRegister(@Body() body: unknown, @Caller() caller: CommandContext) {
    const { user, token } = await this.rest.loginOrRegister(QiscusInput.of(body), caller);
    return ok({ user: { id: user.id, email: user.email, username: user.username, avatar_url: user.avatarUrl, token } });
  }

  @Post('create_room')
  @HttpCode(200)
  @ApiBody({ type: QiscusCreateRoomBody })
  @ApiOkResponse({ type: QiscusRoomSummaryResponse })
  async createRoom(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok((await this.rest.createRoom(QiscusInput.of(body), caller)).results);
  }

  @Get('get_or_create_room_with_target')
  @ApiOperation({ summary: 'The single room of two users (emails[]), created if needed, with its last comments' })
  @ApiOkResponse({ type: QiscusRoomWithCommentsResponse })
  async getOrCreateRoomWithTarget(@Query() query: unknown, @Caller() caller: CommandContext) {
    return ok(await this.rest.getOrCreateRoomWithTarget(QiscusInput.of(query), caller));
  }

  @Post('get_rooms_info')
  @HttpCode(200)
  @ApiBody({ type: QiscusRoomsInfoBody })
  @ApiOkResponse({ type: QiscusRoomsInfoResponse })
  async getRoomsInfo(@Body() body: unknown) {
    return ok(await this.rest.roomsInfo(QiscusInput.of(body)));
  }

  @Post('add_room_participants')
  @HttpCode(200)
  @ApiBody({ type: QiscusParticipantsBody })
  @ApiOkResponse({ type: QiscusRoomSummaryResponse })
  async addRoomParticipants(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok((await this.rest.changeParticipants(QiscusInput.of(body), caller, 'add')).results);
  }

  @Post('remove_room_participants')
  @HttpCode(200)
  @ApiBody({ type: QiscusParticipantsBody })
  @ApiOkResponse({ type: QiscusRoomSummaryResponse })
  async removeRoomParticipants(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok((await this.rest.changeParticipants(QiscusInput.of(body), caller, 'remove')).results);
  }

  @Post('post_comment')
  @HttpCode(200)
  @ApiBody({ type: QiscusPostCommentBody })
  @ApiOkResponse({ type: QiscusPostCommentResponse })
  @QiscusErrors(403, 413)
  async postComment(@Body() body: unknown, @Caller() caller: CommandContext) {
    const { comment } = await this.rest.postComment(QiscusInput.of(body), caller);
    return ok({ comment });
  }

  @Post('load_comments')
  @HttpCode(200)
  @ApiBody({ type: QiscusLoadCommentsBody })
  @ApiOkResponse({ type: QiscusCommentsResponse })
  async loadComments(@Body() body: unknown) {
    return ok(await this.rest.loadComments(QiscusInput.of(body)));
  }

  @Delete('clear_room_messages')
  @ApiOperation({
    summary: "Clears the rooms' history for the user `user_id` names, for them alone (Parley's HistoryCleared): the other participants keep theirs",
  })
  @ApiBody({ type: QiscusClearRoomsBody })
  @ApiOkResponse({ type: QiscusClearedRoomsResponse })
  async clearRoomMessages(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.rest.clearRoomMessages(QiscusInput.of(body), caller));
  }

  @Post('post_system_event_message')
  @HttpCode(200)
  @ApiBody({ type: QiscusSystemEventBody })
  @ApiOkResponse({ type: QiscusSystemEventResponse })
  async postSystemEventMessage(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok((await this.rest.postSystemEvent(QiscusInput.of(body), caller)).results);
  }

  @Post('exports')
  @HttpCode(200)
  @ApiOperation({ summary: 'Requests a backup of users, rooms or comments (a Parley export job)' })
  @ApiBody({ type: QiscusExportBody })
  @ApiOkResponse({ type: QiscusExportResponse })
  async requestExport(@Body() body: unknown, @Caller() caller: CommandContext) {
    return ok(await this.backups.requestExport(QiscusInput.of(body), { ...caller, actor: QISCUS_SERVER_ACTOR }));
  }

  @Get('exports')
  @ApiOperation({ summary: 'The 20 most recent backups of a page' })
  @ApiOkResponse({ type: QiscusExportHistoriesResponse })
  async listExports(@Query() query: unknown) {
    return ok(await this.backups.exports(QiscusInput.of(query)));
  }

  @Get('exports/:id')
  @ApiOkResponse({ type: QiscusExportHistoryResponse })
  async getExport(@Param('id', UuidParamPipe) id: string) {
    return ok(await this.backups.export(id));
  }

  @Delete('exports/:id')
  @ApiOperation({ summary: 'Cancels a backup, or removes a finished one and its file' })
  @ApiOkResponse({ type: QiscusExportHistoryResponse })
  async deleteExport(@Param('id', UuidParamPipe) id: string, @Caller() caller: CommandContext) {
    return ok(await this.backups.deleteExport(id, { ...caller, actor: QISCUS_SERVER_ACTOR }));
  }

  @Get('exports/:id/download')
  @ApiOperation({ summary: "A finished backup's rows (the download_url of a backup)" })
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'The rows, as an attachment', schema: { type: 'array', items: { type: 'object', additionalProperties: true } } })
  async downloadExport(@Param('id', UuidParamPipe) id: string, @Res() reply: FastifyReply): Promise<void> {
    const { view, file } = await this.backups.exportFile(id);
    void reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-length', String(file.size))
      .header('content-disposition', `attachment; filename="exported_${view.type}_${id}.json"`)
      .header('cache-control', 'no-store')
      .send(file.stream);
  }

  @Post('imports')
  @HttpCode(200)
  @ApiOperation({ summary: 'Imports users, rooms or comments from a JSON file (a Parley import job: every row checked before any is written)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: QiscusImportBody })
  @ApiOkResponse({ type: QiscusImportHistoryResponse })
  async requestImport(@Req() request: FastifyRequest, @Caller() caller: CommandContext) {
    return ok(await this.backups.requestImport(request, { ...caller, actor: QISCUS_SERVER_ACTOR }));
  }

  @Get('imports')
  @ApiOkResponse({ type: QiscusImportHistoriesResponse })
  async listImports(@Query() query: unknown) {
    return ok(await this.backups.imports(QiscusInput.of(query)));
  }
}

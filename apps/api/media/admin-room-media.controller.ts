import { Controller, Delete, Get, Head, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../libs/config/config';
import { mediaProjection } from '../../../projections';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { PageQueryDto } from '../common/page-query.dto';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { MediaLibrary } from './media-library';
import { MediaUploads, type UploadedMedia } from './media-uploads';
import { Download, serveMedia } from './media-download';
import { DeletedMediaResponse, MediaListResponse, MediaResponse, UploadedMediaResponse, UploadMediaBody, UploadMediaForm } from './media.responses';
import { mediaView, type MediaView } from './media-views';
import { readUpload } from './upload-body';

export const ADMIN_ROOM_MEDIA_ROUTE = '/v1/admin/rooms/:roomId/media';

/**
 * A room's media for holders of a key with `admin:media` (Trillian's
 * "media owned by a group chat"), whoever its members are: list, read,
 * add and delete. What an administrator adds is the room's own: sealed with
 * the room's key, readable by its members, and no member's personal data.
 */
@ApiTags('admin: media')
@Public()
@RequireScopes('admin:media')
@Controller('admin/rooms/:roomId/media')
export class AdminRoomMediaController {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly uploads: MediaUploads,
    private readonly library: MediaLibrary,
  ) {}

  @Get()
  @ReadModelQuery(mediaProjection)
  @ApiOkResponse({ type: MediaListResponse, description: "The room's media (its own, its members' uploads into it, its avatar, comment attachments), newest first" })
  @ApiErrors(400, 404)
  async list(@Param('roomId', UuidParamPipe) roomId: string, @Query() query: PageQueryDto): Promise<{ items: MediaView[] }> {
    return { items: (await this.library.ofRoomForAdministrator(roomId, query.limit ?? 50)).map(mediaView) };
  }

  @Post()
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(UploadMediaBody) }, { $ref: getSchemaPath(UploadMediaForm) }] } })
  @ApiCreatedResponse({ type: UploadedMediaResponse, description: "The room's own media: ownerId is the room" })
  @ApiErrors(...COMMAND_ERRORS, 404)
  @ApiOperation({ summary: "Adds media the room owns (the same bodies as POST /v1/media)" })
  async add(@Param('roomId', UuidParamPipe) roomId: string, @Req() request: FastifyRequest, @AdminCaller() caller: CommandContext): Promise<UploadedMedia> {
    const upload = await readUpload(request, this.config.media.maxBytes);
    return this.uploads.upload(upload, caller, { roomId, purpose: 'room_media', ownedByRoom: true }, true);
  }

  @Get(':mediaId/info')
  @ReadModelQuery(mediaProjection)
  @ApiOkResponse({ type: MediaResponse })
  @ApiErrors(400, 404)
  async info(@Param('roomId', UuidParamPipe) roomId: string, @Param('mediaId', UuidParamPipe) mediaId: string): Promise<MediaView> {
    return mediaView(await this.library.inRoomForAdministrator(roomId, mediaId));
  }

  @Head(':mediaId')
  @Download()
  head(@Param('roomId', UuidParamPipe) roomId: string, @Param('mediaId', UuidParamPipe) mediaId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return serveMedia(this.library.servableInRoomForAdministrator(roomId, mediaId, null), request, reply, false);
  }

  @Get(':mediaId')
  @Download()
  download(@Param('roomId', UuidParamPipe) roomId: string, @Param('mediaId', UuidParamPipe) mediaId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return serveMedia(this.library.servableInRoomForAdministrator(roomId, mediaId, null), request, reply, true);
  }

  @Delete(':mediaId')
  @HttpCode(200)
  @ApiOkResponse({ type: DeletedMediaResponse, description: 'Deleted: the bytes are gone from storage; the events stay' })
  @ApiErrors(400, 404, 409, 503, 507)
  async delete(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('mediaId', UuidParamPipe) mediaId: string,
    @AdminCaller() caller: CommandContext,
  ): Promise<{ id: string; deleted: true; position: string }> {
    const { position } = await this.library.delete(mediaId, caller, roomId, true);
    return { id: mediaId, deleted: true, position };
  }
}

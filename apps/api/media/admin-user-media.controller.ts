import { Controller, Delete, Get, Head, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../libs/config/config';
import { notFound } from '../../../libs/domain/errors';
import { mediaProjection, usersProjection } from '../../../projections';
import { AdminCaller } from '../admin/api-key.guard';
import { GetAdminUserQuery, type AdminUserView } from '../admin/admin-users.queries';
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

export const ADMIN_USER_MEDIA_ROUTE = '/v1/admin/users/:userId/media';

/**
 * A user's media for holders of a key with `admin:media` (Trillian's user
 * media administration): list, read, add and delete any user's media,
 * whatever its audience. Added media is the user's own (sealed with their
 * key, erased with them); events name the API key as the actor and the user
 * as the subject.
 */
@ApiTags('admin: media')
@Public()
@RequireScopes('admin:media')
@Controller('admin/users/:userId/media')
export class AdminUserMediaController {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly uploads: MediaUploads,
    private readonly library: MediaLibrary,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ReadModelQuery(mediaProjection, usersProjection)
  @ApiOkResponse({ type: MediaListResponse, description: "The user's media, newest first" })
  @ApiErrors(400, 404)
  async list(@Param('userId', UuidParamPipe) userId: string, @Query() query: PageQueryDto): Promise<{ items: MediaView[] }> {
    await this.requireUser(userId);
    return { items: await this.library.ofOwner(userId, query.limit ?? 50) };
  }

  @Post()
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(UploadMediaBody) }, { $ref: getSchemaPath(UploadMediaForm) }] } })
  @ApiCreatedResponse({ type: UploadedMediaResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  @ApiOperation({ summary: "Adds media to the user's own (the same bodies as POST /v1/media)" })
  async add(@Param('userId', UuidParamPipe) userId: string, @Req() request: FastifyRequest, @AdminCaller() caller: CommandContext): Promise<UploadedMedia> {
    await this.requireUser(userId);
    const upload = await readUpload(request, this.config.media.maxBytes);
    return this.uploads.upload(upload, { ...caller, actor: userId, actingKey: caller.actor }, null, true);
  }

  @Get(':mediaId/info')
  @ReadModelQuery(mediaProjection)
  @ApiOkResponse({ type: MediaResponse })
  @ApiErrors(400, 404)
  async info(@Param('userId', UuidParamPipe) userId: string, @Param('mediaId', UuidParamPipe) mediaId: string): Promise<MediaView> {
    return mediaView(await this.library.ofOwnerForAdministrator(userId, mediaId));
  }

  @Head(':mediaId')
  @Download()
  head(
    @Param('userId', UuidParamPipe) userId: string,
    @Param('mediaId', UuidParamPipe) mediaId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return serveMedia(this.library.servableForAdministrator(userId, mediaId, null), request, reply, false);
  }

  @Get(':mediaId')
  @Download()
  download(
    @Param('userId', UuidParamPipe) userId: string,
    @Param('mediaId', UuidParamPipe) mediaId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return serveMedia(this.library.servableForAdministrator(userId, mediaId, null), request, reply, true);
  }

  @Delete(':mediaId')
  @HttpCode(200)
  @ReadModelQuery(mediaProjection)
  @ApiOkResponse({ type: DeletedMediaResponse, description: 'Deleted: the bytes are gone from storage; the events stay' })
  @ApiErrors(400, 404, 409, 503, 507)
  async delete(
    @Param('userId', UuidParamPipe) userId: string,
    @Param('mediaId', UuidParamPipe) mediaId: string,
    @AdminCaller() caller: CommandContext,
  ): Promise<{ id: string; deleted: true; position: string }> {
    // Only this user's media answers here: another user's id is not found.
    await this.library.ofOwnerForAdministrator(userId, mediaId);
    const { position } = await this.library.delete(mediaId, caller, null, true);
    return { id: mediaId, deleted: true, position };
  }

  private async requireUser(userId: string): Promise<void> {
    const user: AdminUserView = await this.queries.execute(new GetAdminUserQuery(userId));
    if (user.removed) throw notFound('USER.NOT_FOUND', 'User not found');
  }
}

import { Controller, Delete, Get, Head, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../libs/config/config';
import { mediaProjection, roomsProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { PageQueryDto } from '../common/page-query.dto';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { Inject } from '@nestjs/common';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { Download, serveMedia } from './media-download';
import { MediaLibrary } from './media-library';
import { MediaUploads, type UploadedMedia } from './media-uploads';
import { DeletedMediaResponse, MediaListResponse, MediaResponse, UploadedMediaResponse, UploadMediaBody, UploadMediaForm } from './media.responses';
import type { MediaView } from './media-views';
import { readUpload } from './upload-body';

export const MEDIA_ROUTE = '/v1/media';

@ApiTags('media')
@UserApi()
@Controller('media')
export class MediaController {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly uploads: MediaUploads,
    private readonly library: MediaLibrary,
  ) {}

  /**
   * Uploads a file: `multipart/form-data` with `file`, or JSON `{ data, type?,
   * name? }` with the bytes in base64. The type is sniffed from the bytes;
   * images get their dimensions and thumbnails of 64, 256 and 1024 px.
   */
  @Post()
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiExtraModels(UploadMediaBody, UploadMediaForm)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(UploadMediaBody) }, { $ref: getSchemaPath(UploadMediaForm) }] } })
  @ApiCreatedResponse({ type: UploadedMediaResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  async upload(@Req() request: FastifyRequest, @Caller() caller: CommandContext): Promise<UploadedMedia> {
    return this.uploads.upload(await readUpload(request, this.config.media.maxBytes), caller);
  }

  @Get()
  @ReadModelQuery(mediaProjection)
  @ApiOkResponse({ type: MediaListResponse, description: "The caller's own media, newest first" })
  @ApiErrors(400)
  async list(@Query() query: PageQueryDto, @Caller() caller: CommandContext): Promise<{ items: MediaView[] }> {
    return { items: await this.library.ofOwner(caller.actor, query.limit ?? 50) };
  }

  @Get(':id/info')
  @ReadModelQuery(mediaProjection, roomsProjection)
  @ApiOkResponse({ type: MediaResponse })
  @ApiErrors(400, 404)
  info(@Param('id', UuidParamPipe) id: string, @Caller() caller: CommandContext): Promise<MediaView> {
    return this.library.view(caller.actor, id);
  }

  @Head(':id')
  @Download()
  head(@Param('id', UuidParamPipe) id: string, @Caller() caller: CommandContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return serveMedia(this.library.servable(caller.actor, id, null), request, reply, false);
  }

  @Get(':id')
  @Download()
  download(@Param('id', UuidParamPipe) id: string, @Caller() caller: CommandContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return serveMedia(this.library.servable(caller.actor, id, null), request, reply, true);
  }

  @Head(':id/thumbnails/:size')
  @Download()
  headThumbnail(
    @Param('id', UuidParamPipe) id: string,
    @Param('size', ParseIntPipe) size: number,
    @Caller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return serveMedia(this.library.servable(caller.actor, id, size), request, reply, false);
  }

  @Get(':id/thumbnails/:size')
  @Download()
  thumbnail(
    @Param('id', UuidParamPipe) id: string,
    @Param('size', ParseIntPipe) size: number,
    @Caller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return serveMedia(this.library.servable(caller.actor, id, size), request, reply, true);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({ type: DeletedMediaResponse, description: 'Deleted: the bytes are gone from storage; the events stay' })
  @ApiErrors(400, 403, 404, 409, 503, 507)
  async delete(@Param('id', UuidParamPipe) id: string, @Caller() caller: CommandContext): Promise<{ id: string; deleted: true; position: string }> {
    const { position } = await this.library.delete(id, caller, null);
    return { id, deleted: true, position };
  }
}

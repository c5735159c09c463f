import { Controller, Delete, Get, Head, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../libs/config/config';
import { notFound } from '../../../libs/domain/errors';
import { mediaProjection, roomsProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { PageQueryDto } from '../common/page-query.dto';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { Inject } from '@nestjs/common';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { parseRange } from './byte-range';
import { MediaLibrary, type Servable } from './media-library';
import { MediaUploads, type UploadedMedia } from './media-uploads';
import { DeletedMediaResponse, MediaListResponse, MediaResponse, UploadedMediaResponse, UploadMediaBody, UploadMediaForm } from './media.responses';
import type { MediaView } from './media-views';
import { readUpload } from './upload-body';

export const MEDIA_ROUTE = '/v1/media';

/** How a download is declared: any media type, the bytes as they are. */
const BYTES = { content: { '*/*': { schema: { type: 'string', format: 'binary' } } } };
const DOWNLOAD_HEADERS = {
  'Content-Type': { description: 'The type sniffed at upload', schema: { type: 'string' } },
  'Content-Length': { schema: { type: 'integer' } },
  ETag: { description: 'Strong: the SHA-256 of the bytes', schema: { type: 'string' } },
  'Cache-Control': { schema: { type: 'string' } },
  'Accept-Ranges': { schema: { type: 'string', enum: ['bytes'] } },
};

export const Download = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiResponse({ status: 200, description: 'The bytes', headers: DOWNLOAD_HEADERS, ...BYTES })(target, key, descriptor);
  ApiResponse({ status: 206, description: 'The range asked for (Range: bytes=start-end)', headers: DOWNLOAD_HEADERS, ...BYTES })(target, key, descriptor);
  ApiResponse({ status: 304, description: 'If-None-Match named the current ETag' })(target, key, descriptor);
  ApiErrors(400, 404, 416)(target, key, descriptor);
  ReadModelQuery(mediaProjection, roomsProjection)(target, key, descriptor);
};

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

/** Streams the bytes with their validators; a range beyond the end is 416. */
export async function serveMedia(found: Promise<Servable>, request: FastifyRequest, reply: FastifyReply, body: boolean): Promise<void> {
  const media = await found;
  void reply
    .header('etag', media.etag)
    .header('cache-control', 'private, max-age=31536000, immutable')
    .header('accept-ranges', 'bytes')
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === media.etag) {
    void reply.status(304).send();
    return;
  }
  const range = parseRange(request.headers['range'], media.size);
  if (range === 'unsatisfiable') {
    void reply
      .status(416)
      .header('content-range', `bytes */${media.size}`)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ statusCode: 416, code: 'MEDIA.RANGE_NOT_SATISFIABLE', message: `The content has ${media.size} bytes`, details: [{ field: 'Range', reason: `starts beyond the last byte (${media.size - 1})` }] });
    return;
  }
  const length = range ? range.end - range.start + 1 : media.size;
  void reply
    .status(range ? 206 : 200)
    .header('content-type', media.type)
    .header('content-length', String(length));
  if (range) void reply.header('content-range', `bytes ${range.start}-${range.end}/${media.size}`);
  if (!body) {
    void reply.send();
    return;
  }
  const stream = await media.open(range ?? undefined);
  if (stream === null) throw notFound('MEDIA.NOT_FOUND', 'Media not found');
  void reply.send(stream);
}

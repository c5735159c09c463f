import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { ParleyConfig } from '../../../libs/config/config';
import { notFound } from '../../../libs/domain/errors';
import { mediaDecider, type MediaCommand } from '../../../libs/domain/media/media.decider';
import { streams } from '../../../libs/domain/streams';
import { mediaProjection, roomsProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { PageQueryDto } from '../common/page-query.dto';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { MediaLibrary } from './media-library';
import { MediaUploads, type UploadedMedia } from './media-uploads';
import { DeletedMediaResponse, MediaListResponse, MediaResponse, UploadedMediaResponse, UploadMediaBody, UploadMediaForm } from './media.responses';
import type { MediaView } from './media-views';
import { readUpload } from './upload-body';

export const ROOM_MEDIA_ROUTE = '/v1/rooms/:roomId/media';

/**
 * A room's media (Trillian's group-chat media): what members uploaded into
 * the room, added to it, or attached to its comments. Members read it; the
 * uploader or an operator of the room deletes it.
 */
@ApiTags('media')
@UserApi()
@Controller('rooms/:roomId/media')
export class RoomMediaController {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly uploads: MediaUploads,
    private readonly library: MediaLibrary,
    private readonly pipeline: CommandPipeline,
    private readonly rooms: RoomStates,
    private readonly gate: ReadModelGate,
  ) {}

  @Get()
  @ReadModelQuery(mediaProjection)
  @ApiOkResponse({ type: MediaListResponse, description: "The room's media, newest first; an erased uploader's items show `removed`" })
  @ApiErrors(400, 404)
  async list(@Param('roomId', UuidParamPipe) roomId: string, @Query() query: PageQueryDto, @Caller() caller: CommandContext): Promise<{ items: MediaView[] }> {
    return { items: await this.library.ofRoom(caller.actor, roomId, query.limit ?? 50) };
  }

  /** Uploads into the room's media: the same bodies as POST /v1/media. */
  @Post()
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(UploadMediaBody) }, { $ref: getSchemaPath(UploadMediaForm) }] } })
  @ApiCreatedResponse({ type: UploadedMediaResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  async upload(@Param('roomId', UuidParamPipe) roomId: string, @Req() request: FastifyRequest, @Caller() caller: CommandContext): Promise<UploadedMedia> {
    return this.uploads.upload(await readUpload(request, this.config.media.maxBytes), caller, { roomId, purpose: 'room_media' });
  }

  /** Adds one's own upload to the room's media. */
  @Put(':mediaId')
  @ApiOkResponse({ type: UploadedMediaResponse })
  @ApiErrors(400, 404, 409, 503, 507)
  async add(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('mediaId', UuidParamPipe) mediaId: string,
    @Caller() caller: CommandContext,
  ): Promise<UploadedMedia> {
    const { appended } = await this.pipeline.handle(
      mediaDecider,
      streams.media(mediaId),
      async (): Promise<MediaCommand> => ({
        type: 'AttachMedia',
        mediaId,
        actor: caller.actor,
        roomId,
        room: (await this.rooms.load(roomId)).state,
        purpose: 'room_media',
        now: new Date().toISOString(),
      }),
      caller,
    );
    // Nothing appended when it already was the room's: the answer is the same, at the head the read models have.
    const position = appended?.position ?? (await this.gate.position()) ?? 0n;
    await this.gate.waitFor(position, this.config.minPositionWaitMs);
    return { ...(await this.library.view(caller.actor, mediaId)), position: position.toString() };
  }

  @Get(':mediaId')
  @ReadModelQuery(mediaProjection, roomsProjection)
  @ApiOkResponse({ type: MediaResponse })
  @ApiErrors(400, 404)
  async get(@Param('roomId', UuidParamPipe) roomId: string, @Param('mediaId', UuidParamPipe) mediaId: string, @Caller() caller: CommandContext): Promise<MediaView> {
    const doc = await this.library.readable(caller.actor, mediaId);
    if (!doc.rooms.includes(roomId)) throw notFound('MEDIA.NOT_FOUND', 'Media not found');
    return this.library.view(caller.actor, mediaId);
  }

  @Delete(':mediaId')
  @HttpCode(200)
  @ApiOkResponse({ type: DeletedMediaResponse })
  @ApiErrors(400, 403, 404, 409, 503, 507)
  async delete(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Param('mediaId', UuidParamPipe) mediaId: string,
    @Caller() caller: CommandContext,
  ): Promise<{ id: string; deleted: true; position: string }> {
    const { position } = await this.library.delete(mediaId, caller, roomId);
    return { id: mediaId, deleted: true, position };
  }
}

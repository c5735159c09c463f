import { Controller, Get, Inject, Param, Put, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiProperty, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../libs/config/config';
import { validationError } from '../../../libs/domain/errors';
import { isImageType, sniffMediaType } from '../../../libs/domain/media/media-type';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { mediaProjection } from '../../../projections';
import { ROOM_AVATARS, type RoomAvatarDoc } from '../../../projections/media.projection';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, DATE_TIME, POSITION, UserApi } from '../common/openapi';
import { PageQueryDto } from '../common/page-query.dto';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { ExecuteRoomCommand, type RoomCommandResult } from '../rooms/room-command.command';
import { RoomStates } from '../rooms/room-states';
import { requireMember, requireRoom } from '../../../libs/domain/rooms/room.decider';
import { MediaUploads } from './media-uploads';
import { MediaResponse, UploadMediaBody } from './media.responses';
import type { MediaView } from './media-views';
import { readUpload } from './upload-body';

export const ROOM_AVATAR_ROUTE = '/v1/rooms/:roomId/avatar';

class RoomAvatarUploadForm {
  @ApiProperty({ type: 'string', format: 'binary', description: 'An image' }) avatar!: string;
}

class RoomAvatarLink {
  @ApiProperty({ type: String, nullable: true, format: 'uri', description: 'An absolute http(s) URL; null clears the avatar' }) url!: string | null;
}

class RoomAvatarSetResponse {
  @ApiProperty({ format: 'uuid' }) roomId!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: "An absolute URL, or the upload's /v1/media/<id>" }) avatarUrl!: string | null;
  @ApiProperty({ ...POSITION, nullable: true, description: 'Of the avatar change; null when the room already showed it' }) position!: string | null;
  @ApiProperty({ type: MediaResponse, required: false, description: 'The uploaded avatar, with its thumbnails' }) media?: MediaResponse;
}

class RoomAvatarChangeResponse {
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: 'null: the avatar was cleared' }) url!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The upload it shows, when it is Parley media' }) mediaId!: string | null;
  @ApiProperty() changedBy!: string;
  @ApiProperty(DATE_TIME) changedAt!: string;
}

class RoomAvatarHistoryResponse {
  @ApiProperty({ type: [RoomAvatarChangeResponse], description: 'Newest first' }) items!: RoomAvatarChangeResponse[];
}

export interface RoomAvatarChange {
  readonly url: string | null;
  readonly mediaId: string | null;
  readonly changedBy: string;
  readonly changedAt: string;
}

const HTTP_URL = /^https?:\/\/[^\s]{1,1990}$/;

/**
 * A room's avatar as an upload (multipart `avatar`, or JSON `{ data, type? }`
 * in base64) or a link (`{ url }`): an upload becomes media of the room
 * (`MediaAttached` with purpose `avatar`, so members read it) and the room's
 * avatar is its URL, which the timeline shows as an `avatar_changed` item.
 * Who may: a member the room's rename permission allows.
 */
@ApiTags('rooms')
@UserApi()
@Controller('rooms/:roomId/avatar')
export class RoomAvatarController {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly uploads: MediaUploads,
    private readonly commands: CommandBus,
    private readonly rooms: RoomStates,
  ) {}

  @Put()
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiExtraModels(RoomAvatarUploadForm, RoomAvatarLink, UploadMediaBody)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(RoomAvatarUploadForm) }, { $ref: getSchemaPath(UploadMediaBody) }, { $ref: getSchemaPath(RoomAvatarLink) }] } })
  @ApiOkResponse({ type: RoomAvatarSetResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  async set(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Req() request: FastifyRequest,
    @Caller() caller: CommandContext,
  ): Promise<{ roomId: string; avatarUrl: string | null; position: string | null; media?: MediaView }> {
    const body = request.body as Record<string, unknown> | null | undefined;
    let url: string | null;
    let media: MediaView | undefined;
    if (!request.isMultipart() && body && typeof body === 'object' && !Array.isArray(body) && 'url' in body) {
      const unknown = Object.keys(body).find((key) => key !== 'url');
      if (unknown) throw validationError('REQUEST.VALIDATION_FAILED', `property ${unknown} should not exist`, [{ field: unknown, reason: 'property should not exist' }]);
      const given = body['url'];
      if (given !== null && (typeof given !== 'string' || !HTTP_URL.test(given))) {
        throw validationError('REQUEST.VALIDATION_FAILED', 'url must be an absolute http(s) URL or null', [{ field: 'url', reason: 'must be an absolute http(s) URL (at most 2000 characters) or null' }]);
      }
      url = given;
    } else {
      const upload = await readUpload(request, this.config.media.maxBytes, 'avatar');
      // Checked before anything is stored: an avatar is an image.
      if (!isImageType(sniffMediaType(upload.bytes))) {
        throw validationError('MEDIA.NOT_AN_IMAGE', `${upload.field} must be an image`, [{ field: upload.field, reason: 'must be an image (JPEG, PNG, GIF, WebP or AVIF)' }]);
      }
      const { position: _position, ...view } = await this.uploads.upload(upload, caller, { roomId, purpose: 'avatar' });
      media = view;
      url = view.url;
    }
    const result: RoomCommandResult = await this.commands.execute(
      new ExecuteRoomCommand(roomId, { type: 'UpdateRoom', actor: caller.actor, avatarUrl: url, now: new Date().toISOString() }, caller),
    );
    return { roomId, avatarUrl: url, position: result.position, ...(media ? { media } : {}) };
  }

  @Get('history')
  @ReadModelQuery(mediaProjection)
  @ApiOkResponse({ type: RoomAvatarHistoryResponse, description: "The room's avatars, newest first; members only" })
  @ApiErrors(400, 404)
  async history(
    @Param('roomId', UuidParamPipe) roomId: string,
    @Query() query: PageQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<{ items: RoomAvatarChange[] }> {
    requireMember(requireRoom((await this.rooms.load(roomId)).state), caller.actor);
    const docs = (await this.readStore.find(ROOM_AVATARS, {
      filter: { roomId },
      sort: [{ field: 'position', direction: 'desc' }],
      limit: query.limit ?? 50,
    })) as unknown as RoomAvatarDoc[];
    return { items: docs.map((doc) => ({ url: doc.url, mediaId: doc.mediaId, changedBy: doc.changedBy, changedAt: doc.changedAt })) };
  }
}

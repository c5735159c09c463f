import { Controller, Inject, Put, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiProperty, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../libs/config/config';
import { validationError } from '../../../libs/domain/errors';
import { Caller } from '../auth/auth.decorators';
import { ApiErrors, COMMAND_ERRORS, POSITION, UserApi } from '../common/openapi';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { ExecuteProfileCommand, type ProfileCommandResult } from '../users/profile.command';
import { PhotoDto } from '../users/profile.dto';
import { UserPhotos } from './user-photos';
import { MediaResponse } from './media.responses';
import type { MediaView } from './media-views';
import { readUpload } from './upload-body';

export const ME_PHOTO_ROUTE = '/v1/me/photo';

class PhotoUploadForm {
  @ApiProperty({ type: 'string', format: 'binary', description: 'An image (Windu: curl -F "photo=@photo.jpg")' }) photo!: string;
}

class PhotoSetWithMediaResponse {
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: "An absolute URL, or an upload's /v1/media/<id>" }) url!: string | null;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ type: MediaResponse, required: false, description: 'The uploaded photo, with its preview sizes' }) media?: MediaResponse;
}

/**
 * The profile photo (Windu): a URL as before, or an upload (`multipart/form-data`
 * with `photo`) stored as the user's media; its thumbnails are the preview
 * sizes, and viewers the owner's photo privacy allows may read it.
 */
@ApiTags('profile')
@UserApi()
@Controller('me/photo')
export class MePhotoController {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly photos: UserPhotos,
    private readonly commands: CommandBus,
  ) {}

  @Put()
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiExtraModels(PhotoDto, PhotoUploadForm)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(PhotoDto) }, { $ref: getSchemaPath(PhotoUploadForm) }] } })
  @ApiOkResponse({ type: PhotoSetWithMediaResponse })
  @ApiErrors(...COMMAND_ERRORS, 403)
  async set(@Req() request: FastifyRequest, @Caller() caller: CommandContext): Promise<{ url: string | null; position: string; media?: MediaView }> {
    if (request.isMultipart()) return this.photos.setOwn(await readUpload(request, this.config.media.maxBytes, 'photo'), caller);
    const body = request.body as Record<string, unknown> | null | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body['url'] !== 'string') {
      throw validationError('REQUEST.VALIDATION_FAILED', 'url must be a string', [{ field: 'url', reason: 'must be a string (or upload the photo as multipart/form-data)' }]);
    }
    const unknown = Object.keys(body).find((key) => key !== 'url');
    if (unknown) throw validationError('REQUEST.VALIDATION_FAILED', `property ${unknown} should not exist`, [{ field: unknown, reason: 'property should not exist' }]);
    const url = body['url'];
    const result: ProfileCommandResult = await this.commands.execute(
      new ExecuteProfileCommand(caller.actor, { type: 'SetPhoto', actor: caller.actor, url, now: new Date().toISOString() }, caller),
    );
    return { url: result.profile.photoUrl, position: result.position };
  }
}

import { Controller, Delete, Get, Param, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { usersProjection } from '../../../projections';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS, POSITION } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { Download } from './media-download';
import { MediaResponse, UploadMediaBody } from './media.responses';
import { UserPhotos, type AdminPhotoResult } from './user-photos';

export const ADMIN_USER_PHOTO_ROUTE = '/v1/admin/users/:userId/photo';

class AdminPhotoForm {
  @ApiProperty({ type: 'string', format: 'binary', description: 'An image' }) photo!: string;
}

export class AdminPhotoResponse {
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: "The photo's URL (an upload's /v1/media/<id>); null once removed" }) url!: string | null;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ type: MediaResponse, required: false, description: 'The uploaded photo, with its preview sizes' }) media?: MediaResponse;
}

/**
 * The photo a user shows in everyone's contact lists (Trillian's address book
 * avatar), set, read and removed by an administrator (`admin:users`). An
 * upload is stored as the user's own media (sealed with their key, erased
 * with them); the profile change names the API key as its actor.
 */
@ApiTags('admin: users')
@Public()
@RequireScopes('admin:users')
@Controller('admin/users/:userId/photo')
export class AdminUserPhotoController {
  constructor(private readonly photos: UserPhotos) {}

  @Put()
  @ApiOperation({ summary: "Uploads the user's photo (an image: multipart photo, or JSON { data, type?, name? })" })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiExtraModels(AdminPhotoForm, UploadMediaBody)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(AdminPhotoForm) }, { $ref: getSchemaPath(UploadMediaBody) }] } })
  @ApiOkResponse({ type: AdminPhotoResponse })
  @ApiErrors(...COMMAND_ERRORS, 403, 404)
  async set(@Param('userId', UuidParamPipe) userId: string, @Req() request: FastifyRequest, @AdminCaller() caller: CommandContext): Promise<AdminPhotoResult> {
    return this.photos.set(userId, request, caller);
  }

  @Get()
  @Download()
  @ApiResponse({ status: 302, description: 'The photo is a link elsewhere: Location names it', headers: { Location: { schema: { type: 'string', format: 'uri' } } } })
  @ReadModelQuery(usersProjection)
  @ApiOperation({ summary: "The user's photo: its bytes, or a redirect when it is a link; 404 PROFILE.PHOTO_NOT_SET when there is none" })
  async get(@Param('userId', UuidParamPipe) userId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.photos.serve(userId, request, reply);
  }

  @Delete()
  @ApiOperation({ summary: "Removes the user's photo (the uploaded media stays the user's until deleted)" })
  @ApiOkResponse({ type: AdminPhotoResponse })
  @ApiErrors(400, 404, 409, 503, 507)
  async remove(@Param('userId', UuidParamPipe) userId: string, @AdminCaller() caller: CommandContext): Promise<AdminPhotoResult> {
    return this.photos.remove(userId, caller);
  }
}


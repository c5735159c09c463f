import { Controller, Delete, Get, HttpCode, Param, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { usersProjection } from '../../../../projections';
import { AdminCaller } from '../../admin/api-key.guard';
import { ApiEmptyResponse, ApiErrors } from '../../common/openapi';
import { ReadModelQuery } from '../../common/min-position.interceptor';
import { UserPhotos } from '../../media/user-photos';
import { TrillianToken } from './trillian-auth.guard';
import { TRILLIAN_ERRORS, TrillianAnswer } from './trillian.openapi';
import { answer, href, userIdOf } from './trillian-wire';

export const TRILLIAN_AVATAR_ROUTE = '/trillian/v1/users/:user/addressbook/avatar';

/**
 * Trillian's address book avatar (`/trillian/v1/users/:user/addressbook/avatar`):
 * the picture a user shows in everyone's contact lists, which is Parley's
 * profile photo. Tokens with `admin:users`. The image comes base64 in `data`
 * (form or JSON, as Trillian sends media) or as a multipart `avatar` file.
 */
@ApiTags('compat: trillian')
@TrillianToken('admin:users')
@Controller('trillian/v1/users/:user/addressbook/avatar')
export class TrillianAddressbookController {
  constructor(private readonly photos: UserPhotos) {}

  @Get()
  @ApiResponse({ status: 200, description: 'The image', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 206, description: 'The range asked for (Range: bytes=start-end)', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 304, description: 'If-None-Match named the current ETag' })
  @ApiErrors(404, 416)
  @ReadModelQuery(usersProjection)
  @ApiResponse({ status: 302, description: 'The avatar is a link elsewhere: Location names it', headers: { Location: { schema: { type: 'string', format: 'uri' } } } })
  @ApiOperation({ summary: "Get a user's avatar", description: 'The image itself; 404 PROFILE.PHOTO_NOT_SET when the user has none.' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  get(@Param('user') user: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.photos.serve(userIdOf(user, 'user'), request, reply);
  }

  @Put()
  @HttpCode(201)
  @ApiOperation({ summary: "Set a user's avatar" })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json', 'multipart/form-data')
  @ApiProduces('application/xml', 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        data: { type: 'string', description: 'The image, base64' },
        type: { type: 'string', description: 'Its MIME type, e.g. image/png; refused when the bytes say otherwise' },
        name: { type: 'string' },
        avatar: { type: 'string', format: 'binary', description: 'Or the image as a multipart file' },
      },
    },
  })
  @TrillianAnswer(201, 'avatar', ...TRILLIAN_ERRORS, 404)
  async set(@Param('user') user: string, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = userIdOf(user, 'user');
    const { media } = await this.photos.set(userId, request, caller, 'avatar');
    return answer(request, reply, 201, {
      avatar: { '@_href': href(request, `users/${encodeURIComponent(userId)}/addressbook/avatar/`), '@_type': media?.type ?? '', '@_size': media?.size ?? 0 },
    });
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: "Delete a user's avatar" })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 404, 409, 503, 507)
  async remove(@Param('user') user: string, @AdminCaller() caller: CommandContext): Promise<void> {
    await this.photos.remove(userIdOf(user, 'user'), caller);
  }
}

import { Controller, Delete, Get, Head, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../../libs/config/config';
import { notFound, validationError } from '../../../../libs/domain/errors';
import { isImageType, sniffMediaType } from '../../../../libs/domain/media/media-type';
import type { MediaDoc } from '../../../../projections/media.projection';
import { mediaProjection, usersProjection } from '../../../../projections';
import { AdminCaller } from '../../admin/api-key.guard';
import { GetAdminUserQuery, type AdminUserView } from '../../admin/admin-users.queries';
import { ApiEmptyResponse } from '../../common/openapi';
import { ReadModelQuery } from '../../common/min-position.interceptor';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import { MediaLibrary } from '../../media/media-library';
import { MediaUploads, type UploadedMedia } from '../../media/media-uploads';
import { Download, serveMedia } from '../../media/media-download';
import { readUpload, type UploadBody } from '../../media/upload-body';
import { TrillianToken } from './trillian-auth.guard';
import { roomIdOf } from './trillian-groupchats.controller';
import { TRILLIAN_ERRORS, TrillianAnswer } from './trillian.openapi';
import { answer, userIdOf, type WireNode } from './trillian-wire';

export const TRILLIAN_GROUPCHAT_MEDIA_ROUTE = '/trillian/v1/groupchats/:groupchat/media';
export const TRILLIAN_USER_MEDIA_ROUTE = '/trillian/v1/users/:user/media';
/** Base64 of at most 65,535 bytes (the seed's bound on a thumbnail): what the upload reader lets `thumbnail` take. */
export const TRILLIAN_UPLOAD_FIELD_LIMITS = { thumbnail: Math.ceil(65535 / 3) * 4 } as const;
const THUMBNAIL_MAX = 65535;
/** Trillian lists a collection whole; Parley answers its newest this many. */
const LIST_MAX = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const invalid = (field: string, reason: string) => validationError('REQUEST.VALIDATION_FAILED', `${field} ${reason}`, [{ field, reason }]);

function itemOf(item: string): string {
  const id = item.toLowerCase();
  if (!UUID.test(id)) throw invalid('item', 'must be a media id');
  return id;
}

/** `imagewidth` / `imageheight`: a whole number of pixels; absent, empty or 0 when not an image. */
function pixelsOf(value: unknown, field: string): number | null {
  if (value === undefined || value === '' || value === 0 || value === '0') return null;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[1-9][0-9]{0,5}$/.test(text)) throw invalid(field, 'must be a whole number of pixels');
  return Number(text);
}

/**
 * Trillian's `thumbnail`: base64 of an image of at most 65,535 bytes. Parley
 * makes its own thumbnails of images from the bytes, so the client's is
 * checked (a refusal names it) and not kept.
 */
function checkThumbnail(value: unknown): void {
  if (value === undefined || value === '') return;
  if (typeof value !== 'string' || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw invalid('thumbnail', 'is not base64');
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > THUMBNAIL_MAX) throw invalid('thumbnail', `must be at most ${THUMBNAIL_MAX} bytes`);
  if (!isImageType(sniffMediaType(bytes))) throw invalid('thumbnail', 'is not an image');
}

/** An upload in Trillian's fields (data, type, name, imagewidth, imageheight, thumbnail), checked before anything is stored. */
async function trillianUpload(request: FastifyRequest, maxBytes: number): Promise<UploadBody> {
  const upload = await readUpload(request, maxBytes, 'file', ['imagewidth', 'imageheight', 'thumbnail']);
  checkThumbnail(upload.extra['thumbnail']);
  return { ...upload, claimedDimensions: { width: pixelsOf(upload.extra['imagewidth'], 'imagewidth'), height: pixelsOf(upload.extra['imageheight'], 'imageheight') } };
}

const UPLOAD_BODY = {
  schema: {
    type: 'object',
    required: ['data'],
    properties: {
      data: { type: 'string', description: 'The bytes, base64 (in a form, a bare + is taken as base64, not a space)' },
      type: { type: 'string', description: 'The MIME type the client believes it is; refused when the bytes say otherwise' },
      name: { type: 'string', description: 'The file name' },
      imagewidth: { oneOf: [{ type: 'string', pattern: '^[0-9]{1,6}$' }, { type: 'integer', minimum: 0 }], description: 'Refused when the image is another size' },
      imageheight: { oneOf: [{ type: 'string', pattern: '^[0-9]{1,6}$' }, { type: 'integer', minimum: 0 }], description: 'Refused when the image is another size' },
      thumbnail: { type: 'string', description: 'Base64 of an image of at most 65,535 bytes: checked, not kept (Parley makes thumbnails of images itself)' },
    },
  },
};

/**
 * Trillian's group-chat media and user media (`/trillian/v1/groupchats/:groupchat/media`,
 * `/trillian/v1/users/:user/media`) over Parley's administration of room and
 * user media: tokens with `admin:media`. A group chat's upload is the room's
 * own (`owner` is the group chat); a member's upload into the room names the
 * member. In a list, `data` is base64 of the bytes' SHA-256 (as the seed's
 * listing shows a digest) and `thumbnail` the 64 px thumbnail; a single item
 * carries its bytes in `data`. HEAD on an item answers the media's own
 * headers (type, length, ETag) without its bytes.
 */
@ApiTags('compat: trillian')
@TrillianToken('admin:media')
@ApiProduces('application/xml', 'application/json')
@Controller('trillian/v1')
export class TrillianMediaController {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly uploads: MediaUploads,
    private readonly library: MediaLibrary,
    private readonly gate: ReadModelGate,
    private readonly queries: QueryBus,
  ) {}

  @Get('groupchats/:groupchat/media')
  @ReadModelQuery(mediaProjection)
  @ApiOperation({ summary: 'Get all media owned by a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @TrillianAnswer(200, 'medias', 400, 404)
  async listOfGroupchat(@Param('groupchat') name: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const roomId = roomIdOf(name);
    const docs = await this.library.ofRoomForAdministrator(roomId, LIST_MAX);
    return answer(request, reply, 200, { media: await Promise.all(docs.map((doc) => this.listed(doc, request))) });
  }

  // Declared before the GET: Fastify would otherwise derive a HEAD from it, carrying the XML's headers.
  @Head('groupchats/:groupchat/media/:item')
  @Download()
  @ApiOperation({ summary: "Information about a group chat's media item before retrieving it: its type, length and ETag" })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'item', schema: { type: 'string', format: 'uuid' } })
  async headOfGroupchat(@Param('groupchat') name: string, @Param('item') item: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await serveMedia(this.library.servableInRoomForAdministrator(roomIdOf(name), itemOf(item), null), request, reply, false);
  }

  @Get('groupchats/:groupchat/media/:item')
  @ReadModelQuery(mediaProjection)
  @ApiOperation({ summary: 'Get a single media item owned by a group chat (its bytes in base64 data)' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'item', schema: { type: 'string', format: 'uuid' } })
  @TrillianAnswer(200, 'media', 400, 404)
  async getOfGroupchat(@Param('groupchat') name: string, @Param('item') item: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const doc = await this.library.inRoomForAdministrator(roomIdOf(name), itemOf(item));
    return answer(request, reply, 200, { media: await this.whole(doc, request) });
  }

  @Post('groupchats/:groupchat/media')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a media item owned by a group chat' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody(UPLOAD_BODY)
  @TrillianAnswer(201, 'media', ...TRILLIAN_ERRORS, 404)
  async addToGroupchat(@Param('groupchat') name: string, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const roomId = roomIdOf(name);
    const upload = await trillianUpload(request, this.config.media.maxBytes);
    const added = await this.uploads.upload(upload, caller, { roomId, purpose: 'room_media', ownedByRoom: true }, true);
    return answer(request, reply, 201, { media: await this.listed(await this.afterUpload(added, () => this.library.inRoomForAdministrator(roomId, added.id)), request) });
  }

  @Delete('groupchats/:groupchat/media/:item')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a media item owned by a group chat (its bytes are gone from storage)' })
  @ApiParam({ name: 'groupchat', schema: { type: 'string' } })
  @ApiParam({ name: 'item', schema: { type: 'string', format: 'uuid' } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 404, 409, 503, 507)
  async deleteOfGroupchat(@Param('groupchat') name: string, @Param('item') item: string, @AdminCaller() caller: CommandContext): Promise<void> {
    const roomId = roomIdOf(name);
    await this.library.delete(itemOf(item), caller, roomId, true);
  }

  @Get('users/:user/media')
  @ReadModelQuery(mediaProjection, usersProjection)
  @ApiOperation({ summary: 'Get all media owned by a user' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @TrillianAnswer(200, 'medias', 400, 404)
  async listOfUser(@Param('user') name: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = await this.requireUser(name);
    const views = await this.library.ofOwner(userId, LIST_MAX);
    const docs = await Promise.all(views.map((view) => this.library.ofOwnerForAdministrator(userId, view.id)));
    return answer(request, reply, 200, { media: await Promise.all(docs.map((doc) => this.listed(doc, request))) });
  }

  // Declared before the GET: Fastify would otherwise derive a HEAD from it, carrying the XML's headers.
  @Head('users/:user/media/:item')
  @Download()
  @ApiOperation({ summary: "Information about a user's media item before retrieving it: its type, length and ETag" })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiParam({ name: 'item', schema: { type: 'string', format: 'uuid' } })
  async headOfUser(@Param('user') name: string, @Param('item') item: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await serveMedia(this.library.servableForAdministrator(userIdOf(name, 'user'), itemOf(item), null), request, reply, false);
  }

  @Get('users/:user/media/:item')
  @ReadModelQuery(mediaProjection, usersProjection)
  @ApiOperation({ summary: 'Get a single media item owned by a user (its bytes in base64 data)' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiParam({ name: 'item', schema: { type: 'string', format: 'uuid' } })
  @TrillianAnswer(200, 'media', 400, 404)
  async getOfUser(@Param('user') name: string, @Param('item') item: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = await this.requireUser(name);
    return answer(request, reply, 200, { media: await this.whole(await this.library.ofOwnerForAdministrator(userId, itemOf(item)), request) });
  }

  @Post('users/:user/media')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a media item owned by a user (the user’s own: sealed with their key, erased with them)' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody(UPLOAD_BODY)
  @TrillianAnswer(201, 'media', ...TRILLIAN_ERRORS, 404)
  async addToUser(@Param('user') name: string, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const userId = await this.requireUser(name);
    const upload = await trillianUpload(request, this.config.media.maxBytes);
    const added = await this.uploads.upload(upload, { ...caller, actor: userId, actingKey: caller.actor }, null, true);
    return answer(request, reply, 201, { media: await this.listed(await this.afterUpload(added, () => this.library.ofOwnerForAdministrator(userId, added.id)), request) });
  }

  @Delete('users/:user/media/:item')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a media item owned by a user (its bytes are gone from storage)' })
  @ApiParam({ name: 'user', schema: { type: 'string' } })
  @ApiParam({ name: 'item', schema: { type: 'string', format: 'uuid' } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 404, 409, 503, 507)
  async deleteOfUser(@Param('user') name: string, @Param('item') item: string, @AdminCaller() caller: CommandContext): Promise<void> {
    const userId = userIdOf(name, 'user');
    const mediaId = itemOf(item);
    // Only this user's media answers here: another user's id is not found.
    await this.library.ofOwnerForAdministrator(userId, mediaId);
    await this.library.delete(mediaId, caller, null, true);
  }

  private async requireUser(name: string): Promise<string> {
    const userId = userIdOf(name, 'user');
    const user: AdminUserView = await this.queries.execute(new GetAdminUserQuery(userId));
    if (user.removed) throw notFound('USER.REMOVED', 'The account was removed');
    return userId;
  }

  /** The new item as the read model holds it, once it has passed the upload's append. */
  private async afterUpload(added: UploadedMedia, read: () => Promise<MediaDoc>): Promise<MediaDoc> {
    await this.gate.waitFor(BigInt(added.position), this.config.minPositionWaitMs);
    return read();
  }

  /** An item as a list shows it: the digest of its bytes and its smallest thumbnail. */
  private async listed(doc: MediaDoc, request: FastifyRequest): Promise<WireNode> {
    const smallest = doc.removed ? undefined : [...doc.thumbnails].sort((a, b) => a.size - b.size)[0];
    const thumbnail = smallest ? (await this.library.bytesOf(this.library.servableOf(doc, smallest.size))).toString('base64') : '';
    return mediaNode(doc, request, thumbnail, doc.sha256 === null ? '' : Buffer.from(doc.sha256, 'hex').toString('base64'));
  }

  /** A single item: its bytes in `data`. */
  private async whole(doc: MediaDoc, request: FastifyRequest): Promise<WireNode> {
    const listed = await this.listed(doc, request);
    return { ...listed, data: (await this.library.bytesOf(this.library.servableOf(doc, null))).toString('base64') };
  }
}

function mediaNode(doc: MediaDoc, request: FastifyRequest, thumbnail: string, data: string): WireNode {
  // The room's own media names the group chat as its owner, as the seed does; a member's upload names the member.
  const owner = doc.rooms.includes(doc.ownerId) ? `#${doc.ownerId}@${request.hostname}` : doc.ownerId;
  return {
    '@_m': doc.id,
    createdAt: Math.floor(Date.parse(doc.uploadedAt) / 1000),
    expiresAt: 0,
    size: doc.size,
    owner,
    type: doc.type,
    name: doc.name ?? '',
    thumbnail,
    data,
  };
}

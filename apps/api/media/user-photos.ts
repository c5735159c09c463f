import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../libs/config/config';
import { notFound, validationError } from '../../../libs/domain/errors';
import { isImageType, sniffMediaType } from '../../../libs/domain/media/media-type';
import { PARLEY_MEDIA_PATH } from '../../../libs/domain/users/profile.decider';
import { GetAdminUserQuery, type AdminUserView } from '../admin/admin-users.queries';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { ExecuteProfileCommand, type ProfileCommandResult } from '../users/profile.command';
import { MediaLibrary } from './media-library';
import { MediaUploads } from './media-uploads';
import { serveMedia } from './media-download';
import type { MediaView } from './media-views';
import { readUpload, type UploadBody } from './upload-body';

export interface AdminPhotoResult {
  readonly url: string | null;
  readonly position: string;
  readonly media?: MediaView;
}

/**
 * Any user's profile photo for an administrator: an upload stored as the
 * user's own media and set as their photo (one upload, then one profile
 * command), removed, or served. Parley's admin routes and the Trillian
 * address book both answer with it.
 */
@Injectable()
export class UserPhotos {
  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly uploads: MediaUploads,
    private readonly library: MediaLibrary,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** `fileField`: the multipart field the image comes in (a JSON or form body carries it base64 in `data`). */
  async set(userId: string, request: FastifyRequest, caller: CommandContext, fileField = 'photo'): Promise<AdminPhotoResult> {
    await this.requireUser(userId);
    const upload = await readUpload(request, this.config.media.maxBytes, fileField);
    return this.store(userId, upload, { ...caller, actor: userId, actingKey: caller.actor }, caller, true);
  }

  /** The caller's own photo from an upload: `PUT /v1/me/photo` and Windu's `profile-photo`. */
  async setOwn(upload: UploadBody, caller: CommandContext): Promise<AdminPhotoResult> {
    return this.store(caller.actor, upload, caller, caller, false);
  }

  /** Stored as the user's media (its thumbnails are the preview sizes, its readers those the owner's photo privacy allows), then made the photo. */
  private async store(userId: string, upload: UploadBody, uploader: CommandContext, caller: CommandContext, forAdministrator: boolean): Promise<AdminPhotoResult> {
    // Checked before anything is stored: a photo is an image.
    if (!isImageType(sniffMediaType(upload.bytes))) {
      throw validationError('MEDIA.NOT_AN_IMAGE', `${upload.field} must be an image`, [{ field: upload.field, reason: 'must be an image (JPEG, PNG, GIF, WebP or AVIF)' }]);
    }
    const { position: _position, ...media } = await this.uploads.upload(upload, uploader, null, forAdministrator);
    const result: ProfileCommandResult = await this.commands.execute(
      new ExecuteProfileCommand(userId, { type: 'SetPhoto', actor: caller.actor, url: media.url, now: new Date().toISOString() }, caller),
    );
    return { url: result.profile.photoUrl, position: result.position, media };
  }

  async remove(userId: string, caller: CommandContext): Promise<AdminPhotoResult> {
    await this.requireUser(userId);
    const result: ProfileCommandResult = await this.commands.execute(
      new ExecuteProfileCommand(userId, { type: 'SetPhoto', actor: caller.actor, url: null, now: new Date().toISOString() }, caller),
    );
    return { url: result.profile.photoUrl, position: result.position };
  }

  /** The photo's bytes; a photo that is a link elsewhere answers 302 to it. */
  async serve(userId: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { photoUrl } = await this.requireUser(userId);
    if (photoUrl === null) throw notFound('PROFILE.PHOTO_NOT_SET', 'This user has no photo');
    if (!PARLEY_MEDIA_PATH.test(photoUrl)) {
      void reply.status(302).header('location', photoUrl).send();
      return;
    }
    const mediaId = photoUrl.slice(photoUrl.lastIndexOf('/') + 1);
    return serveMedia(this.library.servableForAdministrator(userId, mediaId, null), request, reply, true);
  }

  private async requireUser(userId: string): Promise<AdminUserView> {
    const user: AdminUserView = await this.queries.execute(new GetAdminUserQuery(userId));
    if (user.removed) throw notFound('USER.REMOVED', 'This account has been removed');
    return user;
  }
}

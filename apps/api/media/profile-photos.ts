import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { validationError } from '../../../libs/domain/errors';
import { isImageType, sniffMediaType } from '../../../libs/domain/media/media-type';
import { ExecuteProfileCommand } from '../users/profile.command';
import { MediaUploads } from './media-uploads';
import type { MediaView } from './media-views';
import type { UploadBody } from './upload-body';

export interface PhotoFromUpload {
  readonly url: string | null;
  readonly position: string;
  readonly media: MediaView;
}

/**
 * A profile photo from an upload: stored as the user's media (its thumbnails
 * are the preview sizes, its readers those the owner's photo privacy
 * allows), then made the photo. `PUT /v1/me/photo` and Windu's
 * `profile-photo` both set it this way.
 */
@Injectable()
export class ProfilePhotos {
  constructor(
    private readonly uploads: MediaUploads,
    private readonly commands: CommandBus,
  ) {}

  async setFromUpload(upload: UploadBody, context: CommandContext): Promise<PhotoFromUpload> {
    // Checked before anything is stored: a photo is an image.
    if (!isImageType(sniffMediaType(upload.bytes))) {
      throw validationError('MEDIA.NOT_AN_IMAGE', `${upload.field} must be an image`, [
        { field: upload.field, reason: 'must be an image (JPEG, PNG, GIF, WebP or AVIF)' },
      ]);
    }
    const { position: _position, ...media } = await this.uploads.upload(upload, context);
    const { profile, position } = await this.commands.execute(
      new ExecuteProfileCommand(context.actor, { type: 'SetPhoto', actor: context.actor, url: media.url, now: new Date().toISOString() }, context),
    );
    return { url: profile.photoUrl, position, media };
  }
}

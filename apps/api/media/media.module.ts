import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { BlobStore } from '../../../libs/blob-store/blob-store.port';
import type { ParleyConfig } from '../../../libs/config/config';
import { MediaCipher } from '../../../libs/personal-data/media-cipher';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import { createBlobStore } from '../../../libs/wiring/stores';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { PresenceModule } from '../presence/presence.module';
import { RoomsModule } from '../rooms/rooms.module';
import { OrgModule } from '../org/org.module';
import { AdminModule } from '../admin/admin.module';
import { AdminRoomMediaController } from './admin-room-media.controller';
import { AdminUserMediaController } from './admin-user-media.controller';
import { RoomAvatarController } from './room-avatar.controller';
import { MediaController } from './media.controller';
import { RoomMediaController } from './room-media.controller';
import { MePhotoController } from './me-photo.controller';
import { MediaLibrary } from './media-library';
import { BLOB_STORE } from './media-tokens';
import { MediaUploads } from './media-uploads';
import { MediaSweeper } from './media-sweeper';
import { AdminUserPhotoController } from './admin-user-photo.controller';
import { UserPhotos } from './user-photos';
import { AttachmentFiles } from './attachment-files';
import { ImageWork } from './image-work';

class BlobStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(BLOB_STORE) private readonly blobs: BlobStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.blobs.close();
  }
}

/** Media (issue #15): uploads, downloads and thumbnails; bytes in the blob store, sealed with their owner's key. */
@Module({
  imports: [InfrastructureModule, RoomsModule, PresenceModule, OrgModule, AdminModule],
  controllers: [
    MediaController,
    RoomMediaController,
    MePhotoController,
    RoomAvatarController,
    AdminUserMediaController,
    AdminUserPhotoController,
    AdminRoomMediaController,
  ],
  providers: [
    { provide: BLOB_STORE, inject: [PARLEY_CONFIG], useFactory: (config: ParleyConfig) => createBlobStore(config) },
    { provide: MediaCipher, inject: [PersonalDataVault], useFactory: (vault: PersonalDataVault) => new MediaCipher(vault) },
    BlobStoreLifecycle,
    MediaUploads,
    MediaLibrary,
    MediaSweeper,
    UserPhotos,
    AttachmentFiles,
    ImageWork,
  ],
  exports: [MediaUploads, MediaLibrary, UserPhotos, AttachmentFiles],
})
export class MediaModule {}

import { MediaModule } from '../../media/media.module';
import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { CommentsModule } from '../../comments/comments.module';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { FeedModule } from '../../feed/feed.module';
import { JobsModule } from '../../jobs/jobs.module';
import { ReadStateModule } from '../../read-state/read-state.module';
import { RoomsModule } from '../../rooms/rooms.module';
import { UsersModule } from '../../users/users.module';
import { QiscusBackups } from './qiscus-backups';
import { QiscusDirectory } from './qiscus-directory';
import { QiscusRest } from './qiscus-rest';
import { QiscusRestController } from './qiscus-rest.controller';
import { QiscusServerGuard } from './qiscus-server.guard';
import { QiscusSdk } from './qiscus-sdk';
import { QiscusSdkController } from './qiscus-sdk.controller';
import { QiscusSdkGuard } from './qiscus-sdk.guard';

/**
 * Qiscus' wire surfaces: the server REST API (`/api/v2/rest`) and the client
 * SDK's API (`/api/v2/sdk`). Translators onto Parley's commands and queries.
 */
@Module({
  imports: [InfrastructureModule, UsersModule, AuthModule, RoomsModule, CommentsModule, ReadStateModule, FeedModule, JobsModule, MediaModule],
  controllers: [QiscusRestController, QiscusSdkController],
  providers: [QiscusBackups, QiscusDirectory, QiscusRest, QiscusServerGuard, QiscusSdk, QiscusSdkGuard],
})
export class QiscusModule {}

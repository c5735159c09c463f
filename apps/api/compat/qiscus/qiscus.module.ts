import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { CommentsModule } from '../../comments/comments.module';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { RoomsModule } from '../../rooms/rooms.module';
import { UsersModule } from '../../users/users.module';
import { QiscusDirectory } from './qiscus-directory';
import { QiscusRest } from './qiscus-rest';
import { QiscusRestController } from './qiscus-rest.controller';
import { QiscusServerGuard } from './qiscus-server.guard';

/** Qiscus' wire surfaces: the server REST API (`/api/v2/rest`). A translator onto Parley's commands and queries. */
@Module({
  imports: [InfrastructureModule, UsersModule, AuthModule, RoomsModule, CommentsModule],
  controllers: [QiscusRestController],
  providers: [QiscusDirectory, QiscusRest, QiscusServerGuard],
})
export class QiscusModule {}

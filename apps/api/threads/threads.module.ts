import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { CreateThreadHandler } from './create-thread.command';
import { ThreadsController } from './threads.controller';

/** Threads with a subject: a room of kind `thread` opened with its first message. */
@Module({
  imports: [InfrastructureModule, UsersModule, RoomsModule, CommentsModule],
  controllers: [ThreadsController],
  providers: [CreateThreadHandler],
})
export class ThreadsModule {}

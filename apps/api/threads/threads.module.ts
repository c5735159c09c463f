import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module';
import { ContactsModule } from '../contacts/contacts.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { UsersModule } from '../users/users.module';
import { CreateThreadHandler } from './create-thread.command';
import { ThreadsController } from './threads.controller';

/** Threads with a subject: a room of kind `thread` opened with its first message in one append. */
@Module({
  imports: [InfrastructureModule, UsersModule, ContactsModule, CommentsModule],
  controllers: [ThreadsController],
  providers: [CreateThreadHandler],
})
export class ThreadsModule {}

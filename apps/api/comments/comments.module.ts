import { CommentLookup } from './comment-lookup';
import { AdminModule } from '../admin/admin.module';
import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { OrgModule } from '../org/org.module';
import { RoomsModule } from '../rooms/rooms.module';
import { CommentSequencer } from './comment-sequencer';
import { CommentsController } from './comments.controller';
import { GetCommentHandler, ListCommentsHandler } from './comments.queries';
import { DeleteHistoryHandler } from './delete-history.command';
import { AdminHistoryController, AdminHistoryDeletionController, HistoryController, HistoryDeletionController } from './history.controller';
import { HistoryWeekHandler, ListHistoryWeeksHandler } from './history.queries';
import { DeleteCommentHandler } from './delete-comment.command';
import { PostCommentHandler } from './post-comment.command';

/** Posting, deleting and paging comments; the sequencer is also how imports write comments. */
@Module({
  imports: [InfrastructureModule, AdminModule, RoomsModule, ContactsModule, OrgModule],
  controllers: [CommentsController, HistoryController, HistoryDeletionController, AdminHistoryController, AdminHistoryDeletionController],
  providers: [
    CommentSequencer,
    CommentLookup,
    PostCommentHandler,
    DeleteCommentHandler,
    DeleteHistoryHandler,
    ListCommentsHandler,
    GetCommentHandler,
    ListHistoryWeeksHandler,
    HistoryWeekHandler,
  ],
  exports: [CommentSequencer, CommentLookup],
})
export class CommentsModule {}

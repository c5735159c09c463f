import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { RoomsModule } from '../rooms/rooms.module';
import { ClearHistoryHandler } from './clear-history.command';
import { MarkReadHandler } from './mark-read.command';
import { RoomReceiptsHandler } from './receipts.query';
import { ReadStateController } from './read-state.controller';

/** Read markers, unread counts, and a member's own clearing of a room's history. */
@Module({
  imports: [InfrastructureModule, RoomsModule],
  controllers: [ReadStateController],
  providers: [MarkReadHandler, ClearHistoryHandler, RoomReceiptsHandler],
})
export class ReadStateModule {}

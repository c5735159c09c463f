import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { RoomsModule } from '../rooms/rooms.module';
import { MarkReadHandler } from './mark-read.command';
import { ReadStateController } from './read-state.controller';

/** Read markers and unread counts. */
@Module({
  imports: [InfrastructureModule, RoomsModule],
  controllers: [ReadStateController],
  providers: [MarkReadHandler],
})
export class ReadStateModule {}

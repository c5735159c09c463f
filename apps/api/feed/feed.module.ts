import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { FeedAudience } from './feed-audience';
import { FeedHub } from './feed-hub';
import { FeedCursorHandler, FeedCursorPositionHandler } from './feed-cursor.query';
import { FeedHeadHandler, FeedPageHandler } from './feed-page.query';
import { FeedWsGateway } from './feed-ws.gateway';
import { FeedController } from './feed.controller';

/** Live delivery over SSE and WebSocket, and the same feed in pages for clients that poll (FeedPageQuery). */
@Module({
  imports: [InfrastructureModule, RoomsModule, AuthModule, UsersModule],
  controllers: [FeedController],
  providers: [FeedAudience, FeedHub, FeedWsGateway, FeedPageHandler, FeedHeadHandler, FeedCursorPositionHandler, FeedCursorHandler],
})
export class FeedModule {}

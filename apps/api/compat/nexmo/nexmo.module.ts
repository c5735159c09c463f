import { Module, type OnModuleInit } from '@nestjs/common';
import { ApplicationsModule } from '../../applications/applications.module';
import { CommentsModule } from '../../comments/comments.module';
import { registerCompatSurface } from '../../common/compat-surfaces';
import { ConversationsSharedModule } from '../conversations-shared/conversations-shared.module';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { RoomsModule } from '../../rooms/rooms.module';
import { NexmoController } from './nexmo.controller';
import { nexmoError } from './nexmo-shapes';

/**
 * The Nexmo Conversation beta at the seed's own paths (`/beta`, `/beta2`:
 * the beta client takes no path prefix): a thin translator onto Parley's
 * applications, rooms and comments. Its tokens name the paths as `/v1/…`.
 */
@Module({
  imports: [InfrastructureModule, ApplicationsModule, RoomsModule, CommentsModule, ConversationsSharedModule],
  controllers: [NexmoController],
})
export class NexmoModule implements OnModuleInit {
  onModuleInit(): void {
    for (const prefix of ['/beta', '/beta2']) registerCompatSurface({ prefix, renderError: nexmoError, aclPrefix: '/v1' });
    // The beta client's conversations.record calls the bare host's /v1/conversations, which Parley's own API does not use.
    registerCompatSurface({ prefix: '/v1/conversations', renderError: nexmoError, aclPrefix: '/v1/conversations' });
  }
}

import { Module, type OnModuleInit } from '@nestjs/common';
import { ApplicationsModule } from '../../applications/applications.module';
import { CommentsModule } from '../../comments/comments.module';
import { registerCompatSurface } from '../../common/compat-surfaces';
import { ConversationsSharedModule } from '../conversations-shared/conversations-shared.module';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { RoomsModule } from '../../rooms/rooms.module';
import { VonageController } from './vonage.controller';
import { vonageError } from './vonage-shapes';

/** The Vonage Conversation API v1 under `/vonage`: a thin translator onto Parley's applications, rooms and comments. */
@Module({
  imports: [InfrastructureModule, ApplicationsModule, RoomsModule, CommentsModule, ConversationsSharedModule],
  controllers: [VonageController],
})
export class VonageModule implements OnModuleInit {
  onModuleInit(): void {
    registerCompatSurface({ prefix: '/vonage', renderError: vonageError });
  }
}

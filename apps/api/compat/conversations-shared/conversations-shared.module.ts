import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { ConversationCalls } from './conversation-calls';

/** What the Vonage and Nexmo beta surfaces share: one translator onto Parley's applications, rooms and comments. */
@Module({
  imports: [InfrastructureModule],
  providers: [ConversationCalls],
  exports: [ConversationCalls],
})
export class ConversationsSharedModule {}

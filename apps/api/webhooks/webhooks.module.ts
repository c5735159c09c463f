import { MediaModule } from '../media/media.module';
import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ExecuteWebhookCommandHandler } from './webhook-command.command';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookPayloads } from './webhook-payloads';
import { WebhookStates } from './webhook-states';
import { WebhooksController } from './webhooks.controller';
import { GetWebhookHandler, ListWebhooksHandler } from './webhooks.queries';

/** Webhook subscriptions and their delivery worker. */
@Module({
  imports: [InfrastructureModule, AdminModule, RoomsModule, UsersModule, MediaModule],
  controllers: [WebhooksController],
  providers: [
    WebhookStates,
    WebhookPayloads,
    ExecuteWebhookCommandHandler,
    WebhookDispatcher,
    ListWebhooksHandler,
    GetWebhookHandler,
  ],
})
export class WebhooksModule {}

import { Inject, Injectable } from '@nestjs/common';
import type { ParleyEvent } from '../../../libs/domain/events';
import {
  evolveWebhook,
  initialWebhookState,
  isWebhookEvent,
  webhookStream,
  type WebhookState,
} from '../../../libs/domain/webhooks/webhook.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/** Webhook subscriptions' decision state, folded from `webhook-<id>`. */
@Injectable()
export class WebhookStates {
  private readonly cache: StreamStateCache<WebhookState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.cache = new StreamStateCache<WebhookState>(store, initialWebhookState, (state, event: ParleyEvent) =>
      isWebhookEvent(event) ? evolveWebhook(state, event) : state,
    );
  }

  load(webhookId: string): Promise<Loaded<WebhookState>> {
    return this.cache.load(webhookStream(webhookId));
  }
}

import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { webhookDecider, webhookStream, type WebhookState } from '../../../libs/domain/webhooks/webhook.decider';

/** Webhook subscriptions' decision state, folded from `webhook-<id>`. */
@Injectable()
export class WebhookStates {
  private readonly cache: StreamStateCache<WebhookState>;

  constructor(pipeline: CommandPipeline) {
    this.cache = pipeline.states(webhookDecider);
  }

  load(webhookId: string): Promise<Loaded<WebhookState>> {
    return this.cache.load(webhookStream(webhookId));
  }
}

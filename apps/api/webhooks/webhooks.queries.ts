import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { WebhookFormat } from '../../../libs/domain/events';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';
import { WebhookDispatcher } from './webhook-dispatcher';
import { webhookCheckpoint, type DeliveryProgress } from './webhook-runner';

/** A subscription as the admin API shows it; the secret never leaves the server. */
export interface WebhookView {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly format: WebhookFormat;
  readonly status: 'active' | 'paused';
  /** The error that paused it, while paused. */
  readonly lastError: string | null;
  /** Position (decimal) of the event it is stuck at, while paused. */
  readonly stuckAt: string | null;
  readonly pausedAt: string | null;
  /** Its checkpoint: the last position delivered or passed over; null before it started. */
  readonly position: string | null;
  /** Retries in progress in this process, if any. */
  readonly retrying: DeliveryProgress | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export class ListWebhooksQuery extends Query<{ readonly items: readonly WebhookView[] }> {}

export class GetWebhookQuery extends Query<WebhookView> {
  constructor(readonly webhookId: string) {
    super();
  }
}

const LIVE = { $in: ['active', 'paused'] };

@QueryHandler(ListWebhooksQuery)
export class ListWebhooksHandler implements IQueryHandler<ListWebhooksQuery, { readonly items: readonly WebhookView[] }> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async execute(): Promise<{ readonly items: readonly WebhookView[] }> {
    const docs = await this.readStore.find('webhooks', {
      filter: { status: LIVE },
      sort: [{ field: 'createdAt', direction: 'asc' }],
      limit: 1000,
    });
    return { items: await Promise.all(docs.map((doc) => view(doc, this.readStore, this.dispatcher))) };
  }
}

@QueryHandler(GetWebhookQuery)
export class GetWebhookHandler implements IQueryHandler<GetWebhookQuery, WebhookView> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async execute({ webhookId }: GetWebhookQuery): Promise<WebhookView> {
    const doc = await this.readStore.get('webhooks', webhookId);
    if (!doc || doc['status'] === 'removed') throw notFound('WEBHOOK.NOT_FOUND', 'Webhook not found');
    return view(doc, this.readStore, this.dispatcher);
  }
}

async function view(doc: Doc, readStore: ReadStore, dispatcher: WebhookDispatcher): Promise<WebhookView> {
  return {
    id: doc.id,
    url: doc['url'] as string,
    events: doc['events'] as string[],
    format: doc['format'] as WebhookFormat,
    status: doc['status'] as 'active' | 'paused',
    lastError: (doc['lastError'] as string | null) ?? null,
    stuckAt: (doc['stuckAt'] as string | null) ?? null,
    pausedAt: (doc['pausedAt'] as string | null) ?? null,
    position: await readStore.getCheckpoint(webhookCheckpoint(doc.id)),
    retrying: doc['status'] === 'active' ? dispatcher.progress(doc.id) : null,
    createdAt: doc['createdAt'] as string,
    updatedAt: doc['updatedAt'] as string,
  };
}

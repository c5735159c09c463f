import type { Projection } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

/**
 * One document per webhook subscription, for the admin listing: where it
 * delivers, which types, in which format, and whether it is paused (with the
 * error and the position it is stuck at). Never holds the secret. A removed
 * subscription stays as a tombstone (`status: 'removed'`), so that a replay
 * of its registration cannot bring it back.
 */
export const webhooksProjection: Projection = {
  name: 'webhooks',
  version: 1,
  collections: [{ name: 'webhooks', indexes: [{ fields: ['status', 'createdAt'] }] }],
  handlers: {
    WebhookRegistered: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'webhooks',
        d.webhookId,
        (doc) => revised(doc, {
          url: d.url,
          events: [...d.events],
          format: d.format,
          status: 'active',
          lastError: null,
          stuckAt: null,
          pausedAt: null,
          createdAt: d.registeredAt,
          updatedAt: d.registeredAt,
        }),
        () => ({ id: d.webhookId }),
      );
    },
    WebhookUpdated: async (event, ctx) => {
      const d = event.data;
      await ctx.update('webhooks', d.webhookId, (doc) =>
        doc['status'] === 'removed' ? doc : revised(doc, { url: d.url, events: [...d.events], format: d.format, updatedAt: d.updatedAt }),
      );
    },
    WebhookRemoved: async (event, ctx) => {
      const d = event.data;
      await ctx.update('webhooks', d.webhookId, (doc) => revised(doc, { status: 'removed', updatedAt: d.removedAt }));
    },
    WebhookPaused: async (event, ctx) => {
      const d = event.data;
      await ctx.update('webhooks', d.webhookId, (doc) =>
        doc['status'] === 'removed'
          ? doc
          : revised(doc, { status: 'paused', lastError: d.lastError, stuckAt: d.stuckAt, pausedAt: d.pausedAt, updatedAt: d.pausedAt }),
      );
    },
    WebhookResumed: async (event, ctx) => {
      const d = event.data;
      await ctx.update('webhooks', d.webhookId, (doc) =>
        doc['status'] === 'removed'
          ? doc
          : revised(doc, { status: 'active', lastError: null, stuckAt: null, pausedAt: null, updatedAt: d.resumedAt }),
      );
    },
  },
};

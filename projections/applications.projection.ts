import type { Projection } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

/**
 * One document per application, for the admin listing: name, whether Parley
 * generated its key pair, its public key, when it was registered and whether
 * it was removed. Authentication does not read this model: it folds the
 * application's own stream, so a removal counts at once.
 */
export const applicationsProjection: Projection = {
  name: 'applications',
  version: 1,
  collections: [{ name: 'applications', indexes: [{ fields: ['registeredAt', 'id'] }] }],
  handlers: {
    ApplicationRegistered: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'applications',
        d.applicationId,
        (doc) => revised(doc, {
          name: d.name,
          publicKey: d.publicKey,
          keyGenerated: d.keyGenerated,
          status: 'active',
          registeredBy: d.registeredBy,
          registeredAt: d.registeredAt,
        }),
        () => ({ id: d.applicationId, removedAt: null }),
      );
    },
    ApplicationRemoved: async (event, ctx) => {
      const d = event.data;
      await ctx.update('applications', d.applicationId, (doc) => revised(doc, { status: 'removed', removedAt: d.removedAt }));
    },
  },
};

import type { Projection } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

/**
 * One document per server API key, for the admin listing and `parley keys
 * list`: name, scopes, who created it and when, and whether it is revoked.
 * Never holds the key or its hash. Authentication does not read this model:
 * it folds the key's own stream, so a revocation counts at once.
 */
export const apiKeysProjection: Projection = {
  name: 'api-keys',
  version: 1,
  collections: [{ name: 'api_keys', indexes: [{ fields: ['createdAt', 'id'] }] }],
  handlers: {
    ApiKeyCreated: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'api_keys',
        d.keyId,
        (doc) => revised(doc, {
          name: d.name,
          scopes: [...d.scopes],
          bootstrap: d.bootstrap,
          status: 'active',
          createdBy: d.createdBy,
          createdAt: d.createdAt,
        }),
        () => ({ id: d.keyId, revokedBy: null, revokedAt: null }),
      );
    },
    ApiKeyRevoked: async (event, ctx) => {
      const d = event.data;
      await ctx.update('api_keys', d.keyId, (doc) =>
        doc['status'] === 'revoked' ? doc : revised(doc, { status: 'revoked', revokedBy: d.revokedBy, revokedAt: d.revokedAt }),
      );
    },
  },
};

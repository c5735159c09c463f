import type { Projection, ProjectionContext } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';
import { revised } from '../libs/projection/revised';

/**
 * A user's sign-ins (refresh-token families) for `GET /v1/me/sessions`: one
 * document per family while it stands, with when it started, when a refresh
 * last used it and what signed in. An ended sign-in keeps only a tombstone
 * (no client), so the read model holds nothing of what it no longer shows;
 * `session_users` lists each user's live families, so a removed account's
 * documents can be found and blanked without a query.
 */
export interface SessionDoc extends Doc {
  readonly userId: string;
  readonly active: boolean;
  readonly grant?: 'password' | 'phone';
  readonly client?: string | null;
  readonly createdAt?: string;
  readonly lastUsedAt?: string;
  readonly expiresAt?: string;
}

const familyIdsOf = (doc: Doc | null): string[] => (doc?.['familyIds'] ?? []) as string[];

async function end(ctx: ProjectionContext, familyId: string, userId: string): Promise<void> {
  await ctx.update('sessions', familyId, (doc) => ({ id: doc.id, userId: doc['userId'] ?? userId, active: false }));
  await ctx.update('session_users', userId, (doc) => revised(doc, { familyIds: familyIdsOf(doc).filter((id) => id !== familyId) }));
}

export const sessionsProjection: Projection = {
  name: 'sessions',
  version: 1,
  collections: [
    { name: 'sessions', indexes: [{ fields: ['userId', 'active', 'createdAt'] }] },
    { name: 'session_users', indexes: [] },
  ],
  handlers: {
    TokenFamilyStarted: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'sessions',
        d.familyId,
        (doc) => revised(doc, {
          userId: d.userId,
          active: true,
          grant: d.grant,
          client: d.client,
          createdAt: d.startedAt,
          lastUsedAt: d.startedAt,
          expiresAt: d.expiresAt,
        }),
        () => ({ id: d.familyId }),
      );
      await ctx.update(
        'session_users',
        d.userId,
        (doc) => revised(doc, { familyIds: [...familyIdsOf(doc).filter((id) => id !== d.familyId), d.familyId] }),
        () => ({ id: d.userId }),
      );
    },
    RefreshTokenRotated: async (event, ctx) => {
      const d = event.data;
      await ctx.update('sessions', d.familyId, (doc) =>
        doc['active'] === true ? revised(doc, { lastUsedAt: d.rotatedAt, expiresAt: d.expiresAt }) : doc,
      );
    },
    TokenFamilyRevoked: async (event, ctx) => end(ctx, event.data.familyId, event.data.userId),
    UserRemoved: async (event, ctx) => {
      const userId = event.data.userId;
      const index = await ctx.get('session_users', userId);
      for (const familyId of familyIdsOf(index)) {
        await ctx.update('sessions', familyId, (doc) => ({ id: doc.id, userId, active: false }));
      }
      await ctx.update('session_users', userId, (doc) => revised(doc, { familyIds: [] }));
    },
  },
};

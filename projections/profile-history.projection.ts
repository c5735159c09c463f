import type { ProjectedEvent, Projection, ProjectionContext } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

export const PROFILE_HISTORY = 'profileHistory';
/** Per user: the ids of their history entries (so removal can find them) and whether they were removed. */
export const PROFILE_HISTORY_USERS = 'profileHistoryUsers';

export type ProfileHistoryKind = 'status' | 'photo';

/**
 * Each status message and profile photo a user set, one document per change,
 * keyed by the event's id (a replay writes the same document again). `value`
 * is the message or the URL, null for a clear. `revision` is the event's place
 * in the user's stream: newest first is `revision` descending.
 *
 * `UserRemoved` deletes the user's entries and marks the user removed, so
 * that re-delivered earlier changes never bring an entry back.
 */
export const profileHistoryProjection: Projection = {
  name: 'profileHistory',
  version: 1,
  collections: [
    { name: PROFILE_HISTORY, indexes: [{ fields: ['userId', 'kind', 'revision', 'id'] }] },
    { name: PROFILE_HISTORY_USERS, indexes: [] },
  ],
  handlers: {
    StatusMessageChanged: (event, ctx) =>
      record(event, ctx, 'status', event.data.message, event.data.changedAt),
    ProfilePhotoChanged: (event, ctx) =>
      record(event, ctx, 'photo', event.data.photoUrl, event.data.changedAt),
    UserRemoved: async (event, ctx) => {
      const { userId } = event.data;
      const user = await ctx.get(PROFILE_HISTORY_USERS, userId);
      for (const id of entriesOf(user)) await ctx.update(PROFILE_HISTORY, id, () => null);
      await ctx.update(
        PROFILE_HISTORY_USERS,
        userId,
        (doc) => revised(doc, { entries: [], removed: true }),
        () => ({ id: userId }),
      );
    },
  },
};

async function record(
  event: ProjectedEvent<'StatusMessageChanged' | 'ProfilePhotoChanged'>,
  ctx: ProjectionContext,
  kind: ProfileHistoryKind,
  value: string | null,
  changedAt: string,
): Promise<void> {
  const { userId } = event.data;
  const user = await ctx.get(PROFILE_HISTORY_USERS, userId);
  if (user?.['removed'] === true) return;
  await ctx.update(
    PROFILE_HISTORY,
    event.id,
    (doc) => revised(doc, { userId, kind, value, changedAt, revision: event.revision }),
    () => ({ id: event.id }),
  );
  await ctx.update(
    PROFILE_HISTORY_USERS,
    userId,
    (doc) => {
      const entries = entriesOf(doc);
      return entries.includes(event.id) ? doc : revised(doc, { entries: [...entries, event.id] });
    },
    () => ({ id: userId, entries: [], removed: false }),
  );
}

const entriesOf = (doc: { readonly [field: string]: unknown } | null): readonly string[] =>
  Array.isArray(doc?.['entries']) ? (doc['entries'] as string[]) : [];

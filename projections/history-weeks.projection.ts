import { isoWeekOf, weekKey } from '../libs/domain/history-weeks';
import type { Doc } from '../libs/read-store/read-store.port';
import type { Projection, ProjectionContext } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

export const HISTORY_WEEKS = 'history_weeks';
export const HISTORY_ROOMS = 'history_rooms';
const HISTORY_COMMENTS = 'history_comments';

export const historyWeekId = (roomId: string, key: string) => `${roomId}:${key}`;

/** One comment leaves its week's count, once; false when it was unknown or counted out already. */
async function deleteOne(ctx: ProjectionContext, roomId: string, commentId: string): Promise<boolean> {
  const comment = await ctx.get(HISTORY_COMMENTS, commentId);
  if (!comment || comment['deleted'] === true || comment['roomId'] !== roomId) return false;
  await ctx.update(HISTORY_COMMENTS, commentId, (doc) => revised(doc, { deleted: true }));
  await ctx.update(HISTORY_WEEKS, historyWeekId(roomId, comment['key'] as string), (doc) => revised(doc, {
    count: Math.max(0, (doc['count'] as number) - 1),
    deleted: ((doc['deleted'] as number) ?? 0) + 1,
    revision: (doc['revision'] as number) + 1,
  }));
  return true;
}

const bumpRoom = (ctx: ProjectionContext, roomId: string) =>
  ctx.update(HISTORY_ROOMS, roomId, (doc) => revised(doc, { revision: ((doc['revision'] as number) ?? 0) + 1 }));

/** One ISO week of a room that holds comments: how many stand, and a revision that moves with every change in it. */
export interface HistoryWeekDoc extends Doc {
  readonly roomId: string;
  readonly key: string;
  readonly year: number;
  readonly week: number;
  readonly count: number;
  readonly deleted: number;
  readonly revision: number;
}

/**
 * A room's history by ISO week (Trillian's message weeks): one document per
 * week with comments, counted as they are posted and deleted, and a room
 * document whose revision moves with any of its weeks. Listing the weeks of
 * a room of 100,000 comments reads about a hundred small documents. A
 * comment's week is remembered by id, since its deletion does not carry the
 * time it was posted.
 */
export const historyWeeksProjection: Projection = {
  name: 'history-weeks',
  // v2: deleted blocks of history (HistoryDeleted); the room remembers its weeks' keys, a comment whether it was deleted.
  version: 2,
  collections: [
    { name: HISTORY_WEEKS, indexes: [{ fields: ['roomId', 'key'] }] },
    { name: HISTORY_ROOMS, indexes: [] },
    { name: HISTORY_COMMENTS, indexes: [] },
  ],
  prefetch: (event) => {
    if (event.type === 'CommentPosted') {
      const key = weekKey(isoWeekOf(event.data.postedAt));
      return [
        { collection: HISTORY_WEEKS, id: historyWeekId(event.data.roomId, key) },
        { collection: HISTORY_ROOMS, id: event.data.roomId },
        { collection: HISTORY_COMMENTS, id: event.data.commentId },
      ];
    }
    if (event.type === 'HistoryDeleted') {
      return [{ collection: HISTORY_ROOMS, id: event.data.roomId }, ...event.data.commentIds.map((id) => ({ collection: HISTORY_COMMENTS, id }))];
    }
    if (event.type === 'CommentDeleted') {
      return [
        { collection: HISTORY_ROOMS, id: event.data.roomId },
        { collection: HISTORY_COMMENTS, id: event.data.commentId },
      ];
    }
    return [];
  },
  handlers: {
    CommentPosted: async (event, ctx) => {
      const d = event.data;
      const week = isoWeekOf(d.postedAt);
      const key = weekKey(week);
      const id = historyWeekId(d.roomId, key);
      await ctx.update(HISTORY_COMMENTS, d.commentId, (doc) => revised(doc, { roomId: d.roomId, key }), () => ({ id: d.commentId }));
      await ctx.update(
        HISTORY_WEEKS,
        id,
        (doc) => revised(doc, { count: ((doc['count'] as number) ?? 0) + 1, revision: ((doc['revision'] as number) ?? 0) + 1 }),
        () => ({ id, roomId: d.roomId, key, year: week.year, week: week.week, count: 0, deleted: 0, revision: 0 }),
      );
      await ctx.update(
        HISTORY_ROOMS,
        d.roomId,
        (doc) => {
          const keys = (doc['keys'] ?? []) as string[];
          return revised(doc, { revision: ((doc['revision'] as number) ?? 0) + 1, keys: keys.includes(key) ? keys : [...keys, key] });
        },
        () => ({ id: d.roomId, revision: 0, keys: [] }),
      );
    },
    CommentDeleted: async (event, ctx) => {
      const d = event.data;
      if (await deleteOne(ctx, d.roomId, d.commentId)) await bumpRoom(ctx, d.roomId);
    },
    HistoryDeleted: async (event, ctx) => {
      const d = event.data;
      let changed = false;
      if (d.scope === 'comments') {
        for (const commentId of d.commentIds) changed = (await deleteOne(ctx, d.roomId, commentId)) || changed;
      } else {
        const room = await ctx.get(HISTORY_ROOMS, d.roomId);
        const keys = d.week === null ? ((room?.['keys'] ?? []) as string[]) : [weekKey(d.week)];
        // Everything the week held up to this event goes: what is posted in it later comes after in the log.
        for (const key of keys) {
          const id = historyWeekId(d.roomId, key);
          if ((((await ctx.get(HISTORY_WEEKS, id))?.['count'] as number | undefined) ?? 0) === 0) continue;
          await ctx.update(HISTORY_WEEKS, id, (doc) => revised(doc, {
            count: 0,
            deleted: ((doc['deleted'] as number) ?? 0) + (doc['count'] as number),
            revision: (doc['revision'] as number) + 1,
          }));
          changed = true;
        }
      }
      if (changed) await bumpRoom(ctx, d.roomId);
    },
  },
};

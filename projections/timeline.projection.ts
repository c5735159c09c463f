import { aliasOfEvent } from '../libs/domain/aliases';
import { payloadKeptOnDeletion } from '../libs/domain/comments/custom-events';
import type { ProjectedEvent, Projection, ProjectionContext } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';
import { systemItemOf } from '../libs/domain/rooms/timeline-items';
import { revised } from '../libs/projection/revised';

/**
 * A room's timeline: user comments (tombstoned when deleted) and the system
 * comments Qiscus shows for room events (created, member added, joined,
 * removed, left, renamed, topic and avatar changed). Every item carries its
 * `alias`, the integer id of the Qiscus surfaces (libs/domain/aliases.ts);
 * comments also the alias of the room's comment before them. `ord` orders a room's items densely in log
 * order; user comments also carry their `seq`. System items name the users
 * by id; the query renders current display names.
 */
export type { SystemEventKind } from '../libs/domain/rooms/timeline-items';

async function nextOrd(ctx: ProjectionContext, roomId: string): Promise<number | null> {
  const room = await ctx.get('timeline_rooms', roomId);
  if (!room) return null;
  const ord = ((room['ord'] as number) ?? 0) + 1;
  await ctx.update('timeline_rooms', roomId, (doc) => revised(doc, { ord }));
  return ord;
}

/** The system item a room event makes, if the shared rule (systemItemOf) says it makes one. */
async function system(ctx: ProjectionContext, event: ProjectedEvent, roomId: string, createdBy: string | null): Promise<void> {
  const item = systemItemOf(event, createdBy);
  if (item === null) return;
  const ord = await nextOrd(ctx, roomId);
  if (ord === null) return;
  const { at, ...systemEvent } = item;
  await ctx.update(
    'timeline',
    event.id,
    (doc) => revised(doc, {
      roomId,
      ord,
      alias: aliasOfEvent(event),
      seq: null,
      kind: 'system',
      type: 'system_event',
      senderId: systemEvent.actorId,
      text: null,
      systemEvent,
      createdAt: at,
      position: event.position.toString(),
      deleted: false,
    }),
    () => ({ id: event.id }),
  );
}

/** The room's creator as the timeline keeps it (null before RoomCreated). */
async function creatorOf(ctx: ProjectionContext, roomId: string): Promise<string | null> {
  const room = await ctx.get('timeline_rooms', roomId);
  return (room?.['createdBy'] as string | undefined) ?? null;
}


/** How many documents a deleted block reads and writes at a time. */
const BLOCK_CHUNK = 1000;

/** A comment's tombstone: its content gone, the fact and who deleted it kept. */
function tombstone(doc: Doc, deletedBy: string, deletedAt: string): Doc {
  if (doc['deleted'] === true) return doc;
  return revised(doc, {
    text: null,
    payload: payloadKeptOnDeletion(doc['type'], doc['payload']),
    ...(doc['attachments'] ? { attachments: [] } : {}),
    deleted: true,
    deletedBy,
    deletedAt,
  });
}

/** Id of a member's joining in `timeline_joins`: the last `ord` of the room before they (last) joined. */
export const timelineJoinId = (roomId: string, userId: string) => `${roomId}:${userId}`;

export const timelineProjection: Projection = {
  name: 'timeline',
  // v2: `timeline_joins`, where each member's view of a `joined` room starts.
  // v3: aliases, and the avatar-changed and joined items.
  // v4: `timeline_seqs`, so that a deleted block of history (HistoryDeleted) finds its comments.
  // v5: a deleted custom event keeps its type (`payload: { type }`), not its body.
  // v6: no `timeline_seqs`: a deleted block finds its comments by the (roomId, seq) index.
  version: 6,
  collections: [
    {
      name: 'timeline',
      // Each index ends in `id`, the tie-breaker every sort ends in (decision 0022).
      indexes: [
        { fields: ['roomId', 'ord', 'id'] },
        { fields: ['roomId', 'seq'] },
        { fields: ['roomId', 'createdAt'] },
        { fields: ['alias'] },
        // A client's own key for its comment (Qiscus deletes by `unique_temp_id`).
        { fields: ['senderId', 'clientId'] },
      ],
    },
    { name: 'timeline_rooms', indexes: [] },
    { name: 'timeline_joins', indexes: [] },
    // Written by v4 and v5, no longer: listed so that the rebuild to v6 empties what they left.
    { name: 'timeline_seqs', indexes: [] },
  ],
  // A batch's room counters and comment entries in one read per collection.
  prefetch: (event) => {
    const data = event.data as { roomId?: unknown; commentId?: unknown };
    if (typeof data.roomId !== 'string') return [];
    const keys = [{ collection: 'timeline_rooms', id: data.roomId }];
    if (event.type === 'CommentPosted' && typeof data.commentId === 'string') {
      keys.push({ collection: 'timeline', id: data.commentId });
      const previousId = (event.data as { previousId?: unknown }).previousId;
      if (typeof previousId === 'string') keys.push({ collection: 'timeline', id: previousId });
    }
    return keys;
  },
  handlers: {
    RoomCreated: async (event, ctx) => {
      const d = event.data;
      await ctx.update('timeline_rooms', d.roomId, (doc) => revised(doc, { ord: 0, createdBy: d.createdBy }), () => ({
        id: d.roomId,
      }));
      await system(ctx, event, d.roomId, d.createdBy);
    },
    MemberAdded: async (event, ctx) => {
      const d = event.data;
      const room = await ctx.get('timeline_rooms', d.roomId);
      if (!room) return;
      const before = (room['ord'] as number | undefined) ?? 0;
      await ctx.update(
        'timeline_joins',
        timelineJoinId(d.roomId, d.userId),
        (doc) => revised(doc, { roomId: d.roomId, userId: d.userId, afterOrd: before }),
        () => ({ id: timelineJoinId(d.roomId, d.userId) }),
      );
      await system(ctx, event, d.roomId, (room['createdBy'] as string | undefined) ?? null);
    },
    MemberInvited: async (event, ctx) => system(ctx, event, event.data.roomId, await creatorOf(ctx, event.data.roomId)),
    MemberRemoved: async (event, ctx) => system(ctx, event, event.data.roomId, await creatorOf(ctx, event.data.roomId)),
    MemberLeft: async (event, ctx) => system(ctx, event, event.data.roomId, await creatorOf(ctx, event.data.roomId)),
    RoomRenamed: async (event, ctx) => system(ctx, event, event.data.roomId, await creatorOf(ctx, event.data.roomId)),
    RoomTopicChanged: async (event, ctx) => system(ctx, event, event.data.roomId, await creatorOf(ctx, event.data.roomId)),
    RoomAvatarChanged: async (event, ctx) => system(ctx, event, event.data.roomId, await creatorOf(ctx, event.data.roomId)),
    CommentPosted: async (event, ctx) => {
      const d = event.data;
      const ord = await nextOrd(ctx, d.roomId);
      if (ord === null) return;
      const previous = d.previousId === null ? null : await ctx.get('timeline', d.previousId);
      // The entry is made whole by `init` (one flat literal); only a document already there is revised.
      const entry = (): Doc => ({
        id: d.commentId,
        roomId: d.roomId,
        ord,
        alias: aliasOfEvent(event),
        previousAlias: (previous?.['alias'] as number | undefined) ?? null,
        seq: d.seq,
        kind: 'comment',
        type: d.commentType,
        previousId: d.previousId,
        senderId: d.senderId,
        text: d.text,
        payload: d.payload,
        replyTo: d.replyTo,
        clientId: d.clientId,
        ...(d.attachments ? { attachments: d.attachments } : {}),
        createdAt: d.postedAt,
        position: event.position.toString(),
        deleted: false,
      });
      let made: Doc | null = null;
      await ctx.update(
        'timeline',
        d.commentId,
        (doc) => (doc === made ? doc : revised(doc, entry())),
        () => (made = entry()),
      );
    },
    CommentDeleted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('timeline', d.commentId, (doc) => tombstone(doc, d.deletedBy, d.deletedAt));
    },
    HistoryDeleted: async (event, ctx) => {
      const d = event.data;
      if (d.scope === 'comments') {
        await ctx.prefetch('timeline', d.commentIds);
        for (const commentId of d.commentIds) await ctx.update('timeline', commentId, (doc) => tombstone(doc, d.deletedBy, d.deletedAt));
        return;
      }
      // A week or everything: the block's seqs, a chunk at a time; a week's own instants decide at its edges.
      const week = d.week;
      for (let first = d.fromSeq; first <= d.throughSeq; first += BLOCK_CHUNK) {
        const last = Math.min(d.throughSeq, first + BLOCK_CHUNK - 1);
        const block = await ctx.find('timeline', { roomId: d.roomId, seq: { $gte: first, $lte: last } });
        const commentIds = block.filter((doc) => doc['kind'] === 'comment').map((doc) => doc.id);
        for (const commentId of commentIds) {
          await ctx.update('timeline', commentId, (doc) => {
            const at = doc['createdAt'] as string;
            return week === null || (at >= week.from && at < week.until) ? tombstone(doc, d.deletedBy, d.deletedAt) : doc;
          });
        }
      }
    },
  },
};


import type { CommentPosted, JobResource } from '../../../libs/domain/events';
import type { EventStore, Position } from '../../../libs/event-store/event-store.port';
import type { Doc, Filter, ReadStore } from '../../../libs/read-store/read-store.port';
import { userSummary } from '../../../projections/users.projection';

/**
 * The files an export job writes: a JSON array of Qiscus-shaped rows,
 * written page by page so memory stays flat whatever the count. Users and
 * rooms come from their read models (in id order); comments from the log in
 * log order, so that a reply always follows the comment it answers.
 */
export interface ExportSpec {
  readonly resource: JobResource;
  /** Inclusive, ISO 8601 UTC. */
  readonly startDate: string;
  /** Exclusive, ISO 8601 UTC. */
  readonly endDate: string;
}

export interface ExportSources {
  readonly store: EventStore;
  readonly readStore: ReadStore;
  /** The log position the read models have passed when the job started; comments are read up to it. */
  readonly head: Position | null;
}

export interface ExportProgress {
  (percentage: number): void;
}

export interface QiscusUser {
  readonly user_id: string;
  /** Present when the username is an email address (users imported from Qiscus, or who chose one). */
  readonly email?: string;
  readonly username: string;
  readonly name: string;
  /** A removed account: its name reads "Deleted user" and its username is its id. */
  readonly removed?: true;
}

const PAGE = 1000;
const LOG_BATCH = 5000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function qiscusUser(doc: Doc | undefined, userId: string): QiscusUser {
  const user = userSummary(doc, userId);
  const username = user.username ?? userId;
  const name = user.displayName ?? username;
  return {
    user_id: userId,
    ...(EMAIL.test(username) ? { email: username } : {}),
    username,
    name,
    ...(user.removed ? { removed: true as const } : {}),
  };
}

/** Writes the rows; resolves with the count. Stops with an AbortError when `signal` aborts. */
export async function writeQiscusExport(
  spec: ExportSpec,
  sources: ExportSources,
  out: { write(text: string): Promise<unknown> },
  progress: ExportProgress,
  signal: AbortSignal,
): Promise<number> {
  let count = 0;
  const write = async (rows: readonly unknown[]) => {
    if (rows.length === 0) return;
    const text = rows.map((row) => (count++ === 0 ? '\n' : ',\n') + JSON.stringify(row)).join('');
    await out.write(text);
  };
  await out.write('[');
  switch (spec.resource) {
    case 'users':
      // Active accounts only: pending phone accounts are not users yet, removed ones are gone.
      await pages(sources.readStore, 'users', { status: 'active', registeredAt: { $gte: spec.startDate, $lt: spec.endDate } }, progress, signal, async (docs) =>
        write(
          docs.map((doc) => ({
            ...qiscusUser(doc, doc.id),
            avatar_url: null,
            created_at: doc['registeredAt'] as string,
          })),
        ),
      );
      break;
    case 'rooms':
      await pages(sources.readStore, 'rooms', { createdAt: { $gte: spec.startDate, $lt: spec.endDate } }, progress, signal, async (docs) => {
        const ids = new Set<string>();
        for (const doc of docs) {
          ids.add(doc['createdBy'] as string);
          for (const id of Object.keys((doc['members'] ?? {}) as object)) ids.add(id);
        }
        const users = await usersById(sources.readStore, ids);
        await write(docs.map((doc) => qiscusRoom(doc, users)));
      });
      break;
    case 'comments':
      await comments(spec, sources, progress, signal, write);
      break;
  }
  await out.write(count === 0 ? ']\n' : '\n]\n');
  progress(100);
  return count;
}

async function pages(
  readStore: ReadStore,
  collection: string,
  filter: Filter,
  progress: ExportProgress,
  signal: AbortSignal,
  each: (docs: readonly Doc[]) => Promise<void>,
): Promise<void> {
  const total = await readStore.count(collection, filter);
  let done = 0;
  let after: string | undefined;
  for (;;) {
    signal.throwIfAborted();
    const docs = await readStore.find(collection, { filter, limit: PAGE, ...(after === undefined ? {} : { after: [after] }) });
    if (docs.length === 0) return;
    await each(docs);
    done += docs.length;
    after = docs[docs.length - 1]!.id;
    progress(total === 0 ? 100 : Math.min(99, Math.floor((done / total) * 100)));
    if (docs.length < PAGE) return;
  }
}

async function usersById(readStore: ReadStore, ids: Iterable<string>): Promise<Map<string, Doc>> {
  const docs = await readStore.getMany('users', [...ids]);
  return new Map(docs.map((doc) => [doc.id, doc]));
}

function qiscusRoom(doc: Doc, users: ReadonlyMap<string, Doc>) {
  const creatorId = doc['createdBy'] as string;
  const creator = qiscusUser(users.get(creatorId), creatorId);
  const members = (doc['members'] ?? {}) as Record<string, { role: string; joinedAt: string }>;
  return {
    room_id: doc.id,
    unique_id: doc.id,
    room_name: doc['name'] as string,
    room_type: doc['kind'] === 'direct' ? 'single' : 'group',
    topic: (doc['topic'] as string | null) ?? null,
    avatar_url: (doc['avatarUrl'] as string | null) ?? null,
    creator: creator.email ?? creator.username,
    creator_id: creatorId,
    participants: Object.entries(members)
      .sort(([, a], [, b]) => (a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : 0))
      .map(([userId, member]) => ({ ...qiscusUser(users.get(userId), userId), role: member.role })),
    created_at: doc['createdAt'] as string,
  };
}

async function comments(
  spec: ExportSpec,
  sources: ExportSources,
  progress: ExportProgress,
  signal: AbortSignal,
  write: (rows: readonly unknown[]) => Promise<void>,
): Promise<void> {
  const head = sources.head;
  if (head === null) return;
  const names = new Map<string, Doc | undefined>();
  let after: Position | undefined;
  for (;;) {
    signal.throwIfAborted();
    const batch = await sources.store.readAll({ after, maxCount: LOG_BATCH });
    const inRange: CommentPosted['data'][] = [];
    let passedHead = false;
    for (const event of batch) {
      if (event.position > head) {
        passedHead = true;
        break;
      }
      after = event.position;
      if (event.type !== 'CommentPosted') continue;
      const d = event.data as CommentPosted['data'];
      if (d.postedAt >= spec.startDate && d.postedAt < spec.endDate) inRange.push(d);
    }
    if (inRange.length > 0) {
      // Deleted comments are left out: the timeline knows which, up to the head this job waited for.
      const timeline = await sources.readStore.getMany('timeline', inRange.map((d) => d.commentId));
      const deleted = new Set(timeline.filter((doc) => doc['deleted'] === true).map((doc) => doc.id));
      const unknown = [...new Set(inRange.map((d) => d.senderId))].filter((id) => !names.has(id));
      if (names.size + unknown.length > 50_000) names.clear();
      const found = await usersById(sources.readStore, unknown);
      for (const id of unknown) names.set(id, found.get(id));
      await write(
        inRange
          .filter((d) => !deleted.has(d.commentId))
          .map((d) => {
            const sender = qiscusUser(names.get(d.senderId), d.senderId);
            return {
              id: d.commentId,
              room_id: d.roomId,
              seq: d.seq,
              comment_before_id: d.previousId,
              unique_temp_id: d.clientId,
              sender,
              email: sender.email ?? null,
              username: sender.username,
              text: d.text,
              type: d.commentType,
              payload: d.payload,
              parent_id: d.replyTo,
              created_at: d.postedAt,
            };
          }),
      );
    }
    if (after !== undefined) progress(Math.min(99, Number((after * 100n) / head)));
    if (passedHead || batch.length < LOG_BATCH || (after !== undefined && after >= head)) return;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../../../libs/domain/errors';
import { upcast, type CommentDeleted, type CommentPosted } from '../../../libs/domain/events';
import { evolveRoomStream, initialRoomState, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from '../infrastructure/tokens';

export interface AuditMoment {
  /** Include events at or before this position… */
  readonly position?: Position;
  /** …or recorded at or before this time. */
  readonly time?: string;
}

export interface RoomAsOf {
  readonly roomId: string;
  readonly at: { readonly position: string | null; readonly time: string | null };
  readonly exists: boolean;
  readonly name: string | null;
  readonly kind: string | null;
  readonly topic: string | null;
  readonly avatarUrl: string | null;
  readonly permissions: unknown;
  readonly members: readonly { readonly userId: string; readonly role: string; readonly muted: boolean }[];
  readonly comments: readonly {
    readonly id: string;
    readonly seq: number;
    readonly senderId: string;
    readonly text: string | null;
    readonly type: string;
    readonly createdAt: string;
    readonly position: string;
    readonly deleted: boolean;
    readonly deletedBy: string | null;
  }[];
  readonly totalComments: number;
  readonly lastEventPosition: string | null;
}

const PAGE = 500;

/**
 * A room as it was at a moment, computed from the log alone: its settings
 * and members folded up to that moment, and its latest comments then, with
 * deletions that had happened by then. Read models play no part, so the
 * answer holds even for history a projection never kept.
 */
@Injectable()
export class RoomHistory {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async asOf(roomId: string, moment: AuditMoment, commentLimit: number): Promise<RoomAsOf> {
    const within = (event: StoredEvent) =>
      (moment.position === undefined || event.position <= moment.position) &&
      (moment.time === undefined || event.recordedAt <= moment.time);

    let state: RoomState = initialRoomState;
    let last: StoredEvent | null = null;
    // A thread's first message came with the room's creation, in its stream.
    let opening: StoredEvent | null = null;
    for (let from = 0; ; from += PAGE) {
      const page = await this.store.readStream(streams.room(roomId), { fromRevision: from, maxCount: PAGE });
      let stop = false;
      for (const stored of page) {
        if (!within(stored)) {
          stop = true;
          break;
        }
        const event = upcast(stored.type, stored.version, stored.data);
        if (event) state = evolveRoomStream(state, event);
        if (event?.type === 'CommentPosted') opening = stored;
        last = stored;
      }
      if (stop || page.length < PAGE) break;
    }
    if (state.status !== 'active' && last === null) {
      const ever = await this.store.streamRevision(streams.room(roomId));
      if (ever === null) throw notFound('ROOM.NOT_FOUND', 'No such room in the log');
    }

    // Newest comments first, walking back from the stream's end past those after the moment.
    const comments: StoredEvent[] = [];
    let total = 0;
    const head = await this.store.streamRevision(streams.comments(roomId));
    for (let from = head; from !== null && from >= 0 && comments.length < commentLimit; from -= PAGE) {
      const page = await this.store.readStream(streams.comments(roomId), {
        direction: 'backwards',
        fromRevision: from,
        maxCount: PAGE,
      });
      for (const stored of page) {
        if (!within(stored)) continue;
        // Revisions are dense and seq = revision + 1 (+ the opening): the first comment in range tells the total.
        if (total === 0) total = stored.revision + 1 + (opening === null ? 0 : 1);
        if (comments.length < commentLimit) comments.push(stored);
      }
      if (page.length < PAGE) break;
    }
    if (opening !== null) {
      if (total === 0) total = 1;
      if (comments.length < commentLimit) comments.push(opening);
    }
    comments.reverse();
    const deletions = await Promise.all(
      comments.map(async (stored) => {
        const [deleted] = await this.store.readStream(streams.comment((stored.data as CommentPosted['data']).commentId), {
          maxCount: 1,
        });
        return deleted && within(deleted) ? (deleted.data as CommentDeleted['data']) : null;
      }),
    );
    const lastComment = comments[comments.length - 1];
    const lastPosition = [last?.position, lastComment?.position].reduce<Position | undefined>(
      (max, p) => (p !== undefined && (max === undefined || p > max) ? p : max),
      undefined,
    );
    return {
      roomId,
      at: { position: moment.position?.toString() ?? null, time: moment.time ?? null },
      exists: state.status === 'active',
      name: state.status === 'active' ? state.name : null,
      kind: state.status === 'active' ? state.kind : null,
      topic: state.status === 'active' ? state.topic : null,
      avatarUrl: state.status === 'active' ? state.avatarUrl : null,
      permissions: state.status === 'active' ? state.permissions : null,
      members:
        state.status === 'active'
          ? [...state.members.entries()].map(([userId, m]) => ({ userId, role: m.role, muted: m.muted }))
          : [],
      comments: comments.map((stored, index) => {
        const d = stored.data as CommentPosted['data'];
        const deletion = deletions[index];
        return {
          id: d.commentId,
          seq: d.seq,
          senderId: d.senderId,
          text: deletion ? null : d.text,
          type: d.commentType,
          createdAt: d.postedAt,
          position: stored.position.toString(),
          deleted: deletion !== null && deletion !== undefined,
          deletedBy: deletion?.deletedBy ?? null,
        };
      }),
      totalComments: total,
      lastEventPosition: lastPosition?.toString() ?? null,
    };
  }

  /** The raw events of one stream, paged, with their metadata (who, when, which request). */
  async stream(streamId: string, fromRevision: number, limit: number): Promise<StoredEvent[]> {
    return this.store.readStream(streamId, { fromRevision, maxCount: limit });
  }
}

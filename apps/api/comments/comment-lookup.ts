import { Inject, Injectable } from '@nestjs/common';
import { upcast } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, Position } from '../../../libs/event-store/event-store.port';
import { checkpointName } from '../../../libs/projection/projection';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { timelineProjection } from '../../../projections/timeline.projection';
import { EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';
import { commentView, commentViewOfDoc, type CommentView } from './comment-views';

/** The last event of `comments-<roomId>` as the caller knows it; null for an empty stream. */
export interface CommentsHead {
  readonly revision: number;
  readonly position: Position;
}

const FIRST_PAGE = 16;
const MAX_PAGE = 256;
const TIMELINE_CHECKPOINT = checkpointName(timelineProjection);

/**
 * Finds comments of one room by id without any lookup by event id in the
 * store (decision 0014). The timeline read model answers for every event up
 * to its checkpoint; the events it has not seen yet are the tail of
 * `comments-<roomId>` after that checkpoint, read backwards from the head. So
 * the answer is exact however far the read model lags, and costs no store
 * read when the caller's known head is already projected. A thread's first
 * message came with the room's creation: it is the one comment before that
 * stream, in `room-<id>` where the room's state says.
 */
@Injectable()
export class CommentLookup {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly rooms: RoomStates,
  ) {}

  /**
   * The comments of `roomId` among `ids`, by id. With `head` (what the
   * comment sequencer knows of the stream's end; its append's expected
   * revision catches anything written after it) the stream is read from
   * there; without, from the stream's current end.
   */
  async find(roomId: string, ids: readonly string[], head?: CommentsHead | null): Promise<Map<string, CommentView>> {
    const found = new Map<string, CommentView>();
    const wanted = new Set(ids);
    if (wanted.size === 0) return found;
    // The checkpoint before the documents: a comment projected in between is
    // then among the documents, never in the gap between the two reads.
    const stored = await this.readStore.getCheckpoint(TIMELINE_CHECKPOINT);
    const checkpoint = stored === null ? null : BigInt(stored);
    for (const doc of await this.readStore.getMany('timeline', [...wanted])) {
      if (doc['kind'] !== 'comment' || doc['roomId'] !== roomId || !wanted.delete(doc.id)) continue;
      found.set(doc.id, commentViewOfDoc(doc));
    }
    if (wanted.size === 0) return found;
    if (head === null) return this.opening(roomId, wanted, found, checkpoint);
    if (head !== undefined && checkpoint !== null && head.position <= checkpoint) return found;

    let from = head?.revision;
    let page = FIRST_PAGE;
    for (;;) {
      const events = await this.store.readStream(streams.comments(roomId), {
        direction: 'backwards',
        ...(from === undefined ? {} : { fromRevision: from }),
        maxCount: page,
      });
      for (const stored of events) {
        if (checkpoint !== null && stored.position <= checkpoint) return found;
        const event = upcast(stored.type, stored.version, stored.data);
        if (event?.type !== 'CommentPosted' || !wanted.delete(event.data.commentId)) continue;
        found.set(event.data.commentId, commentView(event.data, stored.position));
        if (wanted.size === 0) return found;
      }
      const last = events[events.length - 1];
      if (last === undefined || events.length < page || last.revision === 0) return this.opening(roomId, wanted, found, checkpoint);
      from = last.revision - 1;
      page = Math.min(MAX_PAGE, page * 2);
    }
  }

  /** What is still wanted after the whole comment stream: a thread's first message, if it is the one. */
  private async opening(roomId: string, wanted: ReadonlySet<string>, found: Map<string, CommentView>, checkpoint: bigint | null): Promise<Map<string, CommentView>> {
    const { state } = await this.rooms.loadWithJoins(roomId);
    const at = state.openingAt;
    const id = state.room.status === 'active' ? state.room.openingComment?.commentId : undefined;
    if (id === undefined || at === null || !wanted.has(id)) return found;
    // Projected already: the documents answered it, or it is not this room's.
    if (checkpoint !== null && at.position <= checkpoint) return found;
    const [stored] = await this.store.readStream(streams.room(roomId), { fromRevision: at.revision, maxCount: 1 });
    const event = stored ? upcast(stored.type, stored.version, stored.data) : null;
    if (stored && event?.type === 'CommentPosted' && event.data.commentId === id) found.set(id, commentView(event.data, stored.position));
    return found;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline, type StateSource, type Turn } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { commentsDecider, roomOpeningTail, tailOf, type CommentsTail, type PostComment, type ReplyTarget } from '../../../libs/domain/comments/comment.decider';
import type { BlockFacts } from '../../../libs/domain/contacts/blocking.decider';
import { upcast, type CommentPosted } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import { MAX_APPEND_BYTES, type EventStore, type Position } from '../../../libs/event-store/event-store.port';
import { systemItemOf } from '../../../libs/domain/rooms/timeline-items';
import { ContactDirectory } from '../contacts/contact-directory';
import { EVENT_STORE } from '../infrastructure/tokens';
import { creatorOf, RoomStates } from '../rooms/room-states';
import { CommentLookup, type CommentsHead } from './comment-lookup';
import { commentView, type CommentView } from './comment-views';

interface Pending {
  readonly command: PostComment;
  /** The id derives from a client key, so an earlier turn may already have written it. */
  readonly keyed: boolean;
  readonly context: CommandContext;
  /** What the comment adds to an append, at most (see appendBytes). */
  readonly bytes: number;
  /** The caller answers with the comment's event id in its room's timeline (the Vonage and Nexmo surfaces). */
  readonly wantsEventId: boolean;
  readonly resolve: (comment: PostedComment) => void;
  readonly reject: (error: unknown) => void;
}

/** A post's answer: the comment, and its per-room event id when the caller asked for it. */
export type PostedComment = CommentView & { readonly eventId?: number };

/**
 * What a turn decided on about the room's timeline: the room stream's revision
 * and how many system items the room had by then. A comment's event id is its
 * seq plus the system items before it; those written between this and the
 * append are read after it (systemItemsBefore).
 */
interface TimelineBasis {
  readonly roomId: string;
  readonly roomStream: string;
  readonly revision: number | null;
  /** Where the room stream's state ends in the log (null: no room event yet). */
  readonly lastPosition: Position | null;
  readonly systemItems: number;
  readonly createdBy: string | null;
}

/** The comment stream's end as this process last wrote or read it. */
interface Tail {
  readonly head: CommentsHead | null;
  readonly tail: CommentsTail;
}

const MAX_BATCH = 256;
/**
 * A turn's appends stay under MAX_APPEND_BYTES (EventStoreDB's 1 MiB) with
 * room to spare for what the estimate leaves out.
 */
const MAX_TURN_BYTES = MAX_APPEND_BYTES - 64 * 1024;
/**
 * Everything of a CommentPosted besides text and payload, and its envelope:
 * ids, seq, type, clientId (200 characters, escaped), timestamps, metadata
 * (actor, correlation and causation ids) and EventStoreDB's own metadata. A
 * bound, not a measure: at most about 1.9 KiB.
 */
const ENVELOPE_BYTES = 2 * 1024;
/** A bound of one attachment's metadata and URLs in an event (three thumbnails). */
const ATTACHMENT_BYTES = 1024;
/** Rooms whose comment tail is kept; beyond, the oldest is read again on its next turn. */
const TAIL_CAPACITY = 10_000;

/** An upper bound of what a comment adds to an append, as JSON in UTF-8. */
export function appendBytes(text: string, payload: Record<string, unknown> | null): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') + Buffer.byteLength(JSON.stringify(payload), 'utf8') + ENVELOPE_BYTES;
}

/**
 * The comment streams' tails as this process last appended them. A turn takes
 * its room's tail out and the tail goes back only with the turn's own append:
 * a turn whose append failed (another writer moved the stream) leaves the
 * pipeline's next attempt to read the tail from the store.
 */
class CommentTails implements StateSource<Tail> {
  private readonly tails = new Map<string, Tail>();

  constructor(private readonly store: EventStore) {}

  async load(streamId: string): Promise<Loaded<Tail>> {
    const kept = this.tails.get(streamId);
    this.tails.delete(streamId);
    const known = kept ?? (await this.read(streamId));
    return { state: known, revision: known.head === null ? null : known.head.revision };
  }

  keep(streamId: string, tail: Tail): void {
    this.tails.delete(streamId);
    this.tails.set(streamId, tail);
    if (this.tails.size > TAIL_CAPACITY) {
      const oldest = this.tails.keys().next().value;
      if (oldest !== undefined) this.tails.delete(oldest);
    }
  }

  private async read(streamId: string): Promise<Tail> {
    const [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const event = last ? upcast(last.type, last.version, last.data) : null;
    return {
      head: last ? { revision: last.revision, position: last.position } : null,
      tail: tailOf(event?.type === 'CommentPosted' ? event : undefined),
    };
  }
}

/**
 * Group commit at the room level: the one place that batches a room's posts
 * into the command pipeline. Posts to one room that arrive while an append
 * is in flight wait in the room's queue; the next turn decides them one
 * after another on the advancing tail (commentsDecider) and the pipeline
 * appends them together at one expected revision, again on a conflict. A
 * busy room thus costs one append per turn instead of a retry storm, and
 * `seq` stays dense. A refusal fails only its own post. A turn ends at
 * MAX_BATCH comments or before MAX_TURN_BYTES, whichever first.
 *
 * The comment stream's tail is kept from the last append, so a turn reads
 * nothing before its append. Client keys (clientId, Idempotency-Key) make the
 * comment id deterministic; CommentLookup finds an earlier comment with that
 * id in the room.
 */
@Injectable()
export class CommentSequencer {
  private readonly queues = new Map<string, Pending[]>();
  private readonly tails: CommentTails;
  private readonly store: EventStore;
  /** Posts one turn may group: only one where the store cannot answer each event's position. */
  private readonly maxBatch: number;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly rooms: RoomStates,
    private readonly pipeline: CommandPipeline,
    private readonly contacts: ContactDirectory,
    private readonly lookup: CommentLookup,
  ) {
    this.store = store;
    this.tails = new CommentTails(store);
    this.maxBatch = store.answersEachPosition ? MAX_BATCH : 1;
  }

  post(command: PostComment, context: CommandContext, keyed: boolean, wantsEventId = false): Promise<PostedComment> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(command.roomId);
      const pending = { command, context, keyed, wantsEventId, bytes: appendBytes(command.text, command.payload) + ATTACHMENT_BYTES * (command.attachments?.length ?? 0), resolve, reject };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(command.roomId, [pending]);
      void this.drain(command.roomId);
    });
  }

  private async drain(roomId: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(roomId)!;
      if (queue.length === 0) {
        this.queues.delete(roomId);
        return;
      }
      const turn = queue.splice(0, turnLength(queue, this.maxBatch));
      try {
        await this.pipeline.turn(this.tails, streams.comments(roomId), (loaded) => this.decideTurn(roomId, turn, loaded.state), () => 'PostComment');
      } catch (error) {
        for (const pending of turn) pending.reject(error);
      }
    }
  }

  /** The turn's posts decided one after another on the advancing tail; one append answers them all. */
  private async decideTurn(roomId: string, turn: readonly Pending[], known: Tail): Promise<Turn<CommentPosted, void>> {
    const [loaded, earlier] = await Promise.all([this.rooms.loadWithJoins(roomId), this.lookup.find(roomId, lookedUp(turn), known.head)]);
    const state = loaded.state.room;
    const basis: TimelineBasis = { roomId, roomStream: streams.room(roomId), revision: loaded.revision, lastPosition: loaded.state.lastPosition, systemItems: loaded.state.systemItems, createdBy: creatorOf(state) };
    // An empty comment stream continues the room's: a thread's first message came with the room.
    let tail = known.head === null ? roomOpeningTail(state) : known.tail;
    let blocks: BlockFacts | null = null;
    const accepted: { pending: Pending; event: CommentPosted }[] = [];
    const refused: { pending: Pending; error: unknown }[] = [];
    const sameId = new Map<string, Pending[]>();
    for (const pending of turn) {
      const { commentId } = pending.command;
      // The same client key twice in one turn: one comment, both answered with it.
      const twin = accepted.find((a) => a.event.data.commentId === commentId);
      if (twin) {
        sameId.set(commentId, [...(sameId.get(commentId) ?? []), pending]);
        continue;
      }
      const written = pending.keyed ? earlier.get(commentId) : undefined;
      if (written) {
        pending.resolve(written);
        continue;
      }
      try {
        const replyTarget = replyTargetOf(pending.command.replyTo, accepted, earlier);
        // Blocking (issue #5) asks only in a direct room, so a post to a group reads nothing more.
        const asksBlocks = state.status === 'active' && state.kind === 'direct' && !pending.context.importId;
        if (asksBlocks && blocks === null) blocks = await this.contacts.blockFacts([...state.members.keys()]);
        const [event] = commentsDecider.decide({ post: pending.command, room: state, replyTarget, blocks: asksBlocks ? blocks : null }, tail);
        accepted.push({ pending, event: event! });
        tail = commentsDecider.evolve(tail, event!);
      } catch (error) {
        refused.push({ pending, error });
      }
    }
    const stream = streams.comments(roomId);
    return {
      // One append for the turn; metadata of each event names its own request.
      events: accepted.map(({ pending, event }) => ({ event, context: pending.context, id: event.data.commentId })),
      answer: (appended) => {
        if (appended === null) {
          this.tails.keep(stream, known);
        } else {
          this.tails.keep(stream, { head: { revision: appended.nextRevision, position: appended.position }, tail });
          // Each comment answers its own event's position: the one reads, the feed and webhooks show.
          const answer = (systemItems: number | null) =>
            accepted.forEach(({ pending, event }, index) => {
              const comment = commentView(event.data, appended.positions?.[index] ?? appended.position);
              const withId = systemItems === null ? comment : { ...comment, eventId: event.data.seq + systemItems };
              pending.resolve(pending.wantsEventId ? withId : comment);
              for (const twin of sameId.get(event.data.commentId) ?? []) twin.resolve(twin.wantsEventId ? withId : comment);
            });
          if (accepted.some(({ pending }) => pending.wantsEventId || sameId.get(pending.command.commentId)?.some((twin) => twin.wantsEventId))) {
            // One append is contiguous in the log: a room event is before all of the turn's comments or after all.
            // The comments are written whatever this read does: if it fails they are answered without an event id,
            // and the caller reads it from the timeline, never a failure for a committed comment.
            this.systemItemsBefore(basis, appended.positions?.[0] ?? appended.position).then(answer, () => answer(null));
          } else {
            answer(null);
          }
        }
        for (const { pending, error } of refused) pending.reject(error);
      },
    };
  }

  /**
   * The room's system items before `position` (the turn's first comment):
   * the basis's count, and those of the room events appended since it that
   * the log holds before the comment. Usually none is new, and the live log
   * says so once it has shown the append (RoomStates.unchangedBetween): then
   * nothing is read. Else the room stream is read after the append, so every
   * event before the comment is committed.
   */
  private async systemItemsBefore(basis: TimelineBasis, position: Position): Promise<number> {
    if (basis.lastPosition !== null && (await this.rooms.unchangedBetween(basis.roomId, basis.lastPosition, position)) === true) return basis.systemItems;
    const since = await this.store.readStream(basis.roomStream, basis.revision === null ? {} : { fromRevision: basis.revision + 1 });
    let count = basis.systemItems;
    let createdBy = basis.createdBy;
    for (const stored of since) {
      if (stored.position >= position) break;
      const event = upcast(stored.type, stored.version, stored.data);
      if (event === null) continue;
      if (systemItemOf(event, createdBy) !== null) count++;
      if (event.type === 'RoomCreated') createdBy = event.data.createdBy;
    }
    return count;
  }
}

/** How many of the queue's first posts make one turn: at most maxBatch, under MAX_TURN_BYTES, at least one. */
function turnLength(queue: readonly Pending[], maxBatch: number): number {
  let bytes = 0;
  let count = 0;
  for (const pending of queue) {
    if (count === maxBatch || (count > 0 && bytes + pending.bytes > MAX_TURN_BYTES)) break;
    bytes += pending.bytes;
    count++;
  }
  return count;
}

/** Ids the turn must look for in the room: keyed posts' own ids and reply targets. */
function lookedUp(turn: readonly Pending[]): string[] {
  const ids = new Set<string>();
  for (const { command, keyed } of turn) {
    if (keyed) ids.add(command.commentId);
    if (command.replyTo !== null) ids.add(command.replyTo);
  }
  return [...ids];
}

function replyTargetOf(
  replyTo: string | null,
  accepted: readonly { event: CommentPosted }[],
  earlier: ReadonlyMap<string, CommentView>,
): ReplyTarget | null {
  if (replyTo === null) return null;
  const inTurn = accepted.find((a) => a.event.data.commentId === replyTo);
  if (inTurn) return { roomId: inTurn.event.data.roomId };
  const found = earlier.get(replyTo);
  return found ? { roomId: found.roomId } : null;
}

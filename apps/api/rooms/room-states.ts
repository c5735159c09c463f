import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { aliasOfEvent } from '../../../libs/domain/aliases';
import type { ParleyEvent } from '../../../libs/domain/events';
import { evolveRoomStream, initialRoomState, isRoomEvent, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import { systemItemOf } from '../../../libs/domain/rooms/timeline-items';
import type { EventStore, Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { LogFollower } from '../infrastructure/log-follower';
import { LastChanges } from '../../../libs/command-pipeline/last-changes';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/** A room's decision state and, beside it, the log position of each current member's latest joining. */
export interface RoomWithJoins {
  readonly room: RoomState;
  /** Where in the log each current member joined: a `joined` room shows them the history from there on. */
  readonly joinedAt: ReadonlyMap<string, Position>;
  /** Where a thread's first message is in `room-<id>` (it came with the room's creation); null for other rooms. */
  readonly openingAt: { readonly revision: number; readonly position: Position; readonly alias: number } | null;
  /** How many system items of the room's timeline `room-<id>` made so far (systemItemOf): a comment's event id is its seq plus those before it. */
  readonly systemItems: number;
  /** The log position of the last event folded in; null before any. */
  readonly lastPosition: Position | null;
}

const EMPTY: RoomWithJoins = { room: initialRoomState, joinedAt: new Map(), openingAt: null, systemItems: 0, lastPosition: null };
/** How long a writer waits for the live log to show its own append before it reads the room stream instead. */
const LOG_WAIT_MS = 250;

/** The room's creator, the one fact the timeline's rule reads from the state (null before the room exists). */
export const creatorOf = (room: RoomState): string | null => (room.status === 'active' ? room.createdBy : null);

function evolve(before: RoomWithJoins, event: ParleyEvent, stored: StoredEvent): RoomWithJoins {
  return { ...evolveFacts(before, event, stored), lastPosition: stored.position };
}

function evolveFacts(before: RoomWithJoins, event: ParleyEvent, stored: StoredEvent): RoomWithJoins {
  const fold = systemItemOf(event, creatorOf(before.room)) === null ? before : { ...before, systemItems: before.systemItems + 1 };
  if (!isRoomEvent(event)) {
    const room = evolveRoomStream(fold.room, event);
    if (room === fold.room) return fold;
    return { ...fold, room, openingAt: { revision: stored.revision, position: stored.position, alias: aliasOfEvent(stored) } };
  }
  const room = evolveRoomStream(fold.room, event);
  if (event.type === 'MemberAdded') {
    const joinedAt = new Map(fold.joinedAt);
    joinedAt.set(event.data.userId, stored.position);
    return { ...fold, room, joinedAt };
  }
  if (event.type === 'MemberRemoved' || event.type === 'MemberLeft') {
    const joinedAt = new Map(fold.joinedAt);
    joinedAt.delete(event.data.userId);
    return { ...fold, room, joinedAt };
  }
  return { ...fold, room };
}

/**
 * Rooms' decision state (settings and membership), folded from `room-<id>`.
 * Every comment turn asks for its room's state: the live log keeps the cached
 * states current, so a turn reads nothing unless this process just changed
 * the room.
 */
@Injectable()
export class RoomStates implements BeforeApplicationShutdown {
  private readonly cache: StreamStateCache<RoomWithJoins>;
  /** Where each room stream last changed, as the live log showed it. */
  private readonly changes = new LastChanges(streams.room(''));

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly follower: LogFollower,
  ) {
    this.cache = new StreamStateCache<RoomWithJoins>(store, EMPTY, evolve);
    this.cache.follow(() => follower.live);
    follower.listen(async (events) => {
      this.cache.advance(events);
      this.changes.see(events);
    });
  }

  async load(roomId: string): Promise<Loaded<RoomState>> {
    const { state, revision } = await this.cache.load(streams.room(roomId));
    return { state: state.room, revision };
  }

  /** The room with its members' join positions (the feed's history visibility). */
  loadWithJoins(roomId: string): Promise<Loaded<RoomWithJoins>> {
    return this.cache.load(streams.room(roomId));
  }

  /**
   * Whether `room-<id>` had no event after `since` (where a state of it
   * ends) up to `until`, as the live log shows once it is past `until`:
   * true, or null when that cannot be told without reading the stream (the
   * log is not followed, or not that far within LOG_WAIT_MS, or the room
   * changed since).
   */
  async unchangedBetween(roomId: string, since: Position, until: Position): Promise<true | null> {
    if (!this.follower.live) return null;
    return (await this.changes.unchangedBetween(streams.room(roomId), since, until, LOG_WAIT_MS)) === true ? true : null;
  }

  beforeApplicationShutdown(): void {
    this.changes.close();
  }
}

/** A room that exists and is open, as the surfaces that translate to rooms see it. */
export type { ActiveRoom } from '../../../libs/domain/rooms/room.decider';

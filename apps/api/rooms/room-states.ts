import { Inject, Injectable } from '@nestjs/common';
import type { ParleyEvent, RoomEvent } from '../../../libs/domain/events';
import { evolveRoom, initialRoomState, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { LogFollower } from '../infrastructure/log-follower';
import { StreamStateCache, type Loaded } from '../infrastructure/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

const ROOM_EVENTS = new Set<string>([
  'RoomCreated',
  'MemberAdded',
  'MemberRemoved',
  'MemberLeft',
  'MemberRoleChanged',
  'MemberMuteChanged',
  'RoomRenamed',
  'RoomTopicChanged',
  'RoomAvatarChanged',
  'RoomPermissionsChanged',
]);

/**
 * Rooms' decision state (settings and membership), folded from `room-<id>`.
 * Every comment turn asks for its room's state: the live log keeps the cached
 * states current, so a turn reads nothing unless this process just changed
 * the room.
 */
@Injectable()
export class RoomStates {
  private readonly cache: StreamStateCache<RoomState>;

  constructor(@Inject(EVENT_STORE) store: EventStore, follower: LogFollower) {
    this.cache = new StreamStateCache<RoomState>(store, initialRoomState, (state, event: ParleyEvent) =>
      ROOM_EVENTS.has(event.type) ? evolveRoom(state, event as RoomEvent) : state,
    );
    this.cache.follow(() => follower.live);
    follower.listen(async (events) => this.cache.advance(events));
  }

  load(roomId: string): Promise<Loaded<RoomState>> {
    return this.cache.load(streams.room(roomId));
  }
}

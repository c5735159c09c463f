import { Inject, Injectable } from '@nestjs/common';
import type { ParleyEvent, RoomEvent } from '../../../libs/domain/events';
import { evolveRoom, initialRoomState, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
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

/** Rooms' decision state (settings and membership), folded from `room-<id>`. */
@Injectable()
export class RoomStates {
  private readonly cache: StreamStateCache<RoomState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.cache = new StreamStateCache<RoomState>(store, initialRoomState, (state, event: ParleyEvent) =>
      ROOM_EVENTS.has(event.type) ? evolveRoom(state, event as RoomEvent) : state,
    );
  }

  load(roomId: string): Promise<Loaded<RoomState>> {
    return this.cache.load(streams.room(roomId));
  }
}

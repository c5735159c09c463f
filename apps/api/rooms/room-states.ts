import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { roomDecider, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';

/** Rooms' decision state (settings and membership), folded from `room-<id>`: the cache the room commands decide on. */
@Injectable()
export class RoomStates {
  private readonly cache: StreamStateCache<RoomState>;

  constructor(pipeline: CommandPipeline) {
    this.cache = pipeline.states(roomDecider);
  }

  load(roomId: string): Promise<Loaded<RoomState>> {
    return this.cache.load(streams.room(roomId));
  }
}

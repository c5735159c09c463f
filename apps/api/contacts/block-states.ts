import { Inject, Injectable } from '@nestjs/common';
import { evolveBlocks, initialBlocksState, isBlockEvent, type BlocksState } from '../../../libs/domain/contacts/blocks.decider';
import type { ParleyEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/** Block lists, folded from `blocks-<userId>`: a load reads only what is new, so a check is never stale. */
@Injectable()
export class BlockStates {
  private readonly cache: StreamStateCache<BlocksState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.cache = new StreamStateCache<BlocksState>(store, initialBlocksState, (state, event: ParleyEvent) =>
      isBlockEvent(event) ? evolveBlocks(state, event) : state,
    );
  }

  load(userId: string): Promise<Loaded<BlocksState>> {
    return this.cache.load(streams.blocks(userId));
  }
}

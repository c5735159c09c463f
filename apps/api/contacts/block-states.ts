import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { blocksDecider, type BlocksState } from '../../../libs/domain/contacts/blocks.decider';
import { streams } from '../../../libs/domain/streams';

/** Block lists, folded from `blocks-<userId>`: a load reads only what is new, so a check is never stale. */
@Injectable()
export class BlockStates {
  private readonly cache: StreamStateCache<BlocksState>;

  constructor(pipeline: CommandPipeline) {
    this.cache = pipeline.states(blocksDecider);
  }

  load(userId: string): Promise<Loaded<BlocksState>> {
    return this.cache.load(streams.blocks(userId));
  }
}

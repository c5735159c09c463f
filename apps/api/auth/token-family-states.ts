import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { streams } from '../../../libs/domain/streams';
import { LogFollower } from '../infrastructure/log-follower';
import { tokenFamilyDecider, type TokenFamilyState } from '../../../libs/domain/tokens/token-family.decider';

/**
 * Refresh-token families folded from `token-family-<id>`. Every authenticated
 * request loads its family here: the live log keeps the cached families
 * current, so that costs no read unless this process changed the family.
 */
@Injectable()
export class TokenFamilyStates {
  private readonly cache: StreamStateCache<TokenFamilyState>;

  constructor(pipeline: CommandPipeline, follower: LogFollower) {
    this.cache = pipeline.states(tokenFamilyDecider);
    this.cache.follow(() => follower.live);
    follower.listen(async (events) => this.cache.advance(events));
  }

  load(familyId: string, options?: { readonly maxAgeMs?: number }): Promise<Loaded<TokenFamilyState>> {
    return this.cache.load(streams.tokenFamily(familyId), options);
  }
}

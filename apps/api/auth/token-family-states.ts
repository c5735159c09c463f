import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { streams } from '../../../libs/domain/streams';
import { tokenFamilyDecider, type TokenFamilyState } from '../../../libs/domain/tokens/token-family.decider';

/**
 * Refresh-token families folded from `token-family-<id>`. Every authenticated
 * request loads its family here: one read of the events after the cached
 * revision, usually none.
 */
@Injectable()
export class TokenFamilyStates {
  private readonly cache: StreamStateCache<TokenFamilyState>;

  constructor(pipeline: CommandPipeline) {
    this.cache = pipeline.states(tokenFamilyDecider);
  }

  load(familyId: string, options?: { readonly maxAgeMs?: number }): Promise<Loaded<TokenFamilyState>> {
    return this.cache.load(streams.tokenFamily(familyId), options);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ParleyEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import {
  evolveTokenFamily,
  initialTokenFamilyState,
  isTokenEvent,
  type TokenFamilyState,
} from '../../../libs/domain/tokens/token-family.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/**
 * Refresh-token families folded from `token-family-<id>`. Every authenticated
 * request loads its family here: one read of the events after the cached
 * revision, usually none.
 */
@Injectable()
export class TokenFamilyStates {
  private readonly cache: StreamStateCache<TokenFamilyState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.cache = new StreamStateCache<TokenFamilyState>(store, initialTokenFamilyState, (state, event: ParleyEvent) =>
      isTokenEvent(event) ? evolveTokenFamily(state, event) : state,
    );
  }

  load(familyId: string, options?: { readonly maxAgeMs?: number }): Promise<Loaded<TokenFamilyState>> {
    return this.cache.load(streams.tokenFamily(familyId), options);
  }
}

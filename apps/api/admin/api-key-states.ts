import { Inject, Injectable } from '@nestjs/common';
import { evolveApiKey, initialApiKeyState, isApiKeyEvent, type ApiKeyState } from '../../../libs/domain/api-keys/api-key.decider';
import type { ParleyEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/**
 * API keys' state, folded from `apikey-<id>`. Every load reads the stream's
 * new events (usually none), so a key revoked by another process, the CLI
 * included, is refused on its next request: there is no time-based cache.
 */
@Injectable()
export class ApiKeyStates {
  private readonly cache: StreamStateCache<ApiKeyState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.cache = new StreamStateCache<ApiKeyState>(store, initialApiKeyState, (state, event: ParleyEvent) =>
      isApiKeyEvent(event) ? evolveApiKey(state, event) : state,
    );
  }

  load(keyId: string): Promise<Loaded<ApiKeyState>> {
    return this.cache.load(streams.apiKey(keyId));
  }
}

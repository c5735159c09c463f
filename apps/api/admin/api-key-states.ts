import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { apiKeyDecider, type ApiKeyState } from '../../../libs/domain/api-keys/api-key.decider';
import { streams } from '../../../libs/domain/streams';

/**
 * API keys' state, folded from `apikey-<id>`. Every load reads the stream's
 * new events (usually none), so a key revoked by another process, the CLI
 * included, is refused on its next request: there is no time-based cache.
 */
@Injectable()
export class ApiKeyStates {
  private readonly cache: StreamStateCache<ApiKeyState>;

  constructor(pipeline: CommandPipeline) {
    this.cache = pipeline.states(apiKeyDecider);
  }

  load(keyId: string): Promise<Loaded<ApiKeyState>> {
    return this.cache.load(streams.apiKey(keyId));
  }
}

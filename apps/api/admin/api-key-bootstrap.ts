import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import { API_KEY_SCOPES, apiKeyDecider, BOOTSTRAP_API_KEY_ID } from '../../../libs/domain/api-keys/api-key.decider';
import { mintApiKey } from '../../../libs/domain/api-keys/api-key-secret';
import { streams } from '../../../libs/domain/streams';
import { DomainError } from '../../../libs/domain/errors';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { ApiKeyStates } from './api-key-states';

const CONTEXT = { actor: 'system', correlationId: 'bootstrap-api-key', causationId: 'bootstrap-api-key' } as const;
const RETRY_MAX_MS = 30_000;

/**
 * The first start of an installation without ADMIN_API_KEY creates a key with
 * every scope and prints it once on stdout, whatever LOG_LEVEL says: it is
 * the only copy. Later starts find the key's stream and print nothing. A
 * store that is not reachable yet does not stop the start: the bootstrap
 * retries in the background.
 */
@Injectable()
export class ApiKeyBootstrap implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('api-keys');
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly keys: ApiKeyStates,
    private readonly pipeline: CommandPipeline,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminApiKey !== null) return;
    await this.attempt(0);
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  /** Creates and prints the bootstrap key unless the installation has one; answers the key when it did. */
  async bootstrap(): Promise<string | null> {
    const { revision } = await this.keys.load(BOOTSTRAP_API_KEY_ID);
    if (revision !== null) return null;
    const { key, secretHash } = mintApiKey(BOOTSTRAP_API_KEY_ID);
    try {
      await this.pipeline.handle(
        apiKeyDecider,
        streams.apiKey(BOOTSTRAP_API_KEY_ID),
        {
          type: 'CreateApiKey',
          keyId: BOOTSTRAP_API_KEY_ID,
          name: 'bootstrap',
          scopes: API_KEY_SCOPES,
          secretHash,
          bootstrap: true,
          creatorScopes: API_KEY_SCOPES,
          actor: CONTEXT.actor,
          now: new Date().toISOString(),
        },
        CONTEXT,
        { states: { load: () => this.keys.load(BOOTSTRAP_API_KEY_ID) } },
      );
    } catch (error) {
      // Another process created it first; that one prints it.
      if (error instanceof DomainError && error.code === 'API_KEY.EXISTS') return null;
      throw error;
    }
    process.stdout.write(announcement(key));
    return key;
  }

  private async attempt(failures: number): Promise<void> {
    try {
      await this.bootstrap();
    } catch (error) {
      if (this.stopped) return;
      const delay = Math.min(RETRY_MAX_MS, 1000 * 2 ** failures);
      this.logger.warn({ msg: 'could not create the bootstrap API key; retrying', error: String(error), retryInMs: delay });
      this.timer = setTimeout(() => void this.attempt(failures + 1), delay);
      this.timer.unref();
    }
  }
}

/** A box that stands out among JSON log lines. */
export function announcement(key: string): string {
  const lines = [
    'Parley: the bootstrap API key of this installation, shown this once:',
    '',
    `    ${key}`,
    '',
    `It holds every scope (${API_KEY_SCOPES.join(', ')}).`,
    'Parley stores only its SHA-256: keep it in your secret store now. Create',
    'narrower keys (POST /v1/admin/api-keys, or `parley keys create`), then',
    `revoke this one: \`parley keys revoke ${BOOTSTRAP_API_KEY_ID}\`.`,
    'Set ADMIN_API_KEY instead for automated deployments.',
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  return ['', rule, ...lines.map((line) => `| ${line.padEnd(width)} |`), rule, ''].join('\n') + '\n';
}

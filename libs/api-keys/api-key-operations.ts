import { mintApiKey } from '../domain/api-keys/api-key-secret';
import { API_KEY_SCOPES, apiKeyDecider, type ApiKeyCommand, type ApiKeyScope, type ApiKeyState } from '../domain/api-keys/api-key.decider';
import { newId } from '../domain/ids';
import type { EventStore } from '../event-store/event-store.port';
import { Projector } from '../projection/projector';
import type { ReadStore } from '../read-store/read-store.port';
import { apiKeysProjection } from '../../projections/api-keys.projection';
import type { CommandContext } from '../command-pipeline/command-context';
import { CommandPipeline } from '../command-pipeline/command-pipeline';
import { streams } from '../domain/streams';
import { listApiKeys, type ApiKeyView } from './api-key-views';

export interface ApiKeyCommandResult {
  readonly keyId: string;
  /** Events written; 0 when the key already was as asked (revoked twice). */
  readonly written: number;
  /** Position of the last event written, or null when nothing was. */
  readonly position: string | null;
  /** The key's state after the command. */
  readonly state: ApiKeyState;
}

/** Through the command pipeline; shared by the API's handler and `parley keys`. */
export async function executeApiKeyCommand(
  pipeline: CommandPipeline,
  keyId: string,
  command: ApiKeyCommand,
  context: CommandContext,
): Promise<ApiKeyCommandResult> {
  const { events, state, appended } = await pipeline.handle(apiKeyDecider, streams.apiKey(keyId), command, context);
  return { keyId, written: events.length, position: appended ? appended.position.toString() : null, state };
}

/**
 * API keys on the configured stores directly, without the HTTP API: what
 * `parley keys` runs. Writes go through the same decider and expected
 * revisions as the API, so a running API sees them on its next request.
 */
export interface NewApiKey {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  /** Shown once; only its SHA-256 is stored. */
  readonly key: string;
  readonly position: string;
}

export async function createApiKeyOn(
  store: EventStore,
  fields: { readonly name: string; readonly scopes: readonly string[] },
  context: CommandContext,
): Promise<NewApiKey> {
  const id = newId();
  const { key, secretHash } = mintApiKey(id);
  const result = await executeApiKeyCommand(
    new CommandPipeline(store),
    id,
    // The CLI works on the stores themselves: whoever runs it holds every scope already.
    {
      type: 'CreateApiKey',
      keyId: id,
      ...fields,
      secretHash,
      bootstrap: false,
      creatorScopes: API_KEY_SCOPES,
      actor: context.actor,
      now: new Date().toISOString(),
    },
    context,
  );
  if (result.state.status !== 'active') throw new Error(`API key ${id} is ${result.state.status} right after its creation`);
  return { id, name: result.state.name, scopes: result.state.scopes, key, position: result.position! };
}

export function revokeApiKeyOn(store: EventStore, keyId: string, context: CommandContext): Promise<ApiKeyCommandResult> {
  const command = { type: 'RevokeApiKey', actor: context.actor, now: new Date().toISOString() } as const;
  return executeApiKeyCommand(new CommandPipeline(store), keyId, command, context);
}

/** Brings the `api-keys` read model up to the log's head first: no API may be running to do it. */
export async function listApiKeysOn(store: EventStore, readStore: ReadStore): Promise<ApiKeyView[]> {
  await new Projector(store, readStore, [apiKeysProjection]).catchUp();
  return listApiKeys(readStore);
}

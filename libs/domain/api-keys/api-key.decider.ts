import { assertNever, conflict, DomainError, notFound, validationError, type ErrorDetail } from '../errors';
import type { Decider } from '../decider';
import type { ApiKeyEvent, ParleyEvent } from '../events';
import { idFromKey } from '../ids';
import { hasCharactersNotInNames, NAME_CHARACTERS_REASON } from '../text';

/**
 * A server API key (Qiscus' secret header): a name, the scopes it grants and
 * the SHA-256 of the key. Its life is the stream `apikey-<keyId>`: created,
 * then perhaps revoked, for good.
 */

/** What a key may be allowed to do, one scope per admin area. */
export const API_KEY_SCOPES = [
  /** Users: list, query, update, remove (and phone accounts' codes). */
  'admin:users',
  /** Presence set on behalf of users. */
  'admin:presence',
  /** Webhook subscriptions. */
  'admin:webhooks',
  /** The log as a product: `/v1/admin/events`, export and import jobs. */
  'admin:export',
  /** Room history and stream audit views. */
  'admin:audit',
  /** API keys themselves: create, list, revoke. */
  'admin:keys',
  /** GET /metrics: what a Prometheus server scrapes (nothing else; no personal data). */
  'admin:metrics',
  /** Applications (Vonage/Nexmo principals that sign their own tokens): register, list, remove. */
  'admin:applications',
  /** Acting for any user on Parley's own API (`X-Act-As: <user id>`), as Qiscus' server secret does. */
  'act:users',
  /** The organisation: groups, their peers and members, policies. */
  'admin:org',
  /** Every group chat, administered without being a member. */
  'admin:rooms',
  /** Any user's media (Trillian user media): list, read, add, delete. */
  'admin:media',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const isApiKeyScope = (value: string): value is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(value);

export const API_KEY_NAME_MAX = 100;

/**
 * The bootstrap key's fixed id: created with the `no_stream` expectation, so
 * an installation gets one, once, however many processes start together.
 */
export const BOOTSTRAP_API_KEY_ID = idFromKey('parley', 'bootstrap-api-key');

const API_KEY_TYPES: ReadonlySet<string> = new Set<ApiKeyEvent['type']>(['ApiKeyCreated', 'ApiKeyRevoked']);
export const isApiKeyEvent = (event: ParleyEvent): event is ApiKeyEvent => API_KEY_TYPES.has(event.type);

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly secretHash: string;
  readonly bootstrap: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
}

export type ApiKeyState =
  | { readonly status: 'absent' }
  | (ApiKeyRecord & { readonly status: 'active' })
  | (ApiKeyRecord & { readonly status: 'revoked'; readonly revokedBy: string; readonly revokedAt: string });

export const initialApiKeyState: ApiKeyState = { status: 'absent' };

export type ApiKeyCommand =
  | {
      readonly type: 'CreateApiKey';
      readonly keyId: string;
      readonly name: string;
      readonly scopes: readonly string[];
      /** SHA-256 (hex) of the key; the key itself never reaches the decider. */
      readonly secretHash: string;
      readonly bootstrap: boolean;
      /**
       * The scopes the creator holds: a key grants only what it holds.
       * ADMIN_API_KEY, the bootstrap and the CLI hold every scope.
       */
      readonly creatorScopes: readonly ApiKeyScope[];
      readonly actor: string;
      readonly now: string;
    }
  | { readonly type: 'RevokeApiKey'; readonly actor: string; readonly now: string };

export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case 'ApiKeyCreated': {
      const { keyId, name, scopes, secretHash, bootstrap, createdBy, createdAt } = event.data;
      // Scopes this build does not know (from a newer or older build) grant nothing.
      return { status: 'active', keyId, name, scopes: scopes.filter(isApiKeyScope), secretHash, bootstrap, createdBy, createdAt };
    }
    case 'ApiKeyRevoked': {
      if (state.status !== 'active') return state;
      return { ...state, status: 'revoked', revokedBy: event.data.revokedBy, revokedAt: event.data.revokedAt };
    }
    default:
      return assertNever(event, 'API key event');
  }
}

export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] {
  switch (command.type) {
    case 'CreateApiKey': {
      if (state.status !== 'absent') throw conflict('API_KEY.EXISTS', 'An API key with this id exists already');
      const { keyId, secretHash, bootstrap, actor, now } = command;
      const { name, scopes } = checkApiKey(command);
      if (!/^[0-9a-f]{64}$/.test(secretHash)) {
        throw validationError('API_KEY.INVALID', 'secretHash must be a SHA-256 hex digest', [
          { field: 'secretHash', reason: 'must be 64 lower-case hex digits' },
        ]);
      }
      requireHeldScopes(scopes, command.creatorScopes);
      return [{ type: 'ApiKeyCreated', data: { keyId, name, scopes, secretHash, bootstrap, createdBy: actor, createdAt: now } }];
    }
    case 'RevokeApiKey': {
      if (state.status === 'absent') throw notFound('API_KEY.NOT_FOUND', 'API key not found');
      // Revoking twice changes nothing: the key stays revoked.
      if (state.status === 'revoked') return [];
      return [{ type: 'ApiKeyRevoked', data: { keyId: state.keyId, revokedBy: command.actor, revokedAt: command.now } }];
    }
    default:
      return assertNever(command, 'API key command');
  }
}

/**
 * The name (trimmed, 1 to 100 characters, none that names may not hold) and the
 * scopes (at least one, each known; duplicates dropped, in the order of
 * API_KEY_SCOPES). Throws API_KEY.INVALID naming each bad field.
 */
export function checkApiKey(fields: { readonly name: string; readonly scopes: readonly string[] }): {
  readonly name: string;
  readonly scopes: ApiKeyScope[];
} {
  const details: ErrorDetail[] = [];
  const name = typeof fields.name === 'string' ? fields.name.trim() : '';
  if (name.length === 0) details.push({ field: 'name', reason: 'must not be empty' });
  else if (name.length > API_KEY_NAME_MAX) details.push({ field: 'name', reason: `must be at most ${API_KEY_NAME_MAX} characters long` });
  else if (hasCharactersNotInNames(fields.name)) details.push({ field: 'name', reason: NAME_CHARACTERS_REASON });
  const scopes = Array.isArray(fields.scopes) ? fields.scopes : [];
  if (scopes.length === 0) details.push({ field: 'scopes', reason: `must name at least one of ${API_KEY_SCOPES.join(', ')}` });
  for (const scope of scopes) {
    if (!isApiKeyScope(scope)) {
      details.push({ field: 'scopes', reason: `${JSON.stringify(scope)} is not a scope; known: ${API_KEY_SCOPES.join(', ')}` });
    }
  }
  if (details.length > 0) throw validationError('API_KEY.INVALID', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
  return { name, scopes: API_KEY_SCOPES.filter((scope) => scopes.includes(scope)) };
}

/**
 * A key mints keys only within its own reach: otherwise `admin:keys` alone
 * would be every scope, one request away. 403 `API_KEY.SCOPES_NOT_HELD`
 * naming each scope the creator lacks.
 */
function requireHeldScopes(scopes: readonly ApiKeyScope[], held: readonly ApiKeyScope[]): void {
  const missing = scopes.filter((scope) => !held.includes(scope));
  if (missing.length === 0) return;
  throw new DomainError(
    'API_KEY.SCOPES_NOT_HELD',
    'forbidden',
    `A key grants only scopes it holds; this one lacks ${missing.join(', ')}`,
    missing.map((scope) => ({ field: 'scopes', reason: `${scope} is not held by the calling key` })),
  );
}

/** One API key, stream `api-key-<id>`. */
export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyState, ApiKeyEvent> = {
  initialState: initialApiKeyState,
  evolve: (state, event) => (isApiKeyEvent(event) ? evolveApiKey(state, event) : state),
  decide: decideApiKey,
};

import type { ApiKeyScope } from '../domain/api-keys/api-key.decider';
import type { Doc, ReadStore } from '../read-store/read-store.port';

/** A key as listings show it: never the key, never its hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly status: 'active' | 'revoked';
  /** The key printed at the first start of the installation. */
  readonly bootstrap: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedBy: string | null;
  readonly revokedAt: string | null;
}

export const API_KEY_LIST_LIMIT = 1000;

/** Every key, oldest first, revoked ones included; from the `api-keys` read model. */
export async function listApiKeys(readStore: ReadStore): Promise<ApiKeyView[]> {
  const docs = await readStore.find('api_keys', { sort: [{ field: 'createdAt', direction: 'asc' }], limit: API_KEY_LIST_LIMIT });
  return docs.map(apiKeyView);
}

export function apiKeyView(doc: Doc): ApiKeyView {
  return {
    id: doc.id,
    name: doc['name'] as string,
    scopes: doc['scopes'] as ApiKeyScope[],
    status: doc['status'] as 'active' | 'revoked',
    bootstrap: doc['bootstrap'] === true,
    createdBy: doc['createdBy'] as string,
    createdAt: doc['createdAt'] as string,
    revokedBy: (doc['revokedBy'] as string | null) ?? null,
    revokedAt: (doc['revokedAt'] as string | null) ?? null,
  };
}

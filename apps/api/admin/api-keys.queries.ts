import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ApiKeyScope } from '../../../libs/domain/api-keys/api-key.decider';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';

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

export class ListApiKeysQuery extends Query<{ readonly items: readonly ApiKeyView[] }> {}

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

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery, { readonly items: readonly ApiKeyView[] }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute(): Promise<{ readonly items: readonly ApiKeyView[] }> {
    return { items: await listApiKeys(this.readStore) };
  }
}

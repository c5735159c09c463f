import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { listApiKeys, type ApiKeyView } from '../../../libs/api-keys/api-key-views';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';

export class ListApiKeysQuery extends Query<{ readonly items: readonly ApiKeyView[] }> {}

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery, { readonly items: readonly ApiKeyView[] }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute(): Promise<{ readonly items: readonly ApiKeyView[] }> {
    return { items: await listApiKeys(this.readStore) };
  }
}

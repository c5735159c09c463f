import type { KeyStore, StoredKey } from './key-store.port';

/** Keys in memory, for unit tests and `memory:` installations. */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, StoredKey>();

  async putIfAbsent(ownerId: string, wrapped: Buffer): Promise<StoredKey> {
    const existing = this.keys.get(ownerId);
    if (existing) return existing;
    const key: StoredKey = { state: 'active', wrapped: Buffer.from(wrapped) };
    this.keys.set(ownerId, key);
    return key;
  }

  async getMany(ownerIds: readonly string[]): Promise<Map<string, StoredKey>> {
    const found = new Map<string, StoredKey>();
    for (const id of ownerIds) {
      const key = this.keys.get(id);
      if (key) found.set(id, key);
    }
    return found;
  }

  async list(afterOwnerId: string | null, limit: number): Promise<{ readonly ownerId: string; readonly key: StoredKey }[]> {
    return [...this.keys.keys()]
      .filter((id) => afterOwnerId === null || id > afterOwnerId)
      .sort()
      .slice(0, limit)
      .map((ownerId) => ({ ownerId, key: this.keys.get(ownerId)! }));
  }

  async destroy(ownerId: string, destroyedAt: string): Promise<void> {
    if (this.keys.get(ownerId)?.state === 'destroyed') return;
    this.keys.set(ownerId, { state: 'destroyed', destroyedAt });
  }

  async close(): Promise<void> {}
}

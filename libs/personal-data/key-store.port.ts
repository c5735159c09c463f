/**
 * Where each user's personal-data key lives: outside the event log, in a
 * store of its own that a rebuild never drops. Keys are kept wrapped
 * (encrypted) under the installation's master key; destroying one leaves a
 * tombstone, so "erased" stays known for good (also for fields written in
 * clear before encryption existed).
 */
export type StoredKey =
  | { readonly state: 'active'; readonly wrapped: Buffer }
  | { readonly state: 'destroyed'; readonly destroyedAt: string };

export interface KeyStore {
  /** Keeps `wrapped` for the owner unless a key or a tombstone is there; answers what is stored now. */
  putIfAbsent(ownerId: string, wrapped: Buffer): Promise<StoredKey>;
  /** The stored keys of the owners that have one; owners without a key are absent from the map. */
  getMany(ownerIds: readonly string[]): Promise<Map<string, StoredKey>>;
  /** Every stored key and tombstone, in owner order, a page at a time (a backup of the key store). */
  list(afterOwnerId: string | null, limit: number): Promise<{ readonly ownerId: string; readonly key: StoredKey }[]>;
  /** Replaces the key with a tombstone; idempotent (the first destruction time stays). */
  destroy(ownerId: string, destroyedAt: string): Promise<void>;
  close(): Promise<void>;
}

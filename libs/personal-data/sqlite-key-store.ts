import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { KeyStore, StoredKey } from './key-store.port';

interface Row {
  owner_id: string;
  wrapped: Buffer | null;
  destroyed_at: string | null;
}

/**
 * Keys in their own SQLite file (`keys.db` beside the log), synchronous=FULL:
 * a key must be durable before an event encrypted with it is acknowledged.
 * Destroying overwrites the wrapped key with zeros first (secure_delete), so
 * the bytes do not linger in free pages.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly selectOne: Database.Statement;
  private readonly tombstone: Database.Statement;

  constructor(options: { readonly file: string }) {
    if (options.file !== ':memory:') mkdirSync(dirname(resolve(options.file)), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS personal_data_keys (owner_id TEXT PRIMARY KEY, wrapped BLOB, created_at TEXT NOT NULL, destroyed_at TEXT)',
    );
    this.insert = this.db.prepare(
      'INSERT INTO personal_data_keys (owner_id, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT(owner_id) DO NOTHING',
    );
    this.selectOne = this.db.prepare('SELECT owner_id, wrapped, destroyed_at FROM personal_data_keys WHERE owner_id = ?');
    this.tombstone = this.db.prepare(
      'INSERT INTO personal_data_keys (owner_id, wrapped, created_at, destroyed_at) VALUES (@owner, NULL, @at, @at) ' +
        'ON CONFLICT(owner_id) DO UPDATE SET wrapped = NULL, destroyed_at = COALESCE(destroyed_at, excluded.destroyed_at)',
    );
  }

  async putIfAbsent(ownerId: string, wrapped: Buffer): Promise<StoredKey> {
    this.insert.run(ownerId, wrapped, new Date().toISOString());
    return toKey(this.selectOne.get(ownerId) as Row);
  }

  async getMany(ownerIds: readonly string[]): Promise<Map<string, StoredKey>> {
    const found = new Map<string, StoredKey>();
    const unique = [...new Set(ownerIds)];
    for (let start = 0; start < unique.length; start += 500) {
      const chunk = unique.slice(start, start + 500);
      const rows = this.db
        .prepare(`SELECT owner_id, wrapped, destroyed_at FROM personal_data_keys WHERE owner_id IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as Row[];
      for (const row of rows) found.set(row.owner_id, toKey(row));
    }
    return found;
  }

  async list(afterOwnerId: string | null, limit: number): Promise<{ readonly ownerId: string; readonly key: StoredKey }[]> {
    const rows = this.db
      .prepare('SELECT owner_id, wrapped, destroyed_at FROM personal_data_keys WHERE owner_id > ? ORDER BY owner_id LIMIT ?')
      .all(afterOwnerId ?? '', limit) as Row[];
    return rows.map((row) => ({ ownerId: row.owner_id, key: toKey(row) }));
  }

  async destroy(ownerId: string, destroyedAt: string): Promise<void> {
    this.tombstone.run({ owner: ownerId, at: destroyedAt });
    // The write-ahead log still holds the page as it was, wrapped key included: fold it
    // into the (zeroing) database file and empty it, or the key outlives its destruction.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toKey(row: Row): StoredKey {
  if (row.destroyed_at !== null || row.wrapped === null) {
    return { state: 'destroyed', destroyedAt: row.destroyed_at ?? '' };
  }
  return { state: 'active', wrapped: Buffer.from(row.wrapped) };
}

import { Binary, MongoServerError, type Collection } from 'mongodb';
import type { MonitoredStore, StoreLogger, StoreStatus } from '../config/store-connection';
import { MongoConnection } from '../mongo/mongo-connection';
import type { KeyStore, StoredKey } from './key-store.port';

interface KeyDoc {
  _id: string;
  wrapped: Binary | null;
  createdAt: string;
  destroyedAt: string | null;
}

/** The collection of keys: not a read model, so `rebuild` never drops it. */
export const KEY_COLLECTION = 'personal_data_keys';

/**
 * Keys in MongoDB, written with majority and journal acknowledgement: a key
 * must be durable before an event encrypted with it is acknowledged.
 */
export class MongoKeyStore implements KeyStore, MonitoredStore {
  private readonly mongo: MongoConnection;
  private readonly keys: Collection<KeyDoc>;

  constructor(options: {
    readonly url: string;
    readonly database?: string;
    readonly deadlineMs?: number;
    readonly logger?: StoreLogger;
  }) {
    this.mongo = new MongoConnection({
      url: options.url,
      database: options.database,
      store: 'MongoDB (personal-data keys)',
      appName: 'parley-keys',
      deadlineMs: options.deadlineMs,
      logger: options.logger,
    });
    this.keys = this.mongo.db.collection<KeyDoc>(KEY_COLLECTION, { writeConcern: { w: 'majority', journal: true } });
  }

  connect(): Promise<void> {
    return this.mongo.monitor.connect();
  }

  connectionStatus(): StoreStatus {
    return this.mongo.monitor.status();
  }

  async putIfAbsent(ownerId: string, wrapped: Buffer): Promise<StoredKey> {
    await this.mongo.guard(async () => {
      try {
        await this.keys.updateOne(
          { _id: ownerId },
          { $setOnInsert: { wrapped: new Binary(wrapped), createdAt: new Date().toISOString(), destroyedAt: null } },
          { upsert: true },
        );
      } catch (error) {
        // Two upserts of one new owner race: the loser reads the winner's key.
        if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
      }
    });
    const doc = await this.mongo.guard(() => this.keys.findOne({ _id: ownerId }));
    if (!doc) throw new Error(`personal-data key of ${ownerId} vanished right after it was written`);
    return toKey(doc);
  }

  async getMany(ownerIds: readonly string[]): Promise<Map<string, StoredKey>> {
    const found = new Map<string, StoredKey>();
    if (ownerIds.length === 0) return found;
    const docs = await this.mongo.guard(() => this.keys.find({ _id: { $in: [...new Set(ownerIds)] } }).toArray());
    for (const doc of docs) found.set(doc._id, toKey(doc));
    return found;
  }

  async list(afterOwnerId: string | null, limit: number): Promise<{ readonly ownerId: string; readonly key: StoredKey }[]> {
    const docs = await this.mongo.guard(() =>
      this.keys
        .find(afterOwnerId === null ? {} : { _id: { $gt: afterOwnerId } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray(),
    );
    return docs.map((doc) => ({ ownerId: doc._id, key: toKey(doc) }));
  }

  async destroy(ownerId: string, destroyedAt: string): Promise<void> {
    await this.mongo.guard(() =>
      this.keys.updateOne(
        { _id: ownerId },
        [
          {
            $set: {
              wrapped: null,
              createdAt: { $ifNull: ['$createdAt', destroyedAt] },
              destroyedAt: { $ifNull: ['$destroyedAt', destroyedAt] },
            },
          },
        ],
        { upsert: true },
      ),
    );
  }

  async close(): Promise<void> {
    await this.mongo.close();
  }
}

function toKey(doc: KeyDoc): StoredKey {
  if (doc.destroyedAt !== null || doc.wrapped === null) return { state: 'destroyed', destroyedAt: doc.destroyedAt ?? '' };
  return { state: 'active', wrapped: Buffer.from(doc.wrapped.buffer) };
}

import { Binary, MongoClient, MongoServerError, type Collection } from 'mongodb';
import { databaseFromUrl } from '../read-store/mongo-read-store';
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
export class MongoKeyStore implements KeyStore {
  private readonly client: MongoClient;
  private readonly keys: Collection<KeyDoc>;

  constructor(options: { readonly url: string; readonly database?: string }) {
    this.client = new MongoClient(options.url, {
      appName: 'parley-keys',
      ...(/[?&]serverSelectionTimeoutMS=/i.test(options.url) ? {} : { serverSelectionTimeoutMS: 5_000 }),
    });
    this.keys = this.client
      .db(options.database ?? databaseFromUrl(options.url) ?? 'parley')
      .collection<KeyDoc>(KEY_COLLECTION, { writeConcern: { w: 'majority', journal: true } });
  }

  async putIfAbsent(ownerId: string, wrapped: Buffer): Promise<StoredKey> {
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
    const doc = await this.keys.findOne({ _id: ownerId });
    if (!doc) throw new Error(`personal-data key of ${ownerId} vanished right after it was written`);
    return toKey(doc);
  }

  async getMany(ownerIds: readonly string[]): Promise<Map<string, StoredKey>> {
    const found = new Map<string, StoredKey>();
    if (ownerIds.length === 0) return found;
    for await (const doc of this.keys.find({ _id: { $in: [...new Set(ownerIds)] } })) found.set(doc._id, toKey(doc));
    return found;
  }

  async list(afterOwnerId: string | null, limit: number): Promise<{ readonly ownerId: string; readonly key: StoredKey }[]> {
    const docs = await this.keys
      .find(afterOwnerId === null ? {} : { _id: { $gt: afterOwnerId } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((doc) => ({ ownerId: doc._id, key: toKey(doc) }));
  }

  async destroy(ownerId: string, destroyedAt: string): Promise<void> {
    await this.keys.updateOne(
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
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function toKey(doc: KeyDoc): StoredKey {
  if (doc.destroyedAt !== null || doc.wrapped === null) return { state: 'destroyed', destroyedAt: doc.destroyedAt ?? '' };
  return { state: 'active', wrapped: Buffer.from(doc.wrapped.buffer) };
}

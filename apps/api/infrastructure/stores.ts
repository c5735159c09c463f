import { ConfigError, type ParleyConfig } from '../../../libs/config/config';
import { describeError, type StoreLogger } from '../../../libs/config/store-connection';
import { EsdbEventStore } from '../../../libs/event-store/esdb-event-store';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { MemoryEventStore } from '../../../libs/event-store/memory-event-store';
import { SqliteEventStore } from '../../../libs/event-store/sqlite-event-store';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import { MongoReadStore } from '../../../libs/read-store/mongo-read-store';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { SqliteReadStore } from '../../../libs/read-store/sqlite-read-store';
import type { KeyStore } from '../../../libs/personal-data/key-store.port';
import { MemoryKeyStore } from '../../../libs/personal-data/memory-key-store';
import { MongoKeyStore } from '../../../libs/personal-data/mongo-key-store';
import { PersonalDataEventStore } from '../../../libs/personal-data/personal-data-event-store';
import { SqliteKeyStore } from '../../../libs/personal-data/sqlite-key-store';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import { JsonLogger } from '../common/json-logger';

/** Connection news of the networked stores, as one JSON line each. */
function storeLogger(config: ParleyConfig): StoreLogger {
  const logger = new JsonLogger(config.logLevel);
  return {
    log: (msg, fields) => logger.log({ msg, ...fields }, 'stores'),
    warn: (msg, fields) => logger.warn({ msg, ...fields }, 'stores'),
  };
}

/**
 * The event-store adapter the configuration names. A networked store starts
 * connecting at once in the background: an unreachable server is one log line
 * and quiet retries with backoff, never a crash (GET /health says which is down).
 */
export function createEventStore(config: ParleyConfig): EventStore {
  const target = config.eventStore;
  switch (target.kind) {
    case 'sqlite':
      return new SqliteEventStore({ file: target.file, synchronous: config.sqliteSynchronous });
    case 'memory':
      return new MemoryEventStore();
    case 'esdb': {
      let store: EsdbEventStore;
      try {
        store = EsdbEventStore.fromConnectionString(target.url, { logger: storeLogger(config) });
      } catch (error) {
        throw new ConfigError('EVENT_STORE_URL', `is not a valid EventStoreDB connection string: ${describeError(error)}`);
      }
      void store.connect();
      return store;
    }
  }
}

/** The read-store adapter the configuration names; networked stores connect as above. */
export function createReadStore(config: ParleyConfig): ReadStore {
  const target = config.readStore;
  switch (target.kind) {
    case 'sqlite':
      return new SqliteReadStore({ file: target.file });
    case 'memory':
      return new MemoryReadStore();
    case 'mongodb': {
      let store: MongoReadStore;
      try {
        store = new MongoReadStore({
          url: target.url,
          logger: storeLogger(config),
          allowStandalone: config.mongoAllowStandalone,
        });
      } catch (error) {
        throw new ConfigError('READ_STORE_URL', `is not a valid MongoDB connection string: ${describeError(error)}`);
      }
      void store.connect();
      return store;
    }
  }
}

/** The store of users' personal-data keys the configuration names (KEY_STORE_URL). */
export function createKeyStore(config: ParleyConfig): KeyStore {
  const target = config.keyStore;
  switch (target.kind) {
    case 'sqlite':
      return new SqliteKeyStore({ file: target.file });
    case 'memory':
      return new MemoryKeyStore();
    case 'mongodb':
      try {
        return new MongoKeyStore({ url: target.url });
      } catch (error) {
        throw new ConfigError('KEY_STORE_URL', `is not a valid MongoDB connection string: ${describeError(error)}`);
      }
  }
}

/**
 * The event store as the application uses it: personal fields sealed with
 * their owner's key (libs/personal-data). `raw` stays the adapter itself, for
 * exports and imports. Closing the result closes both stores.
 */
export function withPersonalData(config: ParleyConfig, raw: EventStore): PersonalDataEventStore {
  const logger = new JsonLogger(config.logLevel);
  return new PersonalDataEventStore(raw, new PersonalDataVault(createKeyStore(config), config.personalDataKey), {
    warn: (msg, fields) => logger.warn({ msg, ...fields }, 'personal-data'),
  });
}

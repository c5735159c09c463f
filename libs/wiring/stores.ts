import { dirname, join } from 'node:path';
import type { BlobStore } from '../blob-store/blob-store.port';
import { DiskBlobStore } from '../blob-store/disk-blob-store';
import { GridFsBlobStore } from '../blob-store/gridfs-blob-store';
import { DiskJobFileStore } from '../blob-store/disk-job-file-store';
import { GridFsJobFileStore } from '../blob-store/gridfs-job-file-store';
import type { JobFileStore } from '../blob-store/job-file-store.port';
import { ConfigError, type ParleyConfig } from '../config/config';
import { describeError, type StoreLogger } from '../config/store-connection';
import { EsdbEventStore } from '../event-store/esdb-event-store';
import type { EventStore } from '../event-store/event-store.port';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { SqliteEventStore } from '../event-store/sqlite-event-store';
import { ThreadedSqliteEventStore } from '../event-store/threaded-sqlite-event-store';
import { MemoryReadStore } from '../read-store/memory-read-store';
import { MongoReadStore } from '../read-store/mongo-read-store';
import type { ReadStore } from '../read-store/read-store.port';
import type { Committer } from '../projection/projector';
import { SqliteReadStore } from '../read-store/sqlite-read-store';
import { ThreadedSqliteReadStore } from '../read-store/threaded-sqlite-read-store';
import type { KeyStore } from '../personal-data/key-store.port';
import { MemoryKeyStore } from '../personal-data/memory-key-store';
import { MongoKeyStore } from '../personal-data/mongo-key-store';
import { PersonalDataEventStore } from '../personal-data/personal-data-event-store';
import { SqliteKeyStore } from '../personal-data/sqlite-key-store';
import { PersonalDataVault } from '../personal-data/vault';
import { ParleyLogger } from '../logging/logger';

/** What opening the stores needs from the configuration (a worker thread receives just this). */
export type StoresConfig = Pick<
  ParleyConfig,
  'eventStore' | 'readStore' | 'keyStore' | 'sqliteSynchronous' | 'logLevel' | 'personalDataKey' | 'mongoAllowStandalone' | 'leaseTtlMs' | 'storeDeadlineMs' | 'mongoDeadlineMs' | 'esdbLogIndex'
>;

/** Connection news of the networked stores, as one JSON line each. */
function storeLogger(config: Pick<ParleyConfig, 'logLevel'>): StoreLogger {
  const logger = new ParleyLogger(config.logLevel);
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
export function createEventStore(config: StoresConfig, options: { readonly writerThread?: boolean } = {}): EventStore {
  const target = config.eventStore;
  switch (target.kind) {
    case 'sqlite':
      // The API's writes go through a writer thread (see ThreadedSqliteEventStore); the CLI's and the projector's stay inline.
      return options.writerThread === true
        ? new ThreadedSqliteEventStore({ file: target.file, synchronous: config.sqliteSynchronous })
        : new SqliteEventStore({ file: target.file, synchronous: config.sqliteSynchronous });
    case 'memory':
      return new MemoryEventStore({ positions: target.positions ?? 'dense' });
    case 'esdb': {
      let store: EsdbEventStore;
      try {
        store = EsdbEventStore.fromConnectionString(target.url, {
          logger: storeLogger(config),
          deadlineMs: config.storeDeadlineMs,
          systemProjections: config.esdbLogIndex === 'system-projections',
        });
      } catch (error) {
        throw new ConfigError('EVENT_STORE_URL', `is not a valid EventStoreDB connection string: ${describeError(error)}`);
      }
      void store.connect();
      return store;
    }
  }
}

/** The read-store adapter the configuration names; networked stores connect as above. */
export function createReadStore(config: StoresConfig): ReadStore {
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
          deadlineMs: config.mongoDeadlineMs,
        });
      } catch (error) {
        throw new ConfigError('READ_STORE_URL', `is not a valid MongoDB connection string: ${describeError(error)}`);
      }
      void store.connect();
      return store;
    }
  }
}

/**
 * The page cache of a rebuild's committer connection. A rebuild writes every
 * collection's documents and their id index all over a file of hundreds of
 * MiB; with SQLite's default 2 MiB those pages are read again batch after
 * batch (a rebuild of 1,000,000 events: 83.8 s with 2 MiB, 78.3 s with 128).
 * Bounded, so the rebuild's memory stays flat whatever the log's size.
 */
export const REBUILD_CACHE_MIB = 128;

/**
 * What commits a rebuild's batches (Projector's `committer`): for a SQLite read
 * store a second connection to the same file on a thread of its own, so that
 * one batch is committed there while the next is projected (decision 0057);
 * elsewhere the read store itself. Closed after the rebuild.
 */
export function createRebuildCommitter(config: StoresConfig, readStore: ReadStore): Committer & { close(): Promise<void> } {
  if (config.readStore.kind === 'sqlite') return new ThreadedSqliteReadStore({ file: config.readStore.file, cacheMiB: REBUILD_CACHE_MIB });
  return { commit: (ops, checkpoints, fence) => readStore.commit(ops, checkpoints, fence), close: async () => undefined };
}

/**
 * Where the API keeps state of its own that no event makes (used application
 * token ids, sign-in attempts). Beside a SQLite read store it is a file of its
 * own, `api-state.db`, written from a thread of its own: the projector thread
 * writes the read store's file, and a write from the API's thread would wait,
 * blocking the event loop, for the projector's transaction to end, and for
 * the fsync of the write-ahead log's checkpoints. MongoDB has no such lock,
 * and every API process must see the same state, so there it is the read
 * store itself.
 */
export function createApiStateStore(config: StoresConfig, readStore: ReadStore): ReadStore {
  const target = config.readStore;
  switch (target.kind) {
    case 'sqlite':
      return new ThreadedSqliteReadStore({ file: join(dirname(target.file), API_STATE_FILE) });
    case 'memory':
      return new MemoryReadStore();
    case 'mongodb':
      return readStore;
  }
}

/** The embedded profile's file of the API's own state, beside the read store's. */
export const API_STATE_FILE = 'api-state.db';

/** The store of users' personal-data keys the configuration names (KEY_STORE_URL). */
export function createKeyStore(config: StoresConfig): KeyStore {
  const target = config.keyStore;
  switch (target.kind) {
    case 'sqlite':
      return new SqliteKeyStore({ file: target.file });
    case 'memory':
      return new MemoryKeyStore();
    case 'mongodb':
      try {
        return new MongoKeyStore({ url: target.url, deadlineMs: config.mongoDeadlineMs, logger: storeLogger(config) });
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
export function withPersonalData(config: StoresConfig, raw: EventStore): PersonalDataEventStore {
  const logger = new ParleyLogger(config.logLevel);
  return new PersonalDataEventStore(raw, new PersonalDataVault(createKeyStore(config), config.personalDataKey), {
    warn: (msg, fields) => logger.warn({ msg, ...fields }, 'personal-data'),
  });
}

/**
 * The API's own event store. On SQLite its writer thread boots meanwhile:
 * appends sent before it is up wait for it, and one that cannot open the file
 * makes appends fail with 503 and /health say why.
 */
export function openApiEventStore(config: ParleyConfig): EventStore {
  return createEventStore(config, { writerThread: config.sqliteWriter === 'thread' });
}

/** The blob store of media bytes the configuration names (BLOB_STORE_URL). */
export function createBlobStore(config: Pick<ParleyConfig, 'blobStore' | 'mongoDeadlineMs' | 'logLevel'>): BlobStore {
  const target = config.blobStore;
  switch (target.kind) {
    case 'disk':
      return new DiskBlobStore(target.dir);
    case 'gridfs':
      try {
        return new GridFsBlobStore({ url: target.url, deadlineMs: config.mongoDeadlineMs, logger: storeLogger(config) });
      } catch (error) {
        throw new ConfigError('BLOB_STORE_URL', `is not a valid MongoDB connection string: ${describeError(error)}`);
      }
  }
}

/**
 * Where export and import jobs keep their files: beside the media bytes. With
 * media in GridFS (the production profile's default) they are in GridFS too,
 * so any API process serves them and no container's disk holds one; on the
 * embedded profile they stay under DATA_DIR.
 */
export function createJobFileStore(config: Pick<ParleyConfig, 'blobStore' | 'dataDir' | 'mongoDeadlineMs' | 'logLevel'>): JobFileStore {
  const target = config.blobStore;
  switch (target.kind) {
    case 'disk':
      return new DiskJobFileStore(config.dataDir);
    case 'gridfs':
      try {
        return new GridFsJobFileStore({ url: target.url, deadlineMs: config.mongoDeadlineMs, logger: storeLogger(config) });
      } catch (error) {
        throw new ConfigError('BLOB_STORE_URL', `is not a valid MongoDB connection string: ${describeError(error)}`);
      }
  }
}

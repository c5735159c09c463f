import type { Provider } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { SqliteEventStore } from '../../../libs/event-store/sqlite-event-store';
import { ThreadedSqliteEventStore } from '../../../libs/event-store/threaded-sqlite-event-store';
import { LIVE_LINGER, Projector } from '../../../libs/projection/projector';
import type { ProjectorHandle } from '../../../libs/projection/projector-handle';
import { LEASES, LeaseKeeper, leaseHolder } from '../../../libs/read-store/lease-keeper';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { parleyProjections } from '../../../projections';
import { ParleyLogger } from '../../../libs/logging/logger';
import { ProjectorThread } from './projector-thread';
import { EVENT_STORE, PARLEY_CONFIG, PROJECTOR, RAW_EVENT_STORE, READ_STORE } from './tokens';

/**
 * The API's own projector, or null when another process projects
 * (PROJECTOR=external). `thread` (SQLite files): a worker thread with its own
 * connections, nudged after each commit of this process's writer;
 * `in-process` (memory stores): on the API's event loop, in small batches that yield.
 */
export function projectorProvider(): Provider {
  return {
    provide: PROJECTOR,
    inject: [PARLEY_CONFIG, RAW_EVENT_STORE, EVENT_STORE, READ_STORE],
    useFactory: (config: ParleyConfig, raw: EventStore, store: EventStore, readStore: ReadStore): ProjectorHandle | null => {
      if (!config.projectInProcess) return null;
      const json = new ParleyLogger(config);
      const logger = {
        log: (msg: string, fields?: Record<string, unknown>) => json.log({ msg, ...fields }, 'projector'),
        error: (msg: string, fields?: Record<string, unknown>) => json.error({ msg, ...fields }, undefined, 'projector'),
      };
      if (!config.projectorThread) {
        return new Projector(store, readStore, parleyProjections, {
          batchSize: 250,
          yieldEvery: 50,
          linger: LIVE_LINGER,
          logger,
          lease: new LeaseKeeper(readStore, LEASES.projector, leaseHolder(), { ttlMs: config.leaseTtlMs, log: logger.log }),
        });
      }
      const thread = new ProjectorThread(
        {
          eventStore: config.eventStore,
          readStore: config.readStore,
          keyStore: config.keyStore,
          sqliteSynchronous: config.sqliteSynchronous,
          logLevel: config.logLevel,
          personalDataKey: config.personalDataKey,
          mongoAllowStandalone: config.mongoAllowStandalone,
          leaseTtlMs: config.leaseTtlMs,
          storeDeadlineMs: config.storeDeadlineMs,
          mongoDeadlineMs: config.mongoDeadlineMs,
          esdbLogIndex: config.esdbLogIndex,
          batchSize: 1000,
        },
        readStore,
        logger,
      );
      if (raw instanceof ThreadedSqliteEventStore || raw instanceof SqliteEventStore) raw.onCommit(() => thread.committed());
      return thread;
    },
  };
}

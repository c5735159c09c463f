import { ConfigError, type ParleyConfig } from '../../../libs/config/config';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { MemoryEventStore } from '../../../libs/event-store/memory-event-store';
import { SqliteEventStore } from '../../../libs/event-store/sqlite-event-store';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { SqliteReadStore } from '../../../libs/read-store/sqlite-read-store';

/** The event-store adapter the configuration names. */
export function createEventStore(config: ParleyConfig): EventStore {
  const target = config.eventStore;
  switch (target.kind) {
    case 'sqlite':
      return new SqliteEventStore({ file: target.file, synchronous: config.sqliteSynchronous });
    case 'memory':
      return new MemoryEventStore();
    case 'esdb':
      throw new ConfigError('EVENT_STORE_URL', 'names EventStoreDB, whose adapter this build does not include yet (issue 3); use sqlite: or memory:');
  }
}

/** The read-store adapter the configuration names. */
export function createReadStore(config: ParleyConfig): ReadStore {
  const target = config.readStore;
  switch (target.kind) {
    case 'sqlite':
      return new SqliteReadStore({ file: target.file });
    case 'memory':
      return new MemoryReadStore();
    case 'mongodb':
      throw new ConfigError('READ_STORE_URL', 'names MongoDB, whose adapter this build does not include yet (issue 3); use sqlite: or memory:');
  }
}

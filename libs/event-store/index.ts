export * from './event-store.port';
export { MemoryEventStore } from './memory-event-store';
export { SqliteEventStore } from './sqlite-event-store';
export type { SqliteEventStoreOptions } from './sqlite-event-store';
export { AppendOutcomeUnknownError, settleAppend } from './settle-append';

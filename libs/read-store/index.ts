export * from './read-store.port';
export { MemoryReadStore } from './memory-read-store';
export { SqliteReadStore, type SqliteReadStoreOptions } from './sqlite-read-store';

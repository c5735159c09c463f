import type { ThreadError } from '../threads/start-worker';
import type { ReadStore } from './read-store.port';

/** The ReadStore calls a ThreadedSqliteReadStore sends to its thread: the whole port. */
export const READ_STORE_CALLS = [
  'ensureCollections',
  'get',
  'getMany',
  'find',
  'count',
  'commit',
  'insertAbsent',
  'getCheckpoint',
  'reset',
  'acquireLease',
  'releaseLease',
  'getLease',
  'purgeFreed',
  'dropSecondaryIndexes',
  'close',
] as const satisfies readonly (keyof ReadStore)[];

export type ReadStoreCall = (typeof READ_STORE_CALLS)[number];

export interface ReadStoreRequest {
  readonly id: number;
  readonly method: ReadStoreCall;
  readonly args: readonly unknown[];
}

export type ReadStoreReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ThreadError };

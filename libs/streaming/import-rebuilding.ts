import type { Position } from '../event-store/event-store.port';
import type { Projector } from '../projection/projector';
import type { ImportHooks } from './import-file-thread';
import type { ImportLogResult } from './log-transfer';

export interface ImportRebuildingOutcome {
  /** The import's outcome; `verify.ok` false when the file was refused, and then nothing was written or rebuilt. */
  readonly result: ImportLogResult;
  /** Events the rebuild applied (0 for a refused file). */
  readonly applied: number;
}

/**
 * Restores an export into a store that keeps its positions and rebuilds the
 * read models as it goes (decision 0058): `start` begins the import
 * (importFileOnThread on SQLite, importLog elsewhere); once it says the whole
 * file is proven, the projector rebuilds from the events already written
 * while the rest are written, and ends at the head once the import has ended.
 *
 * An import that stops half-way (a conflict) rejects after the rebuild has
 * ended, leaving the read models built from what it wrote, as a rebuild after
 * it would have.
 */
export async function importRebuilding(
  start: (hooks: ImportHooks) => Promise<ImportLogResult>,
  projector: Projector,
  options: {
    readonly onImported?: (position: Position, done: number) => void;
    readonly onApplied?: (position: Position, done: number) => void;
  } = {},
): Promise<ImportRebuildingOutcome> {
  let proven!: () => void;
  const verified = new Promise<void>((resolve) => (proven = resolve));
  const writing = start({ onVerified: () => proven(), ...(options.onImported === undefined ? {} : { onProgress: options.onImported }) });
  // A refused file settles the import without onVerified: nothing written, nothing rebuilt.
  const first = await Promise.race([verified.then(() => null), writing]);
  if (first !== null && !first.verify.ok) return { result: first, applied: 0 };
  const applied = await projector.rebuild(options.onApplied, { until: writing });
  return { result: await writing, applied };
}

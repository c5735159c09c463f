import type { Position, StoredEvent } from './event-store.port';

/**
 * Restoring a log as it was: ids, positions, revisions and timestamps kept.
 * The embedded adapters offer it; EventStoreDB assigns its own positions, so an
 * import there goes through `append` (libs/streaming/log-migration.ts) and
 * records old -> new positions.
 */
export interface EventImporter {
  importEvents(events: readonly StoredEvent[]): Promise<ImportOutcome>;
  /** False where the store cannot hold the exported positions (a packed memory store): imports append instead. */
  readonly restoresPositions?: boolean;
}

export function restoresPositions(store: EventImporter): boolean {
  return store.restoresPositions !== false;
}

export interface ImportOutcome {
  readonly imported: number;
  /** Events whose id this store already holds at the same place: a repeated import. */
  readonly skipped: number;
}

export class ImportConflictError extends Error {
  constructor(
    readonly eventId: string,
    readonly position: Position,
    reason: string,
  ) {
    super(`Event ${eventId} at position ${position.toString()}: ${reason}`);
    this.name = 'ImportConflictError';
  }
}

export function canImport<T extends object>(store: T): store is T & EventImporter {
  return typeof (store as Partial<EventImporter>).importEvents === 'function';
}

/** What the shared import check needs from a store, inside its transaction. */
export interface ImportTarget {
  findEvent(id: string): StoredEvent | undefined;
  streamRevision(streamId: string): number | null;
  head(): Position | null;
  insertAt(event: StoredEvent): void;
}

/**
 * Applies an import batch: an event already held at the same place is skipped
 * (so importing a file twice adds nothing and a killed import resumes), a new
 * one must come after the head and continue its stream, anything else is a
 * conflict and the caller's transaction rolls the batch back.
 */
export function applyImport(target: ImportTarget, events: readonly StoredEvent[]): ImportOutcome {
  let imported = 0;
  let skipped = 0;
  for (const event of events) {
    const held = target.findEvent(event.id);
    if (held) {
      if (held.position !== event.position || held.streamId !== event.streamId || held.revision !== event.revision) {
        throw new ImportConflictError(
          event.id,
          event.position,
          `already stored at ${held.streamId}@${held.revision} (position ${held.position.toString()})`,
        );
      }
      skipped++;
      continue;
    }
    const head = target.head();
    if (head !== null && event.position <= head) {
      throw new ImportConflictError(event.id, event.position, `comes before this store's head ${head.toString()}`);
    }
    const current = target.streamRevision(event.streamId);
    const next = current === null ? 0 : current + 1;
    if (event.revision !== next) {
      throw new ImportConflictError(
        event.id,
        event.position,
        `is revision ${event.revision} of ${event.streamId}, which expects ${next}`,
      );
    }
    target.insertAt(event);
    imported++;
  }
  return { imported, skipped };
}

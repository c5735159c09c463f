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
  /**
   * Writes the event. A store with `refusesHeldIds` throws ImportConflictError
   * from here for an id it already holds elsewhere (a unique index), so new
   * events past the head need no lookup by id first.
   */
  insertAt(event: StoredEvent): void;
  readonly refusesHeldIds?: boolean;
}

/**
 * Applies an import batch: an event already held at the same place is skipped
 * (so importing a file twice adds nothing and a killed import resumes), a new
 * one must come after the head and continue its stream, anything else is a
 * conflict and the caller's transaction rolls the batch back.
 *
 * The head is read once and each stream's revision once per batch, then
 * followed here as events go in: an import of 1,000,000 events made four
 * queries an event before, one now (the insert) on SQLite.
 */
export function applyImport(target: ImportTarget, events: readonly StoredEvent[]): ImportOutcome {
  let imported = 0;
  let skipped = 0;
  let head = target.head();
  const revisions = new Map<string, number | null>();
  for (const event of events) {
    // An event held at the same place is at or before the head; past the head, an id can only be held elsewhere.
    const held = (head !== null && event.position <= head) || target.refusesHeldIds !== true ? target.findEvent(event.id) : undefined;
    if (held) {
      if (held.position !== event.position || held.streamId !== event.streamId || held.revision !== event.revision) {
        throw heldElsewhere(event, held);
      }
      skipped++;
      continue;
    }
    if (head !== null && event.position <= head) {
      throw new ImportConflictError(event.id, event.position, `comes before this store's head ${head.toString()}`);
    }
    let current = revisions.get(event.streamId);
    if (current === undefined) current = target.streamRevision(event.streamId);
    const next = current === null ? 0 : current + 1;
    if (event.revision !== next) {
      throw new ImportConflictError(
        event.id,
        event.position,
        `is revision ${event.revision} of ${event.streamId}, which expects ${next}`,
      );
    }
    target.insertAt(event);
    head = event.position;
    revisions.set(event.streamId, event.revision);
    imported++;
  }
  return { imported, skipped };
}

/** The conflict of an event whose id the store holds at another place. */
export function heldElsewhere(event: StoredEvent, held: StoredEvent): ImportConflictError {
  return new ImportConflictError(
    event.id,
    event.position,
    `already stored at ${held.streamId}@${held.revision} (position ${held.position.toString()})`,
  );
}

import type { Position } from '../event-store/event-store.port';
import type { CollectionSpec, ReadStore } from '../read-store/read-store.port';

/**
 * Old position -> new position, written by an import that could not keep the
 * exported positions (a move from the embedded profile to EventStoreDB, whose
 * positions are its own). Kept in the read store beside checkpoints and
 * leases: not a read model (no projection owns it, a rebuild never drops it),
 * and readable by every API process and the CLI.
 */
export const POSITION_MAP = 'position_map';

/** `newKey` (the new position, fixed-width) answers the way back: which old position a new one stands for. */
export const positionMapSpec: CollectionSpec = { name: POSITION_MAP, indexes: [{ fields: ['old'] }, { fields: ['newKey'] }] };

/** Fixed-width decimal: the read store orders these strings as the positions they spell. */
const key = (position: Position): string => position.toString(10).padStart(40, '0');

/**
 * What a client's old position becomes: `mapped` (read "after" it in the new
 * log to see exactly what it had not seen in the old one), or `beyond` (after
 * the last event the import carried: events the client saw are not in the new
 * log, so no position there stands for it).
 */
export type Translation =
  | { readonly kind: 'mapped'; readonly position: Position }
  | { readonly kind: 'beyond'; readonly lastImported: Position | null };

export class PositionMap {
  private ready: Promise<void> | null = null;

  constructor(private readonly readStore: ReadStore) {}

  /** Records pairs in old-position order, after their events are appended. */
  async record(pairs: readonly (readonly [old: Position, new: Position])[]): Promise<void> {
    if (pairs.length === 0) return;
    await this.open();
    await this.readStore.commit(
      pairs.map(([old, next]) => ({
        kind: 'put' as const,
        collection: POSITION_MAP,
        doc: { id: key(old), old: key(old), new: next.toString(10), newKey: key(next) },
      })),
      [],
    );
  }

  /** The last old position mapped, or null: an import resumes after it. */
  async lastOld(): Promise<Position | null> {
    await this.open();
    const [last] = await this.readStore.find(POSITION_MAP, { sort: [{ field: 'old', direction: 'desc' }], limit: 1 });
    return last === undefined ? null : BigInt(last['old'] as string);
  }

  /** The last imported event's old and new positions, or null when no import recorded any. */
  async bounds(): Promise<{ readonly lastOld: Position; readonly lastNew: Position } | null> {
    await this.open();
    const [last] = await this.readStore.find(POSITION_MAP, { sort: [{ field: 'old', direction: 'desc' }], limit: 1 });
    return last === undefined ? null : { lastOld: BigInt(last['old'] as string), lastNew: BigInt(last['new'] as string) };
  }

  /**
   * The old position a new one stands for: that of the last imported event
   * at or before `next` (0 before the first), or null past the last imported
   * event, where the new log's own positions begin. A client that holds the
   * answer and later hands it to `translate` reads on from the same place.
   */
  async reverse(next: Position): Promise<Position | null> {
    await this.open();
    const bounds = await this.bounds();
    if (bounds === null || next > bounds.lastNew) return null;
    const [at] = await this.readStore.find(POSITION_MAP, {
      filter: { newKey: { $lte: key(next) } },
      sort: [{ field: 'newKey', direction: 'desc' }],
      limit: 1,
    });
    return at === undefined ? 0n : BigInt(at['old'] as string);
  }

  async size(): Promise<number> {
    await this.open();
    return this.readStore.count(POSITION_MAP);
  }

  /**
   * The new position after which a client that had read up to `old` goes on:
   * the new position of the last imported event at or before `old` (0 before
   * the first). Positions of the old log that name no event (a gap, or an
   * event the export left out) land on the event before them.
   */
  async translate(old: Position): Promise<Translation> {
    await this.open();
    const last = await this.lastOld();
    if (old === 0n) return { kind: 'mapped', position: 0n };
    if (last === null || old > last) return { kind: 'beyond', lastImported: last };
    const [at] = await this.readStore.find(POSITION_MAP, {
      filter: { old: { $lte: key(old) } },
      sort: [{ field: 'old', direction: 'desc' }],
      limit: 1,
    });
    return { kind: 'mapped', position: at === undefined ? 0n : BigInt(at['new'] as string) };
  }

  /**
   * The new position of the first imported event at or after `old`: where a
   * replay that was to start at `old` (inclusive) starts in the new log; null
   * past the last imported event.
   */
  async firstAtOrAfter(old: Position): Promise<Position | null> {
    await this.open();
    const [at] = await this.readStore.find(POSITION_MAP, {
      filter: { old: { $gte: key(old) } },
      sort: [{ field: 'old', direction: 'asc' }],
      limit: 1,
    });
    return at === undefined ? null : BigInt(at['new'] as string);
  }

  private open(): Promise<void> {
    this.ready ??= this.readStore.ensureCollections([positionMapSpec]);
    return this.ready;
  }
}

import type { EventStore, NewEvent, StoredEvent } from './event-store.port';
import { ImportConflictError, type EventImporter } from './import-events';
import { MemoryEventStore } from './memory-event-store';
import { SqliteEventStore } from './sqlite-event-store';

/**
 * Restoring events as they were (applyImport), on both embedded stores: the
 * SQLite store lets its unique id index find an id held elsewhere, the memory
 * store looks it up; both must refuse and accept the same batches.
 */
const renamed = (id: string): NewEvent => ({
  id,
  type: 'RoomRenamed',
  version: 1,
  data: { roomId: 'r1', name: `name ${id}`, renamedBy: 'u1', renamedAt: '2026-01-01T00:00:00.000Z' },
  metadata: { actor: 'u1' },
});

/** Events as an export holds them: positions 1..n, streams a and b interleaved. */
async function exported(count: number): Promise<StoredEvent[]> {
  const source = new MemoryEventStore();
  for (let i = 0; i < count; i++) await source.append(i % 2 === 0 ? 'room-a' : 'room-b', [renamed(`e${i}`)], 'any');
  return source.readAll({ maxCount: count });
}

const stores: [string, () => EventStore & EventImporter][] = [
  ['MemoryEventStore', () => new MemoryEventStore()],
  ['SqliteEventStore', () => new SqliteEventStore({ file: ':memory:' })],
];

describe.each(stores)('importing events into a %s', (_name, open) => {
  let store: EventStore & EventImporter;
  beforeEach(() => {
    store = open();
  });
  afterEach(() => store.close());

  it('writes a batch that follows on, streams continuing within the batch, and skips it the second time', async () => {
    const events = await exported(7);
    await expect(store.importEvents(events.slice(0, 3))).resolves.toEqual({ imported: 3, skipped: 0 });
    await expect(store.importEvents(events)).resolves.toEqual({ imported: 4, skipped: 3 });
    await expect(store.importEvents(events)).resolves.toEqual({ imported: 0, skipped: 7 });
    expect((await store.readStream('room-a')).map((e) => [e.id, e.revision, e.position])).toEqual([
      ['e0', 0, 1n],
      ['e2', 1, 3n],
      ['e4', 2, 5n],
      ['e6', 3, 7n],
    ]);
  });

  it('refuses, all or nothing, a new event whose id the store holds at another place', async () => {
    const events = await exported(4);
    await store.importEvents(events.slice(0, 2));
    const reused = { ...events[3]!, id: 'e0' };
    const attempt = store.importEvents([events[2]!, reused]);
    await expect(attempt).rejects.toThrow(ImportConflictError);
    await expect(attempt).rejects.toThrow('already stored at room-a@0 (position 1)');
    expect(await store.headPosition()).toBe(2n);
  });

  it('refuses a revision gap in a stream, counting the revisions the batch itself wrote', async () => {
    const events = await exported(6);
    const gap = { ...events[4]!, revision: 3 };
    await expect(store.importEvents([...events.slice(0, 4), gap])).rejects.toThrow('is revision 3 of room-a, which expects 2');
    expect(await store.headPosition()).toBeNull();
  });

  it('refuses a new event at or before the head', async () => {
    const events = await exported(3);
    await store.importEvents(events);
    const late = { ...events[2]!, id: 'late', revision: 2 };
    await expect(store.importEvents([late])).rejects.toThrow("comes before this store's head 3");
  });
});

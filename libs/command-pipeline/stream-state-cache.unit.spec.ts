import { randomUUID } from 'node:crypto';
import type { ParleyEvent } from '../domain/events';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { noteLocalAppend, StreamStateCache } from './stream-state-cache';

const renamed = (name: string) => ({
  id: randomUUID(),
  type: 'RoomRenamed',
  version: 1,
  data: { roomId: 'r1', name, renamedBy: 'u1', renamedAt: '2026-01-01T00:00:00.000Z' },
  metadata: {},
});

describe('StreamStateCache', () => {
  let store: MemoryEventStore;
  let reads: number;
  let cache: StreamStateCache<string[]>;
  /** What the live log would bring: the stream from a revision, read past the counter. */
  let logFrom: (stream: string, fromRevision: number) => ReturnType<MemoryEventStore['readStream']>;

  beforeEach(() => {
    store = new MemoryEventStore();
    reads = 0;
    const readStream = store.readStream.bind(store);
    logFrom = (stream, fromRevision) => readStream(stream, { fromRevision });
    store.readStream = (...args) => {
      reads++;
      return readStream(...args);
    };
    cache = new StreamStateCache<string[]>(store, [], (names, event: ParleyEvent) =>
      event.type === 'RoomRenamed' ? [...names, event.data.name] : names,
    );
  });

  it('reads what changed on every load without maxAgeMs', async () => {
    const stream = `room-${randomUUID()}`;
    await store.append(stream, [renamed('a')], 'any');
    expect((await cache.load(stream)).state).toEqual(['a']);
    await store.append(stream, [renamed('b')], 'any');
    expect((await cache.load(stream)).state).toEqual(['a', 'b']);
    expect(reads).toBe(2);
  });

  it('answers from memory within maxAgeMs, so another process’s write shows only after it', async () => {
    const stream = `room-${randomUUID()}`;
    await store.append(stream, [renamed('a')], 'any');
    await cache.load(stream, { maxAgeMs: 60_000 });
    await store.append(stream, [renamed('elsewhere')], 'any');
    expect((await cache.load(stream, { maxAgeMs: 60_000 })).state).toEqual(['a']);
    expect(reads).toBe(1);
    expect((await cache.load(stream, { maxAgeMs: 0 })).state).toEqual(['a', 'elsewhere']);
  });

  it('reads again at once after this process wrote the stream', async () => {
    const stream = `room-${randomUUID()}`;
    await store.append(stream, [renamed('a')], 'any');
    await cache.load(stream, { maxAgeMs: 60_000 });
    await store.append(stream, [renamed('here')], 'any');
    noteLocalAppend(stream);
    expect((await cache.load(stream, { maxAgeMs: 60_000 })).state).toEqual(['a', 'here']);
    expect(reads).toBe(2);
  });

  it('answers from memory while the live log is followed, advancing with what the log brings', async () => {
    const stream = `room-${randomUUID()}`;
    let live = true;
    cache.follow(() => live);
    await store.append(stream, [renamed('a')], 'any');
    await cache.load(stream);
    const written = await store.append(stream, [renamed('elsewhere')], 'any');
    expect((await cache.load(stream)).state).toEqual(['a']);
    cache.advance(await logFrom(stream, written.nextRevision));
    expect(await cache.load(stream)).toMatchObject({ state: ['a', 'elsewhere'], revision: 1 });
    expect(reads).toBe(1);
    // Not following any more: loads read again.
    live = false;
    await store.append(stream, [renamed('late')], 'any');
    expect((await cache.load(stream)).state).toEqual(['a', 'elsewhere', 'late']);
    expect(reads).toBe(2);
  });

  it('drops an entry the live log shows a gap in, and reads it whole on the next load', async () => {
    const stream = `room-${randomUUID()}`;
    cache.follow(() => true);
    await store.append(stream, [renamed('a')], 'any');
    await cache.load(stream);
    await store.append(stream, [renamed('missed')], 'any');
    const after = await store.append(stream, [renamed('seen')], 'any');
    cache.advance(await logFrom(stream, after.nextRevision));
    expect((await cache.load(stream)).state).toEqual(['a', 'missed', 'seen']);
    expect(reads).toBe(2);
  });

  it('reads nothing after its own append, whether remember or the live log comes first', async () => {
    cache.follow(() => true);
    for (const logFirst of [false, true]) {
      const stream = `room-${randomUUID()}`;
      await store.append(stream, [renamed('a')], 'any');
      const loaded = await cache.load(stream);
      const readsBefore = reads;
      // This process's append, noted before and after as EventWriter does.
      noteLocalAppend(stream);
      const written = await store.append(stream, [renamed('mine')], loaded.revision!);
      noteLocalAppend(stream);
      const brought = await logFrom(stream, written.nextRevision);
      if (logFirst) cache.advance(brought);
      cache.remember(stream, ['a', 'mine'], written.nextRevision);
      if (!logFirst) cache.advance(brought);
      expect(await cache.load(stream)).toMatchObject({ state: ['a', 'mine'], revision: 1 });
      expect(reads).toBe(readsBefore);
    }
  });
});

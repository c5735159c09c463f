import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { EventStore, NewEvent } from '../../../libs/event-store/event-store.port';
import { hasLogIndex, prefixUpperBound } from '../../../libs/event-store/log-index';
import { MemoryEventStore } from '../../../libs/event-store/memory-event-store';
import { SqliteEventStore } from '../../../libs/event-store/sqlite-event-store';
import { LogPages, SCAN_MAX, type LogFilter } from './log-pages';

const event = (type: string, n: number, actor = 'system'): NewEvent => ({
  id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
  type,
  version: 1,
  data: { n },
  metadata: { actor, correlationId: `c${n % 3}` },
});

/** Appends the same log to each store: `streams[i]` gets the events of `types[i]` in one append. */
async function writeLog(stores: readonly EventStore[], plan: readonly { stream: string; type: string; count: number; actor?: string }[]): Promise<void> {
  let n = 0;
  for (const { stream, type, count, actor } of plan) {
    const events = Array.from({ length: count }, () => event(type, n++, actor));
    for (const store of stores) await store.append(stream, events, 'any');
  }
}

describe('the log pages of the audit console, with and without the store index', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-pages-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the embedded store offers the index; the memory store does not, and is read in order', () => {
    const sqlite = new SqliteEventStore({ file: ':memory:' });
    expect(hasLogIndex(sqlite)).toBe(true);
    expect(hasLogIndex(new MemoryEventStore())).toBe(false);
    return sqlite.close();
  });

  it('finds a rare type past more events than a page may read in order, in one page, reading only its events', async () => {
    const indexed = new SqliteEventStore({ file: join(dir, 'events.db') });
    const scanned = new MemoryEventStore();
    try {
      await writeLog([indexed, scanned], [
        { stream: 'room-a', type: 'RoomCreated', count: 1 },
        ...Array.from({ length: 21 }, (_, i) => ({ stream: `comments-${i}`, type: 'CommentPosted', count: 1000 })),
        { stream: 'room-a', type: 'RoomRenamed', count: 2 },
      ]);
      const filter: LogFilter = { types: new Set(['RoomRenamed', 'RoomCreated']) };
      const page = await new LogPages(indexed).page(0n, 50, filter);
      expect(page.items.map((e) => e.type)).toEqual(['RoomCreated', 'RoomRenamed', 'RoomRenamed']);
      expect(page.scanned).toBe(3);
      expect(page.next).toBeNull();
      // Read in order, the same page stops at its bound and says where to go on.
      const bounded = await new LogPages(scanned).page(0n, 50, filter);
      expect(bounded.items.map((e) => e.type)).toEqual(['RoomCreated']);
      expect(bounded.scanned).toBe(SCAN_MAX);
      expect(bounded.next).not.toBeNull();

      const byPrefix = await new LogPages(indexed).page(1n, 50, { streamPrefix: 'room-' });
      expect(byPrefix.items.map((e) => e.type)).toEqual(['RoomRenamed', 'RoomRenamed']);
      expect(byPrefix.scanned).toBe(2);
      expect(byPrefix.next).toBeNull();
      // A prefix covering most of the log is read in order: its events come soon anyway.
      expect(await indexed.positionsInStreams('comments-', 0n, (await indexed.headPosition())!, 10)).toBeNull();
      const common = await new LogPages(indexed).page(0n, 5, { streamPrefix: 'comments-1' });
      expect(common.items).toHaveLength(5);
      expect(common.items.every((e) => e.streamId.startsWith('comments-1'))).toBe(true);
    } finally {
      await indexed.close();
      await scanned.close();
    }
  });

  it('answers the same pages from the index as from reading the log in order, for any filter, limit and range', async () => {
    const types = ['RoomCreated', 'RoomRenamed', 'CommentPosted', 'MemberAdded'];
    const streams = ['room-a', 'room-ab', 'room-b', 'comments-a', 'user-x'];
    const step = fc.record({
      stream: fc.constantFrom(...streams),
      type: fc.constantFrom(...types),
      count: fc.integer({ min: 1, max: 4 }),
      actor: fc.constantFrom('alice', 'bob'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.record(
          {
            types: fc.subarray(types, { minLength: 1 }).map((chosen) => new Set(chosen)),
            streamPrefix: fc.constantFrom('room-', 'room-a', 'comments-', 'u', 'nothing-'),
            actor: fc.constantFrom('alice', 'bob'),
            to: fc.bigInt({ min: 1n, max: 80n }),
          },
          { requiredKeys: [] },
        ),
        fc.integer({ min: 1, max: 7 }),
        fc.bigInt({ min: 0n, max: 40n }),
        async (plan, filter, limit, after) => {
          const indexed = new SqliteEventStore({ file: ':memory:' });
          const scanned = new MemoryEventStore();
          try {
            await writeLog([indexed, scanned], plan);
            // Page through both to the end: the same events, and the same `next` each time.
            let fromIndex: bigint | null = after;
            let inOrder: bigint | null = after;
            for (let pages = 0; pages < 100 && fromIndex !== null; pages++) {
              const a = await new LogPages(indexed).page(fromIndex, limit, filter);
              const b = await new LogPages(scanned).page(inOrder!, limit, filter);
              expect(a.items.map((e) => e.position)).toEqual(b.items.map((e) => e.position));
              fromIndex = a.next;
              inOrder = b.next;
              // The index may know sooner that nothing follows; in order, a last empty page says so.
              if (fromIndex === null && inOrder !== null) {
                expect((await new LogPages(scanned).page(inOrder, 1000, filter)).items).toEqual([]);
                inOrder = null;
              }
              expect(fromIndex === null).toBe(inOrder === null);
            }
          } finally {
            await indexed.close();
            await scanned.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the upper bound of a stream prefix', () => {
  it('is the least string above every string with the prefix', () => {
    expect(prefixUpperBound('room-')).toBe('room.');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\u{D7FF}')).toBe('\u{E000}');
    expect(prefixUpperBound('')).toBeNull();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' }), (prefix, rest) => {
        const upper = prefixUpperBound(prefix)!;
        const utf8 = (text: string) => Buffer.from(text, 'utf8');
        expect(Buffer.compare(utf8(prefix + rest), utf8(upper))).toBe(-1);
        expect(Buffer.compare(utf8(prefix), utf8(upper))).toBe(-1);
      }),
    );
  });
});

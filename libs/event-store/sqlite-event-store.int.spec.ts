import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { comparableAll, eventStoreConformance, positionText } from './conformance/event-store.conformance';
import { DuplicateEventIdError, MAX_APPEND_BYTES, type StoredEvent } from './event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'parley-event-store-'));
let files = 0;
// A missing parent directory is part of what the adapter must handle.
const nextFile = (): string => join(dir, `store-${++files}`, 'events.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

eventStoreConformance('SqliteEventStore (:memory:)', async () => new SqliteEventStore({ file: ':memory:' }));
eventStoreConformance('SqliteEventStore (file)', async () => new SqliteEventStore({ file: nextFile() }));
eventStoreConformance('SqliteEventStore (file, synchronous=normal)', async () =>
  new SqliteEventStore({ file: nextFile(), synchronous: 'normal' }),
);

describe('SqliteEventStore on a file', () => {
  const event = () => ({ id: randomUUID(), type: 'TestHappened', version: 1, data: { ok: true }, metadata: {} });

  it('keeps events across close and reopen, and goes on numbering after them', async () => {
    const file = nextFile();
    const first = new SqliteEventStore({ file });
    const input = [event(), event()];
    const written = await first.append('room-1', input, 'no_stream');
    const before = await first.readStream('room-1');
    await first.close();

    const second = new SqliteEventStore({ file });
    try {
      expect(comparableAll(await second.readStream('room-1'))).toEqual(comparableAll(before));
      expect(before.map((stored) => stored.id)).toEqual(input.map((e) => e.id));
      expect(positionText(await second.headPosition())).toBe(positionText(written.position));
      const more = await second.append('room-1', [event()], 1);
      expect(more.nextRevision).toBe(2);
      expect(more.position > written.position).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('rolls back only the append that fails half-way through a group commit', async () => {
    const file = nextFile();
    const store = new SqliteEventStore({ file });
    // A trigger is the one way to make an insert fail after the checks passed.
    const saboteur = new Database(file);
    saboteur.exec(
      "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.type = 'Poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
    );
    saboteur.close();
    try {
      const healthy = event();
      const doomed = [event(), { ...event(), type: 'Poison' }];
      const later = event();
      const outcomes = await Promise.allSettled([
        store.append('room-1', [healthy], 'no_stream'),
        store.append('room-2', doomed, 'no_stream'),
        store.append('room-1', [later], 0),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/poisoned/);
      expect((await store.readAll({ maxCount: 10 })).map((stored) => stored.id)).toEqual([healthy.id, later.id]);
      expect(await store.streamRevision('room-2')).toBeNull();
      expect((await store.readStream('room-1')).map((stored) => stored.id)).toEqual([healthy.id, later.id]);
    } finally {
      await store.close();
    }
  });

  it('refuses an event id it already holds, in any stream, writing nothing of that append', async () => {
    const store = new SqliteEventStore({ file: nextFile() });
    try {
      const once = event();
      await store.append('room-1', [once], 'no_stream');
      const fresh = event();
      await expect(store.append('room-2', [fresh, once], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(await store.streamRevision('room-2')).toBeNull();
      expect((await store.readAll({ maxCount: 10 })).map((stored) => stored.id)).toEqual([once.id]);
    } finally {
      await store.close();
    }
  });

  it('accepts an append beyond MAX_APPEND_BYTES (EventStoreDB would refuse it; callers split before)', async () => {
    const store = new SqliteEventStore({ file: nextFile() });
    try {
      const big = Array.from({ length: 3 }, () => ({ ...event(), data: { text: 'y'.repeat(MAX_APPEND_BYTES / 2) } }));
      expect((await store.append('room-1', big, 'no_stream')).nextRevision).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('puts the file in WAL mode', async () => {
    const file = nextFile();
    const store = new SqliteEventStore({ file });
    await store.append('room-1', [event()], 'no_stream');
    const probe = new Database(file, { readonly: true });
    try {
      expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      probe.close();
      await store.close();
    }
  });

  it('delivers to a subscription the events another connection appends to the same file', async () => {
    const file = nextFile();
    const reader = new SqliteEventStore({ file });
    const writer = new SqliteEventStore({ file });
    const seen: StoredEvent[] = [];
    const subscription = reader.subscribe({
      onBatch: async (batch) => {
        seen.push(...batch);
      },
    });
    try {
      await writer.append('room-1', [event()], 'no_stream');
      const deadline = Date.now() + 2_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(comparableAll(seen)).toEqual(comparableAll(await writer.readStream('room-1')));
    } finally {
      await subscription.close();
      await reader.close();
      await writer.close();
    }
  });
});

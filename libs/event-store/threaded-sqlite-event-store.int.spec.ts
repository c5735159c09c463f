import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError } from '../config/store-connection';
import { eventStoreConformance } from './conformance/event-store.conformance';
import { SqliteEventStore } from './sqlite-event-store';
import Database from 'better-sqlite3';
import { isStorageFull } from './storage-full';
import { fromThreadError, ThreadedSqliteEventStore } from './threaded-sqlite-event-store';
import { toThreadError } from '../threads/start-worker';

const dir = mkdtempSync(join(tmpdir(), 'parley-threaded-store-'));
let files = 0;
const nextFile = (): string => join(dir, `store-${++files}`, 'events.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

eventStoreConformance('ThreadedSqliteEventStore', async () => {
  const store = new ThreadedSqliteEventStore({ file: nextFile(), synchronous: 'normal' });
  await store.ready();
  return store;
});

describe('ThreadedSqliteEventStore', () => {
  it("keeps a full disk recognisable across the thread: SQLite's own SQLITE_FULL still maps to 507 STORAGE.FULL", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'parley-full-')), 'full.db');
    const db = new Database(file);
    let thrown: unknown = null;
    try {
      db.exec('CREATE TABLE t (x TEXT)');
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
    } catch (error) {
      thrown = error;
    } finally {
      db.close();
    }
    expect(isStorageFull(thrown)).toBe(true);
    const rebuilt = fromThreadError(toThreadError(thrown));
    expect(isStorageFull(rebuilt)).toBe(true);
    expect(rebuilt.message).toBe((thrown as Error).message);
  });

  const event = (n = 0) => ({ id: randomUUID(), type: 'TestHappened', version: 1, data: { n }, metadata: {} });

  it('acknowledges only what another connection can already read from the file', async () => {
    const file = nextFile();
    const store = new ThreadedSqliteEventStore({ file, synchronous: 'normal' });
    const other = new SqliteEventStore({ file });
    try {
      const events = Array.from({ length: 50 }, (_, i) => event(i));
      const results = await Promise.all(events.map((e, i) => store.append(`room-${i % 5}`, [e], 'any')));
      const seen = await other.readAll({ maxCount: 100 });
      expect(seen.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
      expect(seen.map((e) => e.position).sort()).toEqual(results.map((r) => r.position).sort());
    } finally {
      await other.close();
      await store.close();
    }
  });

  it('sends the appends of one turn of the event loop in one message and hears them answered in one, waking the subscribers once', async () => {
    const store = new ThreadedSqliteEventStore({ file: nextFile(), synchronous: 'normal' });
    try {
      await store.ready();
      const sent: string[] = [];
      const post = store.writer.postMessage.bind(store.writer);
      jest.spyOn(store.writer, 'postMessage').mockImplementation((message: { kind: string; appends?: unknown[] }) => {
        sent.push(`${message.kind}:${message.appends?.length ?? 0}`);
        post(message);
      });
      const replies: string[] = [];
      store.writer.on('message', (reply: { kind: string; answers?: unknown[] }) => replies.push(`${reply.kind}:${reply.answers?.length ?? 0}`));
      let wakes = 0;
      store.onCommit(() => wakes++);

      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`room-${i}`, [event(i)], 'no_stream')));

      expect(sent).toEqual(['appends:20']);
      expect(replies).toEqual(['committed:20']);
      expect(wakes).toBe(1);
      expect(new Set(results.map((r) => r.position)).size).toBe(20);
      // A refused append of a turn fails alone; the others of its message are acknowledged.
      const mixed = await Promise.allSettled([
        store.append('room-0', [event()], 'no_stream'),
        store.append('room-1', [event()], 0),
      ]);
      expect(mixed[0]).toMatchObject({ status: 'rejected', reason: { name: 'WrongExpectedRevisionError' } });
      expect(mixed[1]).toMatchObject({ status: 'fulfilled', value: { nextRevision: 1 } });
      expect(sent).toEqual(['appends:20', 'appends:2']);
    } finally {
      await store.close();
    }
  });

  it('fails appends with StoreUnavailableError once the writer thread is gone, and reports it down', async () => {
    const store = new ThreadedSqliteEventStore({ file: nextFile(), synchronous: 'normal' });
    try {
      await store.append('room-1', [event()], 'no_stream');
      const inFlight = store.append('room-1', [event()], 0).then(
        () => 'acknowledged',
        (error: unknown) => error,
      );
      await store.writer.terminate();
      const outcome = await inFlight;
      // It may have committed just before the thread ended; it must never hang.
      if (outcome !== 'acknowledged') expect(outcome).toBeInstanceOf(StoreUnavailableError);
      await expect(store.append('room-1', [event()], 'any')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(store.connectionStatus()).toMatchObject({ state: 'down', error: expect.stringContaining('writer thread') });
      expect((await store.readStream('room-1')).length).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });

  it('ends its writer thread on close', async () => {
    const store = new ThreadedSqliteEventStore({ file: nextFile(), synchronous: 'normal' });
    await store.append('room-1', [event()], 'no_stream');
    const exited = new Promise<number>((resolve) => store.writer.once('exit', resolve));
    await store.close();
    await expect(exited).resolves.toBe(0);
  });
});

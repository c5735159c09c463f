import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EventStore, Position, StoredEvent } from '../libs/event-store/event-store.port';
import { MemoryEventStore } from '../libs/event-store/memory-event-store';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { MemoryReadStore } from '../libs/read-store/memory-read-store';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import { compareStreams } from '../libs/streaming/log-migration';
import { exportLog, fileLines, importLog } from '../libs/streaming/log-transfer';
import { PositionMap } from '../libs/streaming/position-map';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');

function cli(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The old log read whole, in order. */
async function wholeLog(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (;;) {
    const batch = await store.readAll({ after: events.at(-1)?.position, maxCount: 1000 });
    if (batch.length === 0) return events;
    events.push(...batch);
  }
}

/** A store whose n-th append is written and then answered with a failure, as a timeout after sending would be. */
function losingAnswer(inner: EventStore, failOnAppend: number): EventStore {
  let appends = 0;
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'append') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<EventStore['append']>) => {
        const result = await target.append(...args);
        if (++appends === failOnAppend) throw new Error('deadline exceeded: the answer to this append was lost');
        return result;
      };
    },
  });
}

describe('moving an embedded installation into a store whose positions are its own (memory:packed stands in for EventStoreDB)', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-migration-'));
  const source = join(work, 'source');
  const exported = join(work, 'export.ndjson');
  let old: StoredEvent[] = [];

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const parley = await ParleyHarness.start({}, source);
    try {
      const alice = await parley.user('alice', 'Alice');
      const bob = await parley.user('bob', 'Bob');
      const roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Moving day', participants: [bob.id] }).expect(201)).body.id as string;
      // Concurrent posts share appends (the comment sequencer's group commit): several events per append.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          parley.http().post(`/v1/rooms/${roomId}/comments`).set(i % 2 ? bob.auth : alice.auth).send({ text: `before the move ${i}` }).expect(201),
        ),
      );
      await parley.http().patch(`/v1/rooms/${roomId}`).set(alice.auth).send({ name: 'Moved' });
    } finally {
      await parley.stop();
    }
    const sqlite = new SqliteEventStore({ file: join(source, 'events.db') });
    try {
      old = await wholeLog(sqlite);
      await pipeline(Readable.from(exportLog(sqlite)), createWriteStream(exported));
    } finally {
      await sqlite.close();
    }
  }, 120_000);

  it('keeps every stream event by event, gives new positions, and a client resumes from its translated position where it left off', async () => {
    const target = new MemoryEventStore({ positions: 'packed' });
    const map = new PositionMap(new MemoryReadStore());
    const result = await importLog(target, () => fileLines(exported), { positionMap: map });
    expect(result.verify.ok).toBe(true);
    expect(result).toMatchObject({ imported: old.length, skipped: 0 });
    expect(result.moved?.events).toBe(old.length);
    expect(await compareStreams(target, result.moved!)).toEqual([]);

    const moved = await wholeLog(target);
    expect(moved.map((e) => e.id)).toEqual(old.map((e) => e.id));
    // Positions are the new store's own: EventStoreDB's packed pairs, none equal to the old ones.
    expect(moved.every((e, i) => e.position !== old[i]!.position && e.position > 1n << 64n)).toBe(true);

    // Every position a client may hold (0, each event's) reads on with the same events after translation.
    for (const position of [0n, ...old.map((e) => e.position)]) {
      const translation = await map.translate(position);
      expect(translation.kind).toBe('mapped');
      const after = (translation as { position: Position }).position;
      expect(await target.checkPosition(after)).toBe('issued');
      const next = (await target.readAll({ after, maxCount: 3 })).map((e) => e.id);
      expect(next).toEqual(old.filter((e) => e.position > position).slice(0, 3).map((e) => e.id));
    }
    // A position past the last imported event names events the new log does not hold.
    expect(await map.translate(old.at(-1)!.position + 5n)).toEqual({ kind: 'beyond', lastImported: old.at(-1)!.position });

    // Importing the same file again writes nothing.
    const again = await importLog(target, () => fileLines(exported), { positionMap: map });
    expect(again).toMatchObject({ imported: 0, skipped: old.length });
    expect(await target.countAfter(undefined)).toBe(old.length);
  });

  it('an import stopped by an append whose answer was lost resumes without writing any event twice', async () => {
    const target = new MemoryEventStore({ positions: 'packed' });
    const map = new PositionMap(new MemoryReadStore());
    // The 5th append is written, then reported failed: the position map never heard of its batch.
    await expect(importLog(losingAnswer(target, 5), () => fileLines(exported), { positionMap: map, batchSize: 10 })).rejects.toThrow(/answer to this append was lost/);
    expect(await target.countAfter(undefined)).toBeGreaterThan(0);

    const resumed = await importLog(target, () => fileLines(exported), { positionMap: map, batchSize: 10 });
    expect(resumed.imported + resumed.skipped).toBe(old.length);
    expect(resumed.skipped).toBeGreaterThan(0);
    expect(await target.countAfter(undefined)).toBe(old.length);
    expect(await compareStreams(target, resumed.moved!)).toEqual([]);
    expect(await map.size()).toBe(old.length);
    for (const event of old) expect((await map.translate(event.position)).kind).toBe('mapped');
  });

  it('refuses to move into a store that holds another log, naming the event', async () => {
    const target = new MemoryEventStore({ positions: 'packed' });
    const first = old[0]!;
    await target.append(first.streamId, [{ id: 'someone-else', type: first.type, version: first.version, data: {}, metadata: {} }], 'no_stream');
    await expect(importLog(target, () => fileLines(exported), { positionMap: new PositionMap(new MemoryReadStore()) })).rejects.toThrow(
      new RegExp(`${first.streamId}@0 already holds event someone-else`),
    );
  });

  it('parley positions translate answers the new position for each old one, and refuses one past the import', async () => {
    const installation = join(work, 'production');
    mkdirSync(installation, { recursive: true });
    const readStore = new SqliteReadStore({ file: join(installation, 'read.db') });
    const target = new MemoryEventStore({ positions: 'packed' });
    try {
      await importLog(target, () => fileLines(exported), { positionMap: new PositionMap(readStore) });
    } finally {
      await readStore.close();
    }
    const moved = await wholeLog(target);
    const sample = [old[0]!, old[Math.floor(old.length / 2)]!, old.at(-1)!];
    const run = cli(installation, 'positions', 'translate', '0', ...sample.map((e) => e.position.toString()));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      '0 -> 0',
      ...sample.map((e) => `${e.position.toString()} -> ${moved.find((m) => m.id === e.id)!.position.toString()}`),
    ]);

    const beyond = cli(installation, 'positions', 'translate', (old.at(-1)!.position + 1n).toString());
    expect(beyond.status).toBe(1);
    expect(beyond.stdout).toMatch(/REFUSED: after the last imported event/);
    const garbage = cli(installation, 'positions', 'translate', 'yesterday');
    expect(garbage.status).toBe(2);
    expect(garbage.stderr).toMatch(/a position is a decimal number, got "yesterday"/);
    const none = cli(source, 'positions', 'translate', '1');
    expect(none.status).toBe(1);
    expect(none.stdout).toMatch(/no import recorded new positions/);
  });
});

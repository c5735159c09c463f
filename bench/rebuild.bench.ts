/**
 * Bench 4, rebuild: project a 1,000,000-event synthetic log from scratch
 * (Projector.rebuild, batches of 2000) and compare with raw better-sqlite3
 * inserts of the same rows. Each phase runs in its own child process, so the
 * rebuild's memory is measured in a process that did nothing else.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEventStore, createReadStore, createRebuildCommitter, REBUILD_CACHE_MIB, withPersonalData } from '../libs/wiring/stores';
import { ConfigError, loadConfig, parseEventStoreUrl } from '../libs/config/config';
import type { EventStore } from '../libs/event-store/event-store.port';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { Projector, type Committer } from '../libs/projection/projector';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import { ThreadedSqliteReadStore } from '../libs/read-store/threaded-sqlite-read-store';
import { parleyProjections } from '../projections';
import { writeSyntheticLog, type SyntheticLogShape } from '../test/support/synthetic-log';
import {
  envInt,
  fmt,
  goalText,
  makeTempDir,
  mb,
  productionStores,
  removeTempDir,
  runStandalone,
  say,
  skipRow,
  verdict,
  type BenchOutcome,
  type Goal,
} from './lib/common';
import { reportPhase, runPhase as runSharedPhase } from './lib/phase';

const NAME = 'rebuild';
const PROJECTOR_BATCH = Number(process.env["BENCH_PROJECTOR_BATCH"] ?? 10_000);
const RAW_BATCH = 1_000;
const WRITE_BATCH = 2_000;
const SAMPLE_MS = 250;
const PHASE_TIMEOUT_MS = 600_000;
/** Issue #12: rebuild of 1,000,000 events ÷ raw batched inserts of the same rows. */
export const REBUILD_GOAL: Goal = { op: '>=', target: 0.5 };

// ------------------------------------------------------------------ shared

/** A log shape of about `events` events (users 1000, rooms 1000, 3 members, comments fill the rest). */
export function shapeFor(events: number): SyntheticLogShape {
  let users = 1_000;
  let rooms = 1_000;
  const membersPerRoom = 3;
  // Per room: RoomCreated, a MemberAdded per member, RoomRenamed.
  if (users + rooms * (membersPerRoom + 2) > events / 2) {
    users = rooms = Math.max(10, Math.floor(events / 20));
  }
  const fixed = users + rooms * (membersPerRoom + 2);
  // Every 97th comment also writes a read marker, every 211th a deletion.
  const comments = Math.max(0, Math.floor((events - fixed) / (1 + 1 / 97 + 1 / 211)));
  return { users, rooms, membersPerRoom, comments, batch: WRITE_BATCH };
}

interface Stores {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly committer: Committer & { close(): Promise<void> };
  readonly eventFile: string | null;
  readonly description: string;
}

/** Temp SQLite files in `dir`, or whatever EVENT_STORE_URL / READ_STORE_URL name (production-mode hook). */
function openStores(dir: string): Stores {
  const prod = productionStores();
  if (!prod) {
    const eventFile = join(dir, 'events.db');
    return {
      eventStore: new SqliteEventStore({ file: eventFile, synchronous: 'normal' }),
      readStore: new SqliteReadStore({ file: join(dir, 'read.db') }),
      // As `parley rebuild` commits (createRebuildCommitter): on a thread of its own, beside this connection.
      committer: new ThreadedSqliteReadStore({ file: join(dir, 'read.db'), cacheMiB: REBUILD_CACHE_MIB }),
      eventFile,
      description: 'temp SQLite (events.db synchronous=normal, read.db)',
    };
  }
  const config = loadConfig({ ...process.env, DATA_DIR: dir, SQLITE_SYNCHRONOUS: 'normal' });
  const eventStore = withPersonalData(config, createEventStore(config));
  const readStore = createReadStore(config);
  return {
    eventStore,
    readStore,
    committer: createRebuildCommitter(config, readStore),
    eventFile: config.eventStore.kind === 'sqlite' ? config.eventStore.file : null,
    description: `event store ${config.eventStore.kind}, read store ${config.readStore.kind} (from EVENT_STORE_URL/READ_STORE_URL)`,
  };
}

// ------------------------------------------------------------------ phases (child processes)

interface WriteResult {
  readonly events: number;
  readonly seconds: number;
  readonly skipped: boolean;
}

async function writePhase(dir: string, target: number): Promise<WriteResult> {
  const stores = openStores(dir);
  try {
    const before = await stores.eventStore.headPosition();
    if (before !== null) return { events: Number(before), seconds: 0, skipped: true };
    const started = performance.now();
    await writeSyntheticLog(stores.eventStore, shapeFor(target));
    const seconds = (performance.now() - started) / 1000;
    const head = await stores.eventStore.headPosition();
    return { events: head === null ? 0 : Number(head), seconds, skipped: false };
  } finally {
    await stores.eventStore.close();
    await stores.readStore.close();
  }
}

interface MemorySample {
  readonly ms: number;
  readonly applied: number;
  readonly rss: number;
  readonly heapUsed: number;
}

interface RebuildResult {
  readonly applied: number;
  readonly seconds: number;
  readonly wroteLogHere: boolean;
  readonly start: MemorySample;
  readonly samples: MemorySample[];
  /** Heap at 25/50/75/100 % of the events applied. */
  readonly marks: { readonly pct: number; readonly sample: MemorySample }[];
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  readonly stores: string;
}

async function rebuildPhase(dir: string, target: number): Promise<RebuildResult> {
  const stores = openStores(dir);
  try {
    let wroteLogHere = false;
    if ((await stores.eventStore.headPosition()) === null) {
      // A store another process cannot see (memory:): the log is written here.
      await writeSyntheticLog(stores.eventStore, shapeFor(target));
      wroteLogHere = true;
    }
    const head = await stores.eventStore.headPosition();
    const total = head === null ? 0 : Number(head);
    const projector = new Projector(stores.eventStore, stores.readStore, parleyProjections, { batchSize: PROJECTOR_BATCH, committer: stores.committer });

    const read = (ms: number, applied: number): MemorySample => {
      const m = process.memoryUsage();
      return { ms, applied, rss: m.rss, heapUsed: m.heapUsed };
    };
    // The child runs with --expose-gc: the progress marks show the live heap, not garbage awaiting collection.
    const gc = (globalThis as { gc?: () => void }).gc;
    const live = (ms: number, applied: number): MemorySample => {
      gc?.();
      return read(ms, applied);
    };
    const started = performance.now();
    const start = live(0, 0);
    const samples: MemorySample[] = [start];
    const marks: { pct: number; sample: MemorySample }[] = [];
    let lastSample = started;
    let applied = 0;
    let nextMark = 25;
    const sample = (force = false) => {
      const now = performance.now();
      if (!force && now - lastSample < SAMPLE_MS) return;
      lastSample = now;
      samples.push(read(now - started, applied));
    };
    // The rebuild may never yield to timers (the SQLite adapters are synchronous),
    // so samples are also taken from the progress callback, at most every 250 ms.
    const timer = setInterval(() => sample(), SAMPLE_MS);
    try {
      applied = await projector.rebuild((_position, done) => {
        applied = done;
        sample();
        while (total > 0 && nextMark < 100 && done >= (total * nextMark) / 100) {
          marks.push({ pct: nextMark, sample: live(performance.now() - started, done) });
          nextMark += 25;
        }
      });
    } finally {
      clearInterval(timer);
    }
    const seconds = (performance.now() - started) / 1000;
    samples.push(read(seconds * 1000, applied));
    marks.push({ pct: 100, sample: live(seconds * 1000, applied) });
    return {
      applied,
      seconds,
      wroteLogHere,
      start,
      samples,
      marks,
      // maxRSS is in KiB and covers the whole process life (the true peak).
      peakRss: Math.max(process.resourceUsage().maxRSS * 1024, ...samples.map((s) => s.rss)),
      peakHeapUsed: Math.max(...samples.map((s) => s.heapUsed)),
      stores: stores.description,
    };
  } finally {
    await stores.eventStore.close();
    await stores.committer.close();
    await stores.readStore.close();
  }
}

interface RawResult {
  readonly rows: number;
  readonly seconds: number;
}

/** The baseline: the same event rows, read in position order and inserted as (id, json) in transactions of 1000. */
function rawPhase(eventFile: string, dir: string): RawResult {
  const source = new Database(eventFile, { readonly: true });
  const target = new Database(join(dir, 'raw.db'));
  try {
    target.pragma('journal_mode = WAL');
    target.pragma('synchronous = NORMAL');
    target.exec('DROP TABLE IF EXISTS raw; CREATE TABLE raw (id TEXT PRIMARY KEY, json TEXT NOT NULL)');
    const insert = target.prepare<[string, string]>('INSERT INTO raw (id, json) VALUES (?, ?)');
    const insertMany = target.transaction((rows: readonly { id: string }[]) => {
      for (const row of rows) insert.run(row.id, JSON.stringify(row));
    });
    const select = source.prepare<[], { id: string }>(
      'SELECT position, id, stream_id, revision, type, version, data, metadata, recorded_at FROM events ORDER BY position',
    );
    const started = performance.now();
    let rows = 0;
    let batch: { id: string }[] = [];
    for (const row of select.iterate()) {
      batch.push(row);
      if (batch.length === RAW_BATCH) {
        insertMany(batch);
        rows += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      insertMany(batch);
      rows += batch.length;
    }
    return { rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    source.close();
    target.close();
  }
}

type PhaseName = 'write' | 'rebuild' | 'raw';

async function childMain(phase: PhaseName, dir: string, arg: string): Promise<void> {
  await reportPhase(
    async () =>
      phase === 'write'
        ? await writePhase(dir, Number(arg))
        : phase === 'rebuild'
          ? await rebuildPhase(dir, Number(arg))
          : rawPhase(arg, dir),
    (error) =>
      error instanceof ConfigError
        ? `config: ${error.message}`
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
  );
}

/** Runs one phase in a fresh Node process (this file with --phase) and returns what it reports. */
function runPhase<T>(phase: PhaseName, dir: string, arg: string): Promise<T> {
  return runSharedPhase<T>(__filename, phase, [dir, arg], PHASE_TIMEOUT_MS);
}

// ------------------------------------------------------------------ the bench

/** The log size; `npm run bench` passes a smaller default to stay within its time budget. */
export const FULL_REBUILD_EVENTS = 1_000_000;

export async function runRebuild(defaultEvents = FULL_REBUILD_EVENTS): Promise<BenchOutcome> {
  const target = envInt('BENCH_REBUILD_EVENTS', defaultEvents, 100);
  if (target < FULL_REBUILD_EVENTS && process.env['BENCH_REBUILD_EVENTS'] === undefined) {
    say(
      NAME,
      `default size ${fmt(target)} events to keep \`npm run bench\` short; ` +
        `BENCH_REBUILD_EVENTS=${FULL_REBUILD_EVENTS} (or node dist/bench/rebuild.bench.js) runs the issue's full 1M`,
    );
  }
  const prod = productionStores();
  const dir = makeTempDir('rebuild');
  try {
    let sharedLog = true;
    if (prod) {
      say(NAME, `production-mode hook: EVENT_STORE_URL=${prod.eventStoreUrl ?? '(default)'} READ_STORE_URL=${prod.readStoreUrl ?? '(default)'}`);
      say(NAME, '  the synthetic log is written into that event store if it is empty, and its read models are rebuilt');
      try {
        sharedLog = prod.eventStoreUrl ? parseEventStoreUrl(prod.eventStoreUrl).kind !== 'memory' : true;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        say(NAME, `skipped: ${reason}`);
        return { name: NAME, rows: [skipRow(NAME, 'rebuild', reason.slice(0, 80))], data: { skipped: reason } };
      }
    }
    const shape = shapeFor(target);
    say(
      NAME,
      `log: ~${fmt(target)} events (users ${shape.users}, rooms ${shape.rooms}, membersPerRoom ${shape.membersPerRoom}, ` +
        `comments ${fmt(shape.comments)}, append batch ${shape.batch})`,
    );

    let write: WriteResult | null = null;
    if (sharedLog) {
      try {
        write = await runPhase<WriteResult>('write', dir, String(target));
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        say(NAME, `skipped: could not write the log: ${reason}`);
        return { name: NAME, rows: [skipRow(NAME, 'rebuild', reason.slice(0, 80))], data: { skipped: reason } };
      }
      say(
        NAME,
        write.skipped
          ? `event store already holds ${fmt(write.events)} events; rebuilding those`
          : `wrote ${fmt(write.events)} events with writeSyntheticLog in ${write.seconds.toFixed(1)} s (${fmt(write.events / write.seconds)} events/s)`,
      );
    }

    const rebuild = await runPhase<RebuildResult>('rebuild', dir, String(target));
    const rate = rebuild.applied / rebuild.seconds;
    say(NAME, `stores: ${rebuild.stores}${rebuild.wroteLogHere ? ' (log written in the rebuild process)' : ''}`);
    say(
      NAME,
      `rebuild: ${fmt(rebuild.applied)} events in ${rebuild.seconds.toFixed(1)} s = ${fmt(rate)} events/s (batchSize ${PROJECTOR_BATCH})`,
    );
    say(
      NAME,
      `memory: before rss ${mb(rebuild.start.rss)} heap ${mb(rebuild.start.heapUsed)}; peak rss ${mb(rebuild.peakRss)}, ` +
        `peak heapUsed ${mb(rebuild.peakHeapUsed)} incl. garbage (${rebuild.samples.length} samples, every ${SAMPLE_MS} ms)`,
    );
    say(
      NAME,
      '  live heapUsed (after gc) / rss by progress: ' +
        rebuild.marks.map((m) => `${m.pct}%: ${mb(m.sample.heapUsed)} / ${mb(m.sample.rss)}`).join(', '),
    );

    let raw: RawResult | null = null;
    const eventFile = prod ? (prod.eventStoreUrl ? sqliteFileOf(prod.eventStoreUrl) : join(dir, 'events.db')) : join(dir, 'events.db');
    if (eventFile) {
      raw = requireRows(await runPhase<RawResult>('raw', dir, eventFile));
      say(
        NAME,
        `baseline: raw better-sqlite3 read + insert of the same ${fmt(raw.rows)} rows as (id, json), ` +
          `transactions of ${RAW_BATCH}: ${raw.seconds.toFixed(1)} s = ${fmt(raw.rows / raw.seconds)} rows/s`,
      );
    } else {
      say(NAME, 'baseline: n/a (the event store is not a SQLite file)');
    }
    const rawRate = raw ? raw.rows / raw.seconds : Number.NaN;
    const ratio = rate / rawRate;
    if (raw) say(NAME, `  ratio ${ratio.toFixed(2)} (goal ${goalText(REBUILD_GOAL)}) ${verdict(ratio, REBUILD_GOAL)}`);
    const heapAt = (pct: number) => rebuild.marks.find((m) => m.pct === pct)?.sample.heapUsed ?? Number.NaN;
    return {
      name: NAME,
      rows: [
        {
          bench: NAME,
          metric: `rebuild ${fmt(rebuild.applied)} events`,
          figure: `${fmt(rate)} events/s`,
          baseline: raw ? `${fmt(rawRate)} rows/s (raw)` : 'n/a',
          ratio: raw ? ratio.toFixed(2) : '-',
          goal: goalText(REBUILD_GOAL),
          verdict: raw ? verdict(ratio, REBUILD_GOAL) : 'SKIP',
        },
        {
          bench: NAME,
          metric: 'rebuild live heap at 25/50/75/100%',
          figure: [25, 50, 75, 100].map((p) => fmt(heapAt(p) / (1024 * 1024), 1)).join('/') + ' MB',
          baseline: `peak rss ${mb(rebuild.peakRss)}`,
          ratio: '-',
          goal: 'flat',
          verdict: 'INFO',
        },
      ],
      data: {
        target,
        write,
        applied: rebuild.applied,
        seconds: rebuild.seconds,
        rate,
        rawRate,
        ratio,
        peakRss: rebuild.peakRss,
        peakHeapUsed: rebuild.peakHeapUsed,
        marks: rebuild.marks,
      },
    };
  } finally {
    removeTempDir(dir);
  }
}

function sqliteFileOf(url: string): string | null {
  try {
    const parsed = parseEventStoreUrl(url);
    return parsed.kind === 'sqlite' ? parsed.file : null;
  } catch {
    return null;
  }
}

function requireRows(raw: RawResult): RawResult {
  if (!(raw.rows > 0)) throw new Error('raw baseline read no rows');
  return raw;
}

if (require.main === module) {
  const at = process.argv.indexOf('--phase');
  if (at >= 0) {
    const [phase, dir, arg] = process.argv.slice(at + 1);
    void childMain(phase as PhaseName, dir ?? '', arg ?? '');
  } else {
    runStandalone(() => runRebuild());
  }
}

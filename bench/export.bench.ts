/**
 * Bench 6, log export / verify / import (issue 6): a synthetic log of N events
 * (default 1,000,000 alone, 200,000 in `npm run bench`; BENCH_EXPORT_EVENTS)
 * is exported with `exportLog` to a file, verified with `verifyLogFile` (lines checked in parallel), and
 * imported into an empty installation as `parley import` does it
 * (`importRebuilding`: the import on a thread of its own, the read models
 * rebuilt meanwhile, batches of 10,000). Baselines in the same run: a raw
 * loop that reads the same rows from the events table, serialises them as
 * JSON and writes them; and raw batched inserts of the file's rows. A second,
 * ten times smaller log gives the export's peak memory at two sizes (at
 * 2,000,000 that is the 2M-versus-200k measure). Every phase runs in
 * its own child process, so peak RSS belongs to that phase alone.
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { Projector } from '../libs/projection/projector';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import { ThreadedSqliteReadStore } from '../libs/read-store/threaded-sqlite-read-store';
import { REBUILD_CACHE_MIB } from '../libs/wiring/stores';
import { verifyLogFile } from '../libs/streaming/parallel-verify';
import { exportLog } from '../libs/streaming/log-transfer';
import { importRebuilding } from '../libs/streaming/import-rebuilding';
import { importFileOnThread } from '../libs/streaming/import-file-thread';
import { parleyProjections } from '../projections';
import { writeSyntheticLog } from '../test/support/synthetic-log';
import {
  envInt,
  fmt,
  goalText,
  makeTempDir,
  mb,
  removeTempDir,
  runStandalone,
  say,
  verdict,
  type BenchOutcome,
  type Goal,
  type SummaryRow,
} from './lib/common';
import { reportPhase, runPhase as runSharedPhase } from './lib/phase';
import { shapeFor } from './rebuild.bench';

const NAME = 'export';
const IMPORT_BATCH = 10_000;
const RAW_EXPORT_CHUNK = 2_000;
const PHASE_TIMEOUT_MS = 1_800_000;
export const EXPORT_GOAL: Goal = { op: '>=', target: 0.5 };
export const IMPORT_GOAL: Goal = { op: '>=', target: 0.3 };
export const VERIFY_GOAL: Goal = { op: '>=', target: 200_000 };
export const MEMORY_GOAL: Goal = { op: '<=', target: 64 };
export const FULL_EXPORT_EVENTS = 1_000_000;

// ------------------------------------------------------------------ phases (child processes)

interface Timed {
  readonly events: number;
  readonly seconds: number;
  readonly peakRss: number;
  /** Live heap (after gc) at 25/50/75/100 % of the work. */
  readonly marks: readonly { readonly pct: number; readonly heapUsed: number; readonly rss: number }[];
}

const gc = (globalThis as { gc?: () => void }).gc;

function markers(total: number) {
  const marks: { pct: number; heapUsed: number; rss: number }[] = [];
  let next = 25;
  return {
    marks,
    at(done: number) {
      while (total > 0 && next <= 100 && done >= (total * next) / 100) {
        gc?.();
        const m = process.memoryUsage();
        marks.push({ pct: next, heapUsed: m.heapUsed, rss: m.rss });
        next += 25;
      }
    },
  };
}

const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function writePhase(dir: string, target: number): Promise<{ events: number; seconds: number }> {
  const store = new SqliteEventStore({ file: join(dir, 'events.db'), synchronous: 'normal' });
  try {
    const started = performance.now();
    await writeSyntheticLog(store, shapeFor(target));
    const head = await store.headPosition();
    return { events: head === null ? 0 : Number(head), seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}

async function exportPhase(dir: string, out: string): Promise<Timed & { bytes: number }> {
  const store = new SqliteEventStore({ file: join(dir, 'events.db'), synchronous: 'normal' });
  try {
    const head = await store.headPosition();
    const total = head === null ? 0 : Number(head);
    const mark = markers(total);
    const fd = openSync(out, 'w');
    const started = performance.now();
    let count = 0;
    try {
      for await (const chunk of exportLog(store, { onProgress: (_p, done) => ((count = done), mark.at(done)) })) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    const seconds = (performance.now() - started) / 1000;
    return { events: count, seconds, peakRss: peakRss(), marks: mark.marks, bytes: statSync(out).size };
  } finally {
    await store.close();
  }
}

/** The baseline: the same rows straight from the events table, JSON.stringify per row, written in chunks. */
function rawExportPhase(dir: string, out: string): Timed {
  const db = new Database(join(dir, 'events.db'), { readonly: true });
  const fd = openSync(out, 'w');
  try {
    const select = db.prepare(`SELECT position, id, stream_id, revision, type, version, data, metadata, recorded_at FROM events ORDER BY position`);
    const started = performance.now();
    let rows = 0;
    let chunk = '';
    for (const row of select.iterate()) {
      chunk += JSON.stringify(row) + '\n';
      if (++rows % RAW_EXPORT_CHUNK === 0) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk) writeSync(fd, chunk);
    return { events: rows, seconds: (performance.now() - started) / 1000, peakRss: peakRss(), marks: [] };
  } finally {
    closeSync(fd);
    db.close();
  }
}

async function verifyPhase(file: string): Promise<Timed & { ok: boolean; reason: string | null }> {
  const started = performance.now();
  const result = await verifyLogFile(file);
  const seconds = (performance.now() - started) / 1000;
  return {
    events: result.ok ? result.count : 0,
    seconds,
    peakRss: peakRss(),
    marks: [],
    ok: result.ok,
    reason: result.ok ? null : `line ${result.line}: ${result.reason}`,
  };
}

async function importPhase(dir: string, file: string, total: number): Promise<Timed & { importSeconds: number; rebuildSeconds: number; applied: number }> {
  // As `parley import` does (importRebuilding): the import on a thread of its own, the read models rebuilt
  // meanwhile here, their commits on the committer's thread.
  const eventFile = join(dir, 'events.db');
  const store = new SqliteEventStore({ file: eventFile, synchronous: 'normal' });
  const readStore = new SqliteReadStore({ file: join(dir, 'read.db') });
  const committer = new ThreadedSqliteReadStore({ file: join(dir, 'read.db'), cacheMiB: REBUILD_CACHE_MIB });
  try {
    const mark = markers(total * 2);
    const started = performance.now();
    let imported = 0;
    let applied = 0;
    let lastImported = started;
    const projector = new Projector(store, readStore, parleyProjections, { batchSize: IMPORT_BATCH, committer });
    const job = { eventFile, synchronous: 'normal' as const, file, batchSize: IMPORT_BATCH };
    const outcome = await importRebuilding((hooks) => importFileOnThread(job, hooks), projector, {
      onImported: (_p, done) => {
        imported = done;
        lastImported = performance.now();
        mark.at(done + applied);
      },
      onApplied: (_p, done) => {
        applied = done;
        mark.at(imported + done);
      },
    });
    if (!outcome.result.verify.ok) throw new Error(`import refused the file: line ${outcome.result.verify.line}: ${outcome.result.verify.reason}`);
    const ended = performance.now();
    return {
      events: outcome.result.imported,
      seconds: (ended - started) / 1000,
      importSeconds: (lastImported - started) / 1000,
      rebuildSeconds: (ended - started) / 1000,
      applied: outcome.applied,
      peakRss: peakRss(),
      marks: mark.marks,
    };
  } finally {
    await committer.close();
    await store.close();
    await readStore.close();
  }
}

/** The baseline: the file's event lines parsed and inserted as (position, id, json), in transactions of 10,000. */
async function rawImportPhase(dir: string, file: string): Promise<Timed> {
  const db = new Database(join(dir, 'raw-import.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE raw (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, json TEXT NOT NULL)');
    const insert = db.prepare<[number, string, string]>('INSERT INTO raw (position, id, json) VALUES (?, ?, ?)');
    const insertMany = db.transaction((rows: readonly [number, string, string][]) => {
      for (const row of rows) insert.run(...row);
    });
    const started = performance.now();
    let rows = 0;
    let batch: [number, string, string][] = [];
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      const parsed = JSON.parse(line) as { position?: string; id?: string };
      if (parsed.id === undefined || parsed.position === undefined) continue; // header, trailer
      batch.push([Number(parsed.position), parsed.id, line]);
      if (batch.length === IMPORT_BATCH) {
        insertMany(batch);
        rows += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      insertMany(batch);
      rows += batch.length;
    }
    return { events: rows, seconds: (performance.now() - started) / 1000, peakRss: peakRss(), marks: [] };
  } finally {
    db.close();
  }
}

type PhaseName = 'write' | 'export' | 'raw-export' | 'verify' | 'import' | 'raw-import';

async function childMain(phase: PhaseName, args: readonly string[]): Promise<void> {
  const [a = '', b = '', c = '0'] = args;
  await reportPhase(async () =>
      phase === 'write'
        ? await writePhase(a, Number(b))
        : phase === 'export'
          ? await exportPhase(a, b)
          : phase === 'raw-export'
            ? rawExportPhase(a, b)
            : phase === 'verify'
              ? await verifyPhase(a)
              : phase === 'import'
                ? await importPhase(a, b, Number(c))
                : await rawImportPhase(a, b),
  );
}

function runPhase<T>(phase: PhaseName, ...args: string[]): Promise<T> {
  return runSharedPhase<T>(__filename, phase, args, PHASE_TIMEOUT_MS);
}

// ------------------------------------------------------------------ the bench

const rate = (t: { events: number; seconds: number }) => t.events / t.seconds;
const heapMarks = (t: Timed) => t.marks.map((m) => `${m.pct}%: ${mb(m.heapUsed)} / ${mb(m.rss)}`).join(', ');

export async function runExport(defaultEvents = FULL_EXPORT_EVENTS): Promise<BenchOutcome> {
  const target = envInt('BENCH_EXPORT_EVENTS', defaultEvents, 1000);
  const small = Math.max(1000, Math.floor(target / 10));
  if (process.env['BENCH_EXPORT_EVENTS'] === undefined && target < FULL_EXPORT_EVENTS) {
    say(NAME, `default size ${fmt(target)} events to keep \`npm run bench\` short; BENCH_EXPORT_EVENTS=${FULL_EXPORT_EVENTS} (or node dist/bench/export.bench.js) runs the issue's 1M`);
  }
  const dir = makeTempDir('export');
  const smallDir = makeTempDir('export-small');
  const restoreDir = makeTempDir('export-restore');
  try {
    const file = join(dir, 'export.ndjson');
    const written = await runPhase<{ events: number; seconds: number }>('write', dir, String(target));
    say(NAME, `log: ${fmt(written.events)} events written with writeSyntheticLog (append batch 2000) in ${written.seconds.toFixed(1)} s`);

    const exported = await runPhase<Timed & { bytes: number }>('export', dir, file);
    const raw = await runPhase<Timed>('raw-export', dir, join(dir, 'raw.ndjson'));
    const exportRatio = rate(exported) / rate(raw);
    say(NAME, `export: ${fmt(exported.events)} events, ${mb(exported.bytes)}, in ${exported.seconds.toFixed(1)} s = ${fmt(rate(exported))} events/s; peak rss ${mb(exported.peakRss)}`);
    say(NAME, `  live heap / rss by progress: ${heapMarks(exported)}`);
    say(NAME, `baseline: raw SELECT + JSON.stringify + write of the same ${fmt(raw.events)} rows: ${raw.seconds.toFixed(1)} s = ${fmt(rate(raw))} rows/s`);
    say(NAME, `  ratio ${exportRatio.toFixed(2)} (goal ${goalText(EXPORT_GOAL)}) ${verdict(exportRatio, EXPORT_GOAL)}`);

    await runPhase('write', smallDir, String(small));
    const smallExport = await runPhase<Timed & { bytes: number }>('export', smallDir, join(smallDir, 'export.ndjson'));
    const memoryDelta = (exported.peakRss - smallExport.peakRss) / (1024 * 1024);
    say(
      NAME,
      `memory: export peak rss ${mb(exported.peakRss)} at ${fmt(exported.events)} events, ${mb(smallExport.peakRss)} at ${fmt(smallExport.events)}: ` +
        `difference ${memoryDelta.toFixed(1)} MiB (goal ${goalText(MEMORY_GOAL, ' MiB')} for 2,000,000 vs 200,000) ${verdict(memoryDelta, MEMORY_GOAL)}`,
    );

    const verified = await runPhase<Timed & { ok: boolean; reason: string | null }>('verify', file);
    if (!verified.ok) throw new Error(`verify refused the export: ${verified.reason}`);
    say(NAME, `verify: ${fmt(verified.events)} events in ${verified.seconds.toFixed(2)} s = ${fmt(rate(verified))} events/s (goal ${goalText(VERIFY_GOAL, '/s')}) ${verdict(rate(verified), VERIFY_GOAL)}`);

    const imported = await runPhase<Timed & { importSeconds: number; rebuildSeconds: number; applied: number }>('import', restoreDir, file, String(exported.events));
    const rawImport = await runPhase<Timed>('raw-import', restoreDir, file);
    const importRatio = rate(imported) / rate(rawImport);
    say(
      NAME,
      `import into an empty installation: ${fmt(imported.events)} events in ${imported.seconds.toFixed(1)} s = ${fmt(rate(imported))} events/s ` +
        `(side by side: the import's writes done at ${imported.importSeconds.toFixed(1)} s incl. its verify pass, the rebuild of ${fmt(imported.applied)} events at ${imported.rebuildSeconds.toFixed(1)} s); peak rss ${mb(imported.peakRss)}`,
    );
    say(NAME, `  live heap / rss by progress: ${heapMarks(imported)}`);
    say(NAME, `baseline: raw read + JSON.parse + batched inserts (10,000 a transaction) of the file's ${fmt(rawImport.events)} rows: ${rawImport.seconds.toFixed(1)} s = ${fmt(rate(rawImport))} rows/s`);
    say(NAME, `  ratio ${importRatio.toFixed(2)} (goal ${goalText(IMPORT_GOAL)}) ${verdict(importRatio, IMPORT_GOAL)}`);

    const rows: SummaryRow[] = [
      {
        bench: NAME,
        metric: `export ${fmt(exported.events)} events`,
        figure: `${fmt(rate(exported))} events/s`,
        baseline: `${fmt(rate(raw))} rows/s (raw)`,
        ratio: exportRatio.toFixed(2),
        goal: goalText(EXPORT_GOAL),
        verdict: verdict(exportRatio, EXPORT_GOAL),
      },
      {
        bench: NAME,
        metric: `export peak rss ${fmt(exported.events)} - ${fmt(smallExport.events)}`,
        figure: `${memoryDelta.toFixed(1)} MiB`,
        baseline: `${mb(exported.peakRss)} vs ${mb(smallExport.peakRss)}`,
        ratio: '-',
        goal: goalText(MEMORY_GOAL, ' MiB'),
        verdict: verdict(memoryDelta, MEMORY_GOAL),
      },
      {
        bench: NAME,
        metric: `verify ${fmt(verified.events)} events`,
        figure: `${fmt(rate(verified))} events/s`,
        baseline: '-',
        ratio: '-',
        goal: goalText(VERIFY_GOAL, '/s'),
        verdict: verdict(rate(verified), VERIFY_GOAL),
      },
      {
        bench: NAME,
        metric: `import + rebuild ${fmt(imported.events)} events`,
        figure: `${fmt(rate(imported))} events/s`,
        baseline: `${fmt(rate(rawImport))} rows/s (raw)`,
        ratio: importRatio.toFixed(2),
        goal: goalText(IMPORT_GOAL),
        verdict: verdict(importRatio, IMPORT_GOAL),
      },
      {
        bench: NAME,
        metric: 'import live heap at 25/50/75/100%',
        figure: imported.marks.map((m) => fmt(m.heapUsed / (1024 * 1024), 1)).join('/') + ' MB',
        baseline: `peak rss ${mb(imported.peakRss)}`,
        ratio: '-',
        goal: 'flat',
        verdict: 'INFO',
      },
    ];
    return {
      name: NAME,
      rows,
      data: { target, small, written, exported, raw, exportRatio, smallExport, memoryDelta, verified, imported, rawImport, importRatio },
    };
  } finally {
    removeTempDir(dir);
    removeTempDir(smallDir);
    removeTempDir(restoreDir);
  }
}

if (require.main === module) {
  const at = process.argv.indexOf('--phase');
  if (at >= 0) {
    const [phase, ...args] = process.argv.slice(at + 1);
    void childMain(phase as PhaseName, args);
  } else {
    runStandalone(() => runExport());
  }
}

/**
 * Bench: the audit console (issue 18).
 *
 * 1. The log view's pages over a log of BENCH_CONSOLE_EVENTS (default
 *    1,000,000) synthetic events: server time of the first page, of a next
 *    page from the middle, and of pages filtered by a rare type and by a
 *    stream prefix, through `LogPages` as the controller calls it; the
 *    raw baseline is one `readAll` of the same 50 events. Goal ≤ 300 ms. The
 *    filtered pages read what the embedded store's type and stream indexes
 *    name (LogIndex).
 * 2. Verifying a BENCH_CONSOLE_VERIFY_EVENTS (default 200,000) event export in
 *    headless Chromium with the console's own `verify-core.js` (the file held
 *    as a Blob, as a chosen file is; Web Workers over byte ranges) against
 *    `parley verify` (threads over byte ranges) on the same file, in the same
 *    run, interleaved. Goal: browser ÷ CLI ≥ 0.3. Also printed: the browser
 *    on one thread. Skipped where no Chromium is installed.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LogPages } from '../apps/api/audit/log-pages';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { verifyLog, type VerifyResult } from '../libs/streaming/log-codec';
import { verifyLogFile } from '../libs/streaming/parallel-verify';
import { exportLog, fileLines } from '../libs/streaming/log-transfer';
import { writeSyntheticLog } from '../test/support/synthetic-log';
import { envInt, fmt, goalText, makeTempDir, removeTempDir, runStandalone, say, verdict, type BenchOutcome, type Goal, type SummaryRow } from './lib/common';
import { shapeFor } from './rebuild.bench';

const NAME = 'console';
export const PAGE_GOAL: Goal = { op: '<=', target: 300 };
export const VERIFY_RATIO_GOAL: Goal = { op: '>=', target: 0.3 };
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const timed = async <T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> => {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
};

/** The median of a few runs: one page is a few milliseconds, noisy on a shared machine. */
async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(work)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function paging(dir: string, events: number): Promise<SummaryRow[]> {
  const store = new SqliteEventStore({ file: join(dir, 'events.db'), synchronous: 'normal' });
  try {
    say(NAME, `writing ${events} synthetic events…`);
    const written = await timed(() => writeSyntheticLog(store, shapeFor(events)));
    const head = (await store.headPosition()) ?? 0n;
    say(NAME, `${head} events in ${fmt(written.ms / 1000, 1)} s`);
    const pages = new LogPages(store);
    const middle = head / 2n;
    const first = await median(7, () => pages.page(0n, 50, {}));
    const next = await median(7, () => pages.page(middle, 50, {}));
    // The synthetic log's rooms and renames come first: from the middle none follows, and the page says so (next: null).
    const filtered = await median(3, () => pages.page(0n, 50, { types: new Set(['RoomRenamed']) }));
    const noneLeft = await median(3, () => pages.page(middle, 50, { types: new Set(['RoomRenamed']) }));
    const filteredLate = await median(3, () => pages.page(middle, 50, { types: new Set(['CommentDeleted']) }));
    const byPrefix = await median(3, () => pages.page(0n, 50, { streamPrefix: 'room-' }));
    const raw = await median(7, () => store.readAll({ after: middle, maxCount: 50 }));
    const row = (metric: string, ms: number): SummaryRow => ({
      bench: NAME,
      metric,
      figure: `${fmt(ms, 1)} ms`,
      baseline: `${fmt(raw, 2)} ms raw readAll(50)`,
      ratio: raw > 0 ? `${fmt(ms / raw, 1)}×` : '-',
      goal: goalText(PAGE_GOAL, ' ms'),
      verdict: verdict(ms, PAGE_GOAL),
    });
    return [
      row(`log first page (${head} events)`, first),
      row('log next page (from the middle)', next),
      row('log page filtered by a rare type (RoomRenamed, type index)', filtered),
      row('log page from the middle filtered by a rare type (CommentDeleted, type index)', filteredLate),
      row('log page from the middle filtered by a type none of the rest has (RoomRenamed)', noneLeft),
      row('log page filtered by a stream prefix (room-, stream index)', byPrefix),
    ];
  } finally {
    await store.close();
  }
}

/** The CLI's `verify` on a file, as `parley verify` runs it (threads over byte ranges where the file is large). */
async function cliVerify(file: string): Promise<{ ms: number; result: VerifyResult }> {
  const run = await timed(() => verifyLogFile(file));
  return { ms: run.ms, result: run.value };
}

interface BrowserRun {
  readonly ms: number;
  readonly ok: boolean;
  readonly count: number;
  readonly finalHash: string;
  readonly workers: number;
}

async function verifying(dir: string, events: number): Promise<SummaryRow[]> {
  const store = new SqliteEventStore({ file: join(dir, 'verify.db'), synchronous: 'normal' });
  const file = join(dir, 'export.ndjson');
  try {
    await writeSyntheticLog(store, shapeFor(events));
    await pipeline(Readable.from(exportLog(store)), createWriteStream(file));
  } finally {
    await store.close();
  }
  const megabytes = statSync(file).size / 1e6;
  const sequential = await timed(() => verifyLog(fileLines(file), undefined, { integrityOnly: true }));
  if (!sequential.value.ok) throw new Error(`the CLI refused the export: line ${sequential.value.line}: ${sequential.value.reason}`);
  const count = sequential.value.count;
  const finalHash = sequential.value.finalHash;
  say(NAME, `CLI verify in order: ${count} events in ${fmt(sequential.ms)} ms (${fmt(count / (sequential.ms / 1000))} events/s), ${fmt(megabytes, 1)} MB`);
  if (!existsSync(CHROMIUM)) {
    const cli = await cliVerify(file);
    const rate = count / (cli.ms / 1000);
    return [{ bench: NAME, metric: 'browser verify ÷ CLI verify', figure: '-', baseline: `${fmt(rate)} events/s CLI`, ratio: '-', goal: goalText(VERIFY_RATIO_GOAL), verdict: 'SKIP' }];
  }
  // The console's files are not compiled: from the sources, whether this runs from bench/ or dist/bench/.
  const consoleDir = [join(__dirname, '..', 'apps', 'console'), join(__dirname, '..', '..', 'apps', 'console')].find((dir) => existsSync(join(dir, 'verify-core.js')))!;
  const scripts = new Map(['verify-core.js', 'sha256.js', 'verify-worker.js'].map((name) => [`/${name}`, readFileSync(join(consoleDir, name))]));
  const server: Server = createServer((request, response) => {
    const script = scripts.get(request.url ?? '');
    if (script) response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (request.url === '/export.ndjson') {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      createReadStream(file).pipe(response);
    } else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Loaded only here: a bench run without Chromium needs no browser driver.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    let workers = 0;
    page.on('worker', () => workers++);
    await page.goto(`${base}/`);
    // The export is held by the page as a Blob first, as a chosen file is: the timing is the check, as the CLI's is.
    await page.evaluate(`(async () => { window.exported = await (await fetch('/export.ndjson')).blob(); })()`);
    const inBrowser = async (threads?: number): Promise<BrowserRun> => {
      const before = workers;
      const run = (await page.evaluate(`(async () => {
        const { verifyExport } = await import('/verify-core.js');
        const started = performance.now();
        const outcome = await verifyExport(window.exported, ${threads === undefined ? '{}' : `{ threads: ${threads} }`});
        return { ms: performance.now() - started, ok: outcome.ok, count: outcome.count, finalHash: outcome.finalHash };
      })()`)) as Omit<BrowserRun, 'workers'>;
      if (!run.ok || run.count !== count || run.finalHash !== finalHash) throw new Error(`the browser disagrees with the CLI: ${JSON.stringify(run)}`);
      return { ...run, workers: workers - before };
    };
    // Interleaved, best of two each: the machine is shared, and a burst of load should not decide the ratio alone.
    const cliRuns: number[] = [];
    const browserRuns: BrowserRun[] = [];
    for (let round = 0; round < 2; round++) {
      const cli = await cliVerify(file);
      if (!cli.result.ok || cli.result.finalHash !== finalHash) throw new Error('the CLI disagrees with itself');
      cliRuns.push(cli.ms);
      browserRuns.push(await inBrowser());
      say(NAME, `round ${round + 1}: CLI verify ${fmt(cli.ms)} ms, browser verify ${fmt(browserRuns[round]!.ms)} ms (${browserRuns[round]!.workers} workers)`);
    }
    const oneThread = await inBrowser(1);
    const cliMs = Math.min(...cliRuns);
    const best = browserRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
    const cliRate = count / (cliMs / 1000);
    const browserRate = count / (best.ms / 1000);
    const oneThreadRate = count / (oneThread.ms / 1000);
    say(NAME, `browser verify on one thread: ${fmt(oneThread.ms)} ms (${fmt(oneThreadRate)} events/s)`);
    return [
      {
        bench: NAME,
        metric: `browser verify of ${count} events (${best.workers} workers) ÷ CLI verify`,
        figure: `${fmt(browserRate)} events/s`,
        baseline: `${fmt(cliRate)} events/s CLI`,
        ratio: fmt(browserRate / cliRate, 2),
        goal: goalText(VERIFY_RATIO_GOAL),
        verdict: verdict(browserRate / cliRate, VERIFY_RATIO_GOAL),
      },
      {
        bench: NAME,
        metric: 'browser verify on one thread ÷ CLI verify',
        figure: `${fmt(oneThreadRate)} events/s`,
        baseline: `${fmt(cliRate)} events/s CLI`,
        ratio: fmt(oneThreadRate / cliRate, 2),
        goal: '-',
        verdict: 'INFO',
      },
    ];
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function runConsole(): Promise<BenchOutcome> {
  const dir = makeTempDir('console');
  try {
    const rows = [
      ...(await paging(dir, envInt('BENCH_CONSOLE_EVENTS', 1_000_000))),
      ...(await verifying(dir, envInt('BENCH_CONSOLE_VERIFY_EVENTS', 200_000))),
    ];
    return { name: NAME, rows, data: {} };
  } finally {
    removeTempDir(dir);
  }
}

if (require.main === module) runStandalone(() => runConsole());

/**
 * Bench: the audit console (issue 18).
 *
 * 1. The log view's pages over a log of BENCH_CONSOLE_EVENTS (default
 *    1,000,000) synthetic events: server time of the first page, of a next
 *    page from the middle, and of a page filtered by a rare type (which scans
 *    up to its bound), through `LogPages` as the controller calls it; the
 *    raw baseline is one `readAll` of the same 50 events. Goal ≤ 300 ms.
 * 2. Verifying a BENCH_CONSOLE_VERIFY_EVENTS (default 200,000) event export in
 *    headless Chromium with the console's own `verify-core.js` (streamed from
 *    a local server, Web Crypto) against the CLI's `verify` (integrity only)
 *    on the same file, in the same run. Goal: browser ÷ CLI ≥ 0.3.
 *    Skipped where no Chromium is installed.
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
import { verifyLog } from '../libs/streaming/log-codec';
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
    const filtered = await median(3, () => pages.page(middle, 50, { types: new Set(['RoomRenamed']) }));
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
      row('log page filtered by a rare type (scans ≤ 10,000)', filtered),
    ];
  } finally {
    await store.close();
  }
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
  const cli = await timed(() => verifyLog(fileLines(file), undefined, { integrityOnly: true }));
  if (!cli.value.ok) throw new Error(`the CLI refused the export: line ${cli.value.line}: ${cli.value.reason}`);
  const count = cli.value.count;
  const cliRate = count / (cli.ms / 1000);
  say(NAME, `CLI verify: ${count} events in ${fmt(cli.ms)} ms (${fmt(cliRate)} events/s), ${fmt(statSync(file).size / 1e6, 1)} MB`);
  if (!existsSync(CHROMIUM)) {
    return [{ bench: NAME, metric: 'browser verify ÷ CLI verify', figure: '-', baseline: `${fmt(cliRate)} events/s CLI`, ratio: '-', goal: goalText(VERIFY_RATIO_GOAL), verdict: 'SKIP' }];
  }
  const scripts = new Map(['verify-core.js', 'sha256.js'].map((name) => [`/${name}`, readFileSync(join(__dirname, '..', 'apps', 'console', name))]));
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
    await page.goto(`${base}/`);
    const result = (await page.evaluate(`(async () => {
      const { verifyExport } = await import('/verify-core.js');
      const response = await fetch('/export.ndjson');
      const started = performance.now();
      const outcome = await verifyExport(response.body);
      return { ms: performance.now() - started, ok: outcome.ok, count: outcome.count, finalHash: outcome.finalHash };
    })()`)) as { ms: number; ok: boolean; count: number; finalHash: string };
    if (!result.ok || result.count !== count || result.finalHash !== cli.value.finalHash) throw new Error(`the browser disagrees with the CLI: ${JSON.stringify(result)}`);
    const browserRate = count / (result.ms / 1000);
    const ratio = browserRate / cliRate;
    say(NAME, `browser verify: ${fmt(result.ms)} ms (${fmt(browserRate)} events/s)`);
    return [
      {
        bench: NAME,
        metric: `browser verify of ${count} events ÷ CLI verify`,
        figure: `${fmt(browserRate)} events/s`,
        baseline: `${fmt(cliRate)} events/s CLI`,
        ratio: fmt(ratio, 2),
        goal: goalText(VERIFY_RATIO_GOAL),
        verdict: verdict(ratio, VERIFY_RATIO_GOAL),
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

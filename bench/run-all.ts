/**
 * `npm run bench`: every benchmark in order, then one summary table.
 * A MISS is reported, never turned into a failing exit code; a benchmark that
 * crashes is reported as SKIP with its error and the others still run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runConsole } from './console.bench';
import { runContacts } from './contacts.bench';
import { runDirectory } from './directory.bench';
import { runExport } from './export.bench';
import { runFeed } from './feed.bench';
import { runHistory } from './history.bench';
import { runHistoryWeeks } from './history-weeks.bench';
import { runLag } from './lag.bench';
import { runMetrics } from './metrics.bench';
import { runPersonalData } from './personal-data.bench';
import { runPresence } from './presence.bench';
import { runQiscus } from './qiscus.bench';
import { benchSeconds, printTable, productionStores, skipRow, type BenchOutcome, type SummaryRow } from './lib/common';
import { runRebuild } from './rebuild.bench';
import { runMedia } from './media.bench';
import { runSearch } from './search.bench';
import { runSend } from './send.bench';
import { runTokens } from './tokens.bench';
import { runVonageSend } from './vonage-send.bench';

/** The rebuild's log size in `npm run bench` unless BENCH_REBUILD_EVENTS says otherwise (1M takes ~8 min here). */
const RUN_ALL_REBUILD_EVENTS = 150_000;
/** The export/import log size in `npm run bench` unless BENCH_EXPORT_EVENTS says otherwise (the 1M runs alone). */
const RUN_ALL_EXPORT_EVENTS = 200_000;

async function guarded(name: string, run: () => Promise<BenchOutcome>): Promise<BenchOutcome> {
  const started = performance.now();
  process.stdout.write(`\n=== ${name} === (load average ${loadavg()[0]!.toFixed(2)})\n`);
  try {
    const outcome = await run();
    process.stdout.write(
      `[${name}] done in ${((performance.now() - started) / 1000).toFixed(1)} s (load average ${loadavg()[0]!.toFixed(2)})\n`,
    );
    return outcome;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`[${name}] ERROR: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
    return { name, rows: [skipRow(name, 'error', message.split('\n')[0]!.slice(0, 80))], data: { error: message } };
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const prod = productionStores();
  process.stdout.write(
    `Parley benchmarks — node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}, ` +
      `BENCH_SECONDS=${benchSeconds()}` +
      (prod ? `, production-mode stores from the environment` : ', embedded SQLite stores in temp dirs') +
      '\n',
  );
  const outcomes: BenchOutcome[] = [];
  const send = await guarded('send', runSend);
  outcomes.push(send);
  outcomes.push(await guarded('history', runHistory));
  const sendBenchRps = !prod && typeof send.data['maxRps'] === 'number' ? send.data['maxRps'] : null;
  outcomes.push(await guarded('lag', () => runLag({ sendBenchRps })));
  outcomes.push(await guarded('rebuild', () => runRebuild(RUN_ALL_REBUILD_EVENTS)));
  outcomes.push(await guarded('feed', runFeed));
  outcomes.push(await guarded('export', () => runExport(RUN_ALL_EXPORT_EVENTS)));
  outcomes.push(await guarded('contacts', runContacts));
  outcomes.push(await guarded('tokens', runTokens));
  outcomes.push(await guarded('personal-data', runPersonalData));
  outcomes.push(await guarded('presence', runPresence));
  outcomes.push(await guarded('console', runConsole));
  outcomes.push(await guarded('metrics', runMetrics));
  outcomes.push(await guarded('directory', runDirectory));
  outcomes.push(await guarded('history-weeks', runHistoryWeeks));
  outcomes.push(await guarded('search', runSearch));
  outcomes.push(await guarded('qiscus', runQiscus));
  outcomes.push(await guarded('media', runMedia));
  outcomes.push(await guarded('vonage-send', runVonageSend));

  const rows: SummaryRow[] = outcomes.flatMap((o) => o.rows);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`\n=== summary (${seconds.toFixed(0)} s) ===\n`);
  printTable(rows);
  const counts = { PASS: 0, MISS: 0, SKIP: 0 };
  for (const row of rows) if (row.verdict !== 'INFO') counts[row.verdict] += 1;
  process.stdout.write(`\n${counts.PASS} PASS, ${counts.MISS} MISS, ${counts.SKIP} SKIP (a MISS does not fail the run)\n`);
  process.stdout.write(
    `load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores: ` +
      'the baselines are measured in the same run so ratios survive a busy machine better than absolute figures\n',
  );

  const dir = join(tmpdir(), 'parley-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        cores: cpus().length,
        seconds,
        env: {
          BENCH_SECONDS: process.env['BENCH_SECONDS'] ?? null,
          BENCH_SYNC: process.env['BENCH_SYNC'] ?? null,
          BENCH_REBUILD_EVENTS: process.env['BENCH_REBUILD_EVENTS'] ?? null,
          BENCH_EXPORT_EVENTS: process.env['BENCH_EXPORT_EVENTS'] ?? null,
          BENCH_FEED_CLIENTS: process.env['BENCH_FEED_CLIENTS'] ?? null,
          BENCH_WEBHOOK_COMMENTS: process.env['BENCH_WEBHOOK_COMMENTS'] ?? null,
          EVENT_STORE_URL: prod?.eventStoreUrl ?? null,
          READ_STORE_URL: prod?.readStoreUrl ?? null,
        },
        summary: rows,
        details: Object.fromEntries(outcomes.map((o) => [o.name, o.data])),
      },
      (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
      2,
    ) + '\n',
  );
  process.stdout.write(`results written to ${file}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

/**
 * Bench 1, sending: POST /v1/rooms/:roomId/comments at 50 connections spread
 * over 100 rooms, Parley (child process) against a no-op Nest-on-Fastify
 * route with the same ValidationPipe and DTO (child process), same load.
 * Each Parley run is compared with the mean of a baseline run just before it
 * and one just after it.
 */
import {
  BASELINE_MAIN,
  benchSeconds,
  envWithoutStores,
  fmt,
  goalText,
  makeTempDir,
  productionStores,
  removeTempDir,
  runStandalone,
  say,
  skipRow,
  verdict,
  type BenchOutcome,
  type Goal,
  type SummaryRow,
} from './lib/common';
import { HttpClient } from './lib/http';
import { bracketed, describeLoad, postLoad, type LoadSummary } from './lib/load';
import { setupWorkload, startParley, type BenchRoom, type HealthView } from './lib/parley';
import { startServer } from './lib/server';

const NAME = 'send';
const CONNECTIONS = 50;
const ROOMS = 100;
/** As many users as connections: each connection's posts come from users of their own. */
const USERS = 50;
const MEMBERS_PER_ROOM = 3;
const WARMUP_SECONDS = 2;
export const THROUGHPUT_GOAL: Goal = { op: '>=', target: 0.6 };
/** Parley's p99 ÷ the baseline's p99 in the same run. */
export const P99_GOAL: Goal = { op: '<=', target: 2 };

type Sync = 'full' | 'normal';

function syncModes(): Sync[] {
  const raw = (process.env['BENCH_SYNC'] ?? 'full,normal').split(',').map((s) => s.trim().toLowerCase());
  const modes = raw.filter((s): s is Sync => s === 'full' || s === 'normal');
  if (modes.length === 0) throw new Error(`BENCH_SYNC must list full and/or normal, got "${process.env['BENCH_SYNC']}"`);
  return [...new Set(modes)];
}

/** Fake ids and tokens with the shapes of real ones, so the baseline parses the same bytes. */
function fakeRooms(): BenchRoom[] {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const token = (u: number) => `eyJ${'a'.repeat(220)}.${u}`;
  return Array.from({ length: ROOMS }, (_, r) => ({
    id: `${hex(r, 8)}-0000-4000-8000-${hex(r, 12)}`,
    tokens: Array.from({ length: MEMBERS_PER_ROOM }, (_, m) => token((r + m) % USERS)),
  }));
}

async function measureBaseline(seconds: number): Promise<LoadSummary> {
  const server = await startServer({ label: 'baseline', script: BASELINE_MAIN, env: envWithoutStores() });
  try {
    const rooms = fakeRooms();
    await postLoad({ url: server.url, rooms, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    return await postLoad({ url: server.url, rooms, connections: CONNECTIONS, seconds });
  } finally {
    await server.stop();
  }
}

interface ParleyRun {
  readonly sync: Sync | 'env';
  readonly load: LoadSummary;
  readonly head: string | null;
}

async function measureParley(seconds: number, sync: Sync | 'env', production: boolean): Promise<ParleyRun> {
  const dataDir = makeTempDir('send');
  const server = await startParley({
    dataDir,
    env: production ? { ...process.env } : envWithoutStores(),
    ...(sync === 'env' ? {} : { synchronous: sync }),
    label: sync === 'env' ? 'parley (env stores)' : `parley (sync=${sync})`,
  });
  try {
    const workload = await setupWorkload(server.url, USERS, ROOMS, MEMBERS_PER_ROOM);
    await postLoad({ url: server.url, rooms: workload.rooms, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    const load = await postLoad({ url: server.url, rooms: workload.rooms, connections: CONNECTIONS, seconds });
    const client = new HttpClient(server.url);
    const health = await client.json<HealthView>('GET', '/health', 200).finally(() => client.close());
    return { sync, load, head: health.eventStore.head };
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

export interface SendData extends Record<string, unknown> {
  /** Parley's 2xx req/s in the first (default-durability) run, for the lag bench. */
  readonly maxRps: number | null;
}

export async function runSend(): Promise<BenchOutcome & { data: SendData }> {
  const seconds = benchSeconds();
  const prod = productionStores();
  const modes: (Sync | 'env')[] = prod ? ['env'] : syncModes();
  say(
    NAME,
    prod
      ? `stores: EVENT_STORE_URL=${prod.eventStoreUrl ?? '(default)'} READ_STORE_URL=${prod.readStoreUrl ?? '(default)'} (production-mode hook, passed to the server)`
      : 'stores: embedded SQLite in a temp dir (events.db, read.db)',
  );
  say(
    NAME,
    `${CONNECTIONS} connections over ${ROOMS} rooms (${MEMBERS_PER_ROOM} members each, ${USERS} users), ` +
      `${WARMUP_SECONDS} s warm-up + ${seconds} s measured per server`,
  );

  const rows: SummaryRow[] = [];
  // Each Parley run is bracketed by baseline runs and compared with their mean: on a shared machine the
  // baseline's own rate drifts by a third within minutes, which a single baseline run turns into the ratio.
  let before = await measureBaseline(seconds);
  say(NAME, `baseline (no-op POST, same ValidationPipe + PostCommentDto): ${describeLoad(before)}`);
  const baselines: LoadSummary[] = [before];

  const runs: ParleyRun[] = [];
  for (const sync of modes) {
    let run: ParleyRun;
    try {
      run = await measureParley(seconds, sync, prod !== null);
    } catch (error) {
      // The server's own last words (e.g. "parley: Invalid configuration: ...") say most.
      const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((l) => l.trim()).filter(Boolean);
      const reason = lines[lines.length - 1] ?? 'failed';
      say(NAME, `parley (${sync === 'env' ? 'env stores' : `sync=${sync}`}) could not run: ${error instanceof Error ? error.message : String(error)}`);
      rows.push(skipRow(NAME, sync === 'env' ? 'throughput (env stores)' : `throughput (sync=${sync})`, reason.slice(0, 90)));
      continue;
    }
    runs.push(run);
    const { load } = run;
    const label = sync === 'env' ? 'env stores' : `sync=${sync}`;
    say(NAME, `parley (${label}): ${describeLoad(load)}; log head after run ${run.head ?? 'empty'}`);
    const after = await measureBaseline(seconds);
    baselines.push(after);
    say(NAME, `baseline again: ${describeLoad(after)}`);
    const baseline = bracketed(before, after);
    before = after;
    if (load.non2xx > 0 || load.errors > 0) say(NAME, `WARNING: parley (${label}) answered errors; figures count only 2xx`);
    const ratio = load.rps / baseline.rps;
    rows.push({
      bench: NAME,
      metric: `throughput (${label})`,
      figure: `${fmt(load.rps)} req/s`,
      baseline: `${fmt(baseline.rps)} req/s (mean of 2)`,
      ratio: ratio.toFixed(2),
      goal: goalText(THROUGHPUT_GOAL),
      verdict: verdict(ratio, THROUGHPUT_GOAL),
    });
    rows.push({
      bench: NAME,
      metric: `p99 latency (${label})`,
      figure: `${load.p99} ms (p50 ${load.p50})`,
      baseline: `${baseline.p99} ms (p50 ${baseline.p50})`,
      ratio: (load.p99 / baseline.p99).toFixed(2),
      goal: `${goalText(P99_GOAL)}× baseline`,
      verdict: verdict(load.p99 / baseline.p99, P99_GOAL),
    });
    say(
      NAME,
      `  against the baselines' mean (${fmt(baseline.rps)} req/s, p99 ${baseline.p99} ms): ratio ${ratio.toFixed(2)} (goal ${goalText(THROUGHPUT_GOAL)}) ${verdict(ratio, THROUGHPUT_GOAL)}; ` +
        `p99 ${load.p99} ms = ${(load.p99 / baseline.p99).toFixed(2)}× baseline (goal ${goalText(P99_GOAL)}×) ${verdict(load.p99 / baseline.p99, P99_GOAL)}`,
    );
  }
  return {
    name: NAME,
    rows,
    data: { maxRps: runs[0]?.load.rps ?? null, baselines, runs: runs.map((r) => ({ sync: r.sync, ...r.load })) },
  };
}

if (require.main === module) runStandalone(runSend);

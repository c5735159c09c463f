/**
 * Bench 3, projection lag: at half the maximum send rate, how long after a
 * POST answers can a reader see it? Each POST is followed at once by
 * GET /v1/rooms/:roomId/comments with X-Min-Position: <returned position>,
 * which the server holds until the read models passed it; lag = GET
 * completion − POST completion (so it includes one GET round trip).
 */
import { performance } from 'node:perf_hooks';
import {
  benchSeconds,
  envWithoutStores,
  fmt,
  goalText,
  makeTempDir,
  percentile,
  productionStores,
  removeTempDir,
  runStandalone,
  say,
  sleep,
  sortedCopy,
  verdict,
  type BenchOutcome,
  type Goal,
} from './lib/common';
import { HttpClient } from './lib/http';
import { describeLoad, postLoad } from './lib/load';
import { commentBody, setupWorkload, startParley, type BenchRoom } from './lib/parley';

const NAME = 'lag';
const CONNECTIONS = 20;
const PROBE_SECONDS = 5;
const PROBE_CONNECTIONS = 50;
const IDLE_GETS = 200;
export const LAG_GOAL: Goal = { op: '<=', target: 100 };

interface Op {
  readonly post: number;
  readonly lag: number;
}

export interface LagOptions {
  /** Maximum send rate bench 1 measured in this run; printed for reference only. */
  readonly sendBenchRps?: number | null;
}

export async function runLag(options: LagOptions = {}): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  if (productionStores()) say(NAME, 'EVENT_STORE_URL/READ_STORE_URL ignored: this bench uses temp SQLite');
  say(NAME, 'stores: embedded SQLite in a temp dir, default durability (synchronous=full)');
  const dataDir = makeTempDir('lag');
  const server = await startParley({ dataDir, env: envWithoutStores(), label: 'parley' });
  const client = new HttpClient(server.url, CONNECTIONS);
  try {
    const workload = await setupWorkload(server.url, 10, 100, 3);
    // Probed on this very server just before pacing: on a shared 2-core machine the
    // rate bench 1 saw minutes earlier may no longer be what the machine can do.
    const probe = await postLoad({ url: server.url, rooms: workload.rooms, connections: PROBE_CONNECTIONS, seconds: PROBE_SECONDS });
    say(NAME, `max-rate probe (${PROBE_SECONDS} s, ${PROBE_CONNECTIONS} connections): ${describeLoad(probe)}`);
    if (options.sendBenchRps) say(NAME, `  (the sending bench measured ${fmt(options.sendBenchRps)} req/s earlier in this run)`);
    const maxRps = probe.rps;
    const rate = Math.max(1, maxRps / 2);
    const total = Math.max(1, Math.round(rate * seconds));
    say(NAME, `pacing ${fmt(rate, 1)} posts/s (half the maximum) over ${CONNECTIONS} connections for ${seconds} s (${total} posts)`);

    const ops: Op[] = [];
    const failures: string[] = [];
    let inFlight = 0;
    let issued = 0;
    let lateTicks = 0;
    const one = async (n: number, room: BenchRoom): Promise<void> => {
      const auth = { authorization: `Bearer ${room.tokens[Math.floor(n / workload.rooms.length) % room.tokens.length]!}` };
      const t0 = performance.now();
      const posted = await client.request('POST', `/v1/rooms/${room.id}/comments`, {
        headers: auth,
        body: JSON.parse(commentBody(n)) as unknown,
      });
      const t1 = performance.now();
      if (posted.status !== 201) throw new Error(`POST HTTP ${posted.status} ${posted.text.slice(0, 120)}`);
      const position = (JSON.parse(posted.text) as { position: string }).position;
      const read = await client.request('GET', `/v1/rooms/${room.id}/comments?limit=1`, {
        headers: { ...auth, 'x-min-position': position },
      });
      const t2 = performance.now();
      if (read.status !== 200) throw new Error(`GET HTTP ${read.status} ${read.text.slice(0, 120)}`);
      ops.push({ post: t1 - t0, lag: t2 - t1 });
    };

    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - started;
        const due = Math.min(total, Math.floor((elapsed / 1000) * rate) + 1);
        while (issued < due && inFlight < CONNECTIONS) {
          const n = issued++;
          inFlight++;
          one(n, workload.rooms[n % workload.rooms.length]!)
            .catch((error: unknown) => failures.push(error instanceof Error ? error.message : String(error)))
            .finally(() => inFlight--);
        }
        if (issued < due) lateTicks++;
        if (issued >= total || elapsed > (seconds + 5) * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    const drainDeadline = Date.now() + 30_000;
    while (inFlight > 0 && Date.now() < drainDeadline) await sleep(10);
    const elapsed = (performance.now() - started) / 1000;

    // Context: what one GET of the same page costs on an idle server.
    const idle: number[] = [];
    const room = workload.rooms[0]!;
    for (let i = 0; i < IDLE_GETS; i++) {
      const t0 = performance.now();
      const res = await client.request('GET', `/v1/rooms/${room.id}/comments?limit=1`, {
        headers: { authorization: `Bearer ${room.tokens[0]!}` },
      });
      if (res.status === 200) idle.push(performance.now() - t0);
    }

    const lags = sortedCopy(ops.map((o) => o.lag));
    const postMs = sortedCopy(ops.map((o) => o.post));
    const idleSorted = sortedCopy(idle);
    const p50 = percentile(lags, 50);
    const p99 = percentile(lags, 99);
    const achieved = ops.length / elapsed;
    say(
      NAME,
      `${ops.length} posts read back in ${elapsed.toFixed(1)} s (${fmt(achieved, 1)}/s achieved of ${fmt(rate, 1)}/s paced), ` +
        `${failures.length} failed${lateTicks > 0 ? `, all ${CONNECTIONS} connections busy on ${lateTicks} scheduler ticks` : ''}`,
    );
    if (achieved < rate * 0.9) {
      say(NAME, '  WARNING: the server did not keep up with the paced rate; the lag below includes queueing');
    }
    if (failures.length > 0) say(NAME, `  first failure: ${failures[0]}`);
    say(NAME, `POST latency while paced: p50 ${percentile(postMs, 50).toFixed(1)} ms, p99 ${percentile(postMs, 99).toFixed(1)} ms`);
    say(
      NAME,
      `lag (GET with X-Min-Position completed − POST completed): p50 ${p50.toFixed(1)} ms, p90 ${percentile(lags, 90).toFixed(1)} ms, ` +
        `p99 ${p99.toFixed(1)} ms, max ${percentile(lags, 100).toFixed(1)} ms`,
    );
    say(NAME, `  (a plain GET of the same page on the idle server: p50 ${percentile(idleSorted, 50).toFixed(1)} ms)`);
    say(NAME, `  p99 lag ${p99.toFixed(1)} ms (goal ${goalText(LAG_GOAL, ' ms')}) ${verdict(p99, LAG_GOAL)}`);
    return {
      name: NAME,
      rows: [
        {
          bench: NAME,
          metric: `read-your-write lag p99 @ ${fmt(rate)}/s`,
          figure: `${p99.toFixed(1)} ms (p50 ${p50.toFixed(1)})`,
          baseline: `${percentile(idleSorted, 50).toFixed(1)} ms (idle GET p50)`,
          ratio: '-',
          goal: goalText(LAG_GOAL, ' ms'),
          verdict: ops.length === 0 ? 'MISS' : verdict(p99, LAG_GOAL),
        },
      ],
      data: { rate, posts: ops.length, failures: failures.length, lagP50: p50, lagP99: p99, idleGetP50: percentile(idleSorted, 50) },
    };
  } finally {
    client.close();
    await server.stop();
    removeTempDir(dataDir);
  }
}

if (require.main === module) runStandalone(() => runLag());

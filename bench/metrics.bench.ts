/**
 * Bench: what /metrics costs (issue 18). The send bench's load (POST
 * comments, 50 connections over 100 rooms) against one Parley, in segments
 * that alternate: not scraped, then scraped every second as a Prometheus
 * server would, BENCH_METRICS_ROUNDS times (default 3), each BENCH_SECONDS
 * long. Alternating on one server keeps a shared machine's changing load and
 * the growing log from deciding the ratio. Also printed: how long a scrape
 * took. Goal: throughput scraped ÷ not scraped ≥ 0.95.
 */
import { performance } from 'node:perf_hooks';
import { benchSeconds, envInt, envWithoutStores, fmt, goalText, makeTempDir, percentile, removeTempDir, runStandalone, say, sortedCopy, verdict, type BenchOutcome, type Goal } from './lib/common';
import { describeLoad, postLoad, type LoadSummary } from './lib/load';
import { setupWorkload, startParley, type BenchRoom } from './lib/parley';

const NAME = 'metrics';
const CONNECTIONS = 50;
const ROOMS = 100;
const USERS = 50;
const WARMUP_SECONDS = 2;
const KEY = 'bench-metrics-key-0123456789abcdefghij';
export const SCRAPE_COST_GOAL: Goal = { op: '>=', target: 0.95 };

interface Segment {
  readonly load: LoadSummary;
  /** Milliseconds each answered scrape took; empty when not scraped. */
  readonly scrapes: number[];
}

async function segment(url: string, rooms: readonly BenchRoom[], seconds: number, scrape: boolean): Promise<Segment> {
  const scrapes: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const timer = scrape
    ? setInterval(() => {
        const started = performance.now();
        const scrapeOnce = fetch(`${url}/metrics`, { headers: { 'X-Api-Key': KEY } })
          .then(async (response) => {
            await response.text();
            if (response.ok) scrapes.push(performance.now() - started);
          })
          .catch(() => undefined)
          .finally(() => inFlight.delete(scrapeOnce));
        inFlight.add(scrapeOnce);
      }, 1000)
    : null;
  try {
    const load = await postLoad({ url, rooms, connections: CONNECTIONS, seconds });
    if (timer) clearInterval(timer);
    // Scrapes answered after the load still happened during it: count them before going on.
    await Promise.all([...inFlight]);
    return { load, scrapes };
  } finally {
    if (timer) clearInterval(timer);
  }
}

export async function runMetrics(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  const rounds = envInt('BENCH_METRICS_ROUNDS', 3, 1, 20);
  const dataDir = makeTempDir('metrics');
  const server = await startParley({ dataDir, env: { ...envWithoutStores(), ADMIN_API_KEY: KEY }, label: 'parley (scraped in every other segment)' });
  const without: Segment[] = [];
  const scraped: Segment[] = [];
  try {
    const workload = await setupWorkload(server.url, USERS, ROOMS, 3);
    await postLoad({ url: server.url, rooms: workload.rooms, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    for (let round = 1; round <= rounds; round++) {
      const quiet = await segment(server.url, workload.rooms, seconds, false);
      without.push(quiet);
      say(NAME, `round ${round}, not scraped: ${describeLoad(quiet.load)}`);
      const busy = await segment(server.url, workload.rooms, seconds, true);
      scraped.push(busy);
      say(NAME, `round ${round}, scraped every second (${busy.scrapes.length} scrapes): ${describeLoad(busy.load)}`);
    }
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
  const rate = (segments: readonly Segment[]) =>
    segments.reduce((sum, s) => sum + s.load.ok, 0) / segments.reduce((sum, s) => sum + s.load.seconds, 0);
  const withoutRps = rate(without);
  const scrapedRps = rate(scraped);
  const ratio = scrapedRps / withoutRps;
  const scrapeTimes = sortedCopy(scraped.flatMap((s) => s.scrapes));
  const answered = scrapeTimes.length;
  say(NAME, `scrape time: p50 ${fmt(percentile(scrapeTimes, 50), 1)} ms, max ${fmt(scrapeTimes[answered - 1] ?? 0, 1)} ms over ${answered} scrapes`);
  // A loaded machine can starve the scraper: then the run says nothing about the cost of scraping.
  const starved = answered < (seconds * rounds) / 2;
  if (starved) say(NAME, `only ${answered} scrapes were answered in ${seconds * rounds} s: the machine is too loaded for this figure`);
  return {
    name: NAME,
    rows: [
      {
        bench: NAME,
        metric: `send throughput scraped every second ÷ not scraped (${rounds} alternating rounds)`,
        figure: `${fmt(scrapedRps)} req/s`,
        baseline: `${fmt(withoutRps)} req/s`,
        ratio: ratio.toFixed(2),
        goal: goalText(SCRAPE_COST_GOAL),
        verdict: starved ? 'INFO' : verdict(ratio, SCRAPE_COST_GOAL),
      },
      {
        bench: NAME,
        metric: 'time to answer a scrape under the send load (p50)',
        figure: `${fmt(percentile(scrapeTimes, 50), 1)} ms`,
        baseline: '-',
        ratio: '-',
        goal: '-',
        verdict: 'INFO',
      },
    ],
    data: { without: without.map((s) => s.load), scraped: scraped.map((s) => s.load), scrapes: answered, scrapeTimes },
  };
}

if (require.main === module) runStandalone(runMetrics);

/**
 * Bench: what /metrics costs (issue 18). The send bench's load (POST
 * comments, 50 connections over 100 rooms) against Parley twice in the same
 * run: once alone, once while a scraper GETs /metrics every second, as a
 * Prometheus server would. Goal: throughput with scrapes ÷ without ≥ 0.95.
 */
import { benchSeconds, envWithoutStores, fmt, goalText, makeTempDir, removeTempDir, runStandalone, say, verdict, type BenchOutcome, type Goal } from './lib/common';
import { describeLoad, postLoad, type LoadSummary } from './lib/load';
import { setupWorkload, startParley } from './lib/parley';

const NAME = 'metrics';
const CONNECTIONS = 50;
const ROOMS = 100;
const USERS = 50;
const WARMUP_SECONDS = 2;
const KEY = 'bench-metrics-key-0123456789abcdefghij';
export const SCRAPE_COST_GOAL: Goal = { op: '>=', target: 0.95 };

async function measure(seconds: number, scrape: boolean): Promise<{ load: LoadSummary; scrapes: number }> {
  const dataDir = makeTempDir('metrics');
  const server = await startParley({ dataDir, env: { ...envWithoutStores(), ADMIN_API_KEY: KEY }, label: scrape ? 'parley (scraped every second)' : 'parley (not scraped)' });
  let scrapes = 0;
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();
  try {
    const workload = await setupWorkload(server.url, USERS, ROOMS, 3);
    await postLoad({ url: server.url, rooms: workload.rooms, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    if (scrape) {
      timer = setInterval(() => {
        const scrapeOnce = fetch(`${server.url}/metrics`, { headers: { 'X-Api-Key': KEY } })
          .then(async (response) => {
            await response.text();
            if (response.ok) scrapes++;
          })
          .catch(() => undefined)
          .finally(() => inFlight.delete(scrapeOnce));
        inFlight.add(scrapeOnce);
      }, 1000);
    }
    const load = await postLoad({ url: server.url, rooms: workload.rooms, connections: CONNECTIONS, seconds });
    if (timer) clearInterval(timer);
    // Scrapes answered after the load still happened during it: count them before stopping.
    await Promise.all([...inFlight]);
    return { load, scrapes };
  } finally {
    if (timer) clearInterval(timer);
    await server.stop();
    removeTempDir(dataDir);
  }
}

export async function runMetrics(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  const without = await measure(seconds, false);
  say(NAME, `not scraped: ${describeLoad(without.load)}`);
  const scraped = await measure(seconds, true);
  say(NAME, `scraped every second (${scraped.scrapes} scrapes): ${describeLoad(scraped.load)}`);
  const ratio = scraped.load.rps / without.load.rps;
  // A loaded machine can starve the scraper: then the run says nothing about the cost of scraping.
  const starved = scraped.scrapes < seconds / 2;
  if (starved) say(NAME, `only ${scraped.scrapes} scrapes were answered in ${seconds} s: the machine is too loaded for this figure`);
  return {
    name: NAME,
    rows: [
      {
        bench: NAME,
        metric: 'send throughput scraped every second ÷ not scraped',
        figure: `${fmt(scraped.load.rps)} req/s`,
        baseline: `${fmt(without.load.rps)} req/s`,
        ratio: ratio.toFixed(2),
        goal: goalText(SCRAPE_COST_GOAL),
        verdict: starved ? 'INFO' : verdict(ratio, SCRAPE_COST_GOAL),
      },
    ],
    data: { without: without.load, scraped: scraped.load, scrapes: scraped.scrapes },
  };
}

if (require.main === module) runStandalone(runMetrics);

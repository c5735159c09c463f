/**
 * Tokens: how fast Parley issues and checks them.
 *
 * Issuance: the refresh_token grant over HTTP at 20 connections (each request
 * uses up one refresh token and appends one RefreshTokenRotated; the new
 * token goes back to a shared pool), against the raw baseline: the no-op
 * Nest-on-Fastify POST with validation (bench/baseline-server.ts), same load.
 *
 * Verification: GET /v1/oauth/session with a Bearer access token (guard:
 * JWT verify, account and token-family state from their caches; the handler
 * only echoes) against GET /.well-known/jwks.json on the same server (public,
 * an equally trivial handler): the ratio is what checking a token costs.
 *
 * Both for each algorithm in BENCH_JWT (default HS256,RS256), each on its own
 * Parley process with embedded stores in a temp dir. Load generator and server
 * share this machine's cores; everything stays on 127.0.0.1.
 */
import autocannon from 'autocannon';
import {
  BASELINE_MAIN,
  benchSeconds,
  envWithoutStores,
  fmt,
  makeTempDir,
  removeTempDir,
  runStandalone,
  say,
  skipRow,
  type BenchOutcome,
  type SummaryRow,
} from './lib/common';
import { HttpClient } from './lib/http';
import { describeLoad, finishLoad, type LoadSummary } from './lib/load';
import { commentBody, startParley } from './lib/parley';
import { startServer } from './lib/server';

const NAME = 'tokens';
const CONNECTIONS = 20;
const WARMUP_SECONDS = 2;
const USERS = 10;
/** Refresh-token families in the pool: more than connections, so a request never waits for a token. */
const FAMILIES = CONNECTIONS * 3;
const SIGN_IN_CONCURRENCY = 4;
const PASSWORD = 'bench password 1234';

type Algorithm = 'HS256' | 'RS256';

function algorithms(): Algorithm[] {
  const raw = (process.env['BENCH_JWT'] ?? 'HS256,RS256').split(',').map((s) => s.trim().toUpperCase());
  const chosen = raw.filter((s): s is Algorithm => s === 'HS256' || s === 'RS256');
  if (chosen.length === 0) throw new Error(`BENCH_JWT must list HS256 and/or RS256, got "${process.env['BENCH_JWT']}"`);
  return [...new Set(chosen)];
}

interface LoadSpec {
  readonly url: string;
  readonly seconds: number;
  readonly method: 'GET' | 'POST';
  /** Path, headers and body of the next request; null when there is nothing to send (counted, then retried). */
  readonly next: () => { path: string; headers: Record<string, string>; body?: string };
  readonly onResponse?: (status: number, body: string) => void;
}

/** `CONNECTIONS` keep-alive connections for `seconds`, one request in flight on each. */
async function load(spec: LoadSpec): Promise<LoadSummary> {
  const instance = autocannon({
    url: spec.url,
    connections: CONNECTIONS,
    duration: spec.seconds,
    timeout: 10,
    requests: [
      {
        method: spec.method,
        setupRequest: (request) => {
          const { path, headers, body } = spec.next();
          return { ...request, method: spec.method, path, headers, ...(body === undefined ? {} : { body }) };
        },
        ...(spec.onResponse ? { onResponse: (status: number, body: string) => spec.onResponse!(status, body) } : {}),
      },
    ],
  });
  return finishLoad(instance, spec.seconds);
}

/** The raw baseline: the no-op POST of bench/baseline-server.ts at the same connections. */
async function measureBaseline(seconds: number): Promise<LoadSummary> {
  const server = await startServer({ label: 'baseline', script: BASELINE_MAIN, env: envWithoutStores() });
  try {
    let k = 0;
    const spec: LoadSpec = {
      url: server.url,
      seconds,
      method: 'POST',
      next: () => ({
        path: `/v1/rooms/00000000-0000-4000-8000-${(k % 100).toString(16).padStart(12, '0')}/comments`,
        headers: { 'content-type': 'application/json' },
        body: commentBody(k++),
      }),
    };
    await load({ ...spec, seconds: WARMUP_SECONDS });
    return await load(spec);
  } finally {
    await server.stop();
  }
}

interface TokenAnswer {
  readonly access_token: string;
  readonly refresh_token: string;
}

async function inBatches<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i += concurrency) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, (_, k) => task(i + k)))));
  }
  return results;
}

interface AlgorithmRun {
  readonly algorithm: Algorithm;
  readonly issuance: LoadSummary;
  readonly verified: LoadSummary;
  readonly open: LoadSummary;
  readonly familiesLeft: number;
  readonly head: string | null;
}

async function measureParley(algorithm: Algorithm, seconds: number): Promise<AlgorithmRun> {
  const dataDir = makeTempDir(`tokens-${algorithm.toLowerCase()}`);
  const server = await startParley({ dataDir, env: { ...envWithoutStores(), JWT_ALGORITHM: algorithm }, label: `parley (${algorithm})` });
  const client = new HttpClient(server.url, SIGN_IN_CONCURRENCY);
  try {
    const stamp = Date.now().toString(36);
    const usernames = await inBatches(USERS, SIGN_IN_CONCURRENCY, async (i) => {
      const username = `tok${i}x${stamp}`;
      await client.json('POST', '/v1/users', 201, { body: { username, password: PASSWORD } });
      return username;
    });
    const signIn = (i: number) =>
      client.json<TokenAnswer>('POST', '/v1/oauth/token', 200, {
        body: { grant_type: 'password', username: usernames[i % USERS], password: PASSWORD },
      });
    // Refresh tokens in a pool: a request takes one, its answer puts the successor back.
    const pool = (await inBatches(FAMILIES, SIGN_IN_CONCURRENCY, signIn)).map((t) => t.refresh_token);
    // Access tokens of sign-ins of their own, which no refresh touches.
    const accessTokens = (await inBatches(USERS, SIGN_IN_CONCURRENCY, signIn)).map((t) => t.access_token);
    let starved = 0;
    const issuance: LoadSpec = {
      url: server.url,
      seconds,
      method: 'POST',
      next: () => {
        const token = pool.shift();
        if (token === undefined) starved++;
        return {
          path: '/v1/oauth/token',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: token ?? 'starved' }),
        };
      },
      onResponse: (status, body) => {
        if (status === 200) pool.push((JSON.parse(body) as TokenAnswer).refresh_token);
      },
    };
    await load({ ...issuance, seconds: WARMUP_SECONDS });
    const issued = await load(issuance);
    if (starved > 0) say(NAME, `WARNING: ${starved} refresh requests found the pool empty`);

    let k = 0;
    const verified: LoadSpec = {
      url: server.url,
      seconds,
      method: 'GET',
      next: () => ({ path: '/v1/oauth/session', headers: { authorization: `Bearer ${accessTokens[k++ % accessTokens.length]}` } }),
    };
    const open: LoadSpec = { url: server.url, seconds, method: 'GET', next: () => ({ path: '/.well-known/jwks.json', headers: {} }) };
    await load({ ...verified, seconds: WARMUP_SECONDS });
    const verifiedLoad = await load(verified);
    await load({ ...open, seconds: WARMUP_SECONDS });
    const openLoad = await load(open);
    const health = await client.json<{ eventStore: { head: string | null } }>('GET', '/health', 200);
    return { algorithm, issuance: issued, verified: verifiedLoad, open: openLoad, familiesLeft: pool.length, head: health.eventStore.head };
  } finally {
    client.close();
    await server.stop();
    removeTempDir(dataDir);
  }
}

const info = (metric: string, figure: string, baseline: string, ratio: number): SummaryRow => ({
  bench: NAME,
  metric,
  figure,
  baseline,
  ratio: Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a',
  goal: '-',
  verdict: 'INFO',
});

export async function runTokens(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  say(
    NAME,
    `${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${seconds} s measured per phase; ` +
      `${FAMILIES} refresh-token families in the pool, ${USERS} users; embedded SQLite stores in temp dirs`,
  );
  const rows: SummaryRow[] = [];
  const baseline = await measureBaseline(seconds);
  say(NAME, `baseline (no-op POST, same ValidationPipe + PostCommentDto): ${describeLoad(baseline)}`);
  const runs: AlgorithmRun[] = [];
  for (const algorithm of algorithms()) {
    let run: AlgorithmRun;
    try {
      run = await measureParley(algorithm, seconds);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      say(NAME, `parley (${algorithm}) could not run: ${message}`);
      rows.push(skipRow(NAME, `issuance (${algorithm})`, message.split('\n')[0]!.slice(0, 90)));
      continue;
    }
    runs.push(run);
    const { issuance, verified, open } = run;
    say(NAME, `${algorithm} refresh grant: ${describeLoad(issuance)}`);
    say(NAME, `${algorithm} GET /v1/oauth/session (Bearer): ${describeLoad(verified)}`);
    say(NAME, `${algorithm} GET /.well-known/jwks.json (public): ${describeLoad(open)}`);
    say(NAME, `${algorithm} log head after the run: ${run.head ?? 'empty'}; ${run.familiesLeft} refresh tokens left in the pool`);
    for (const [label, summary] of [['refresh', issuance], ['session', verified], ['jwks', open]] as const) {
      if (summary.non2xx > 0 || summary.errors > 0) say(NAME, `WARNING: ${algorithm} ${label} answered errors; figures count only 2xx`);
    }
    rows.push(
      info(
        `issuance, refresh grant (${algorithm})`,
        `${fmt(issuance.rps)} tokens/s (p99 ${issuance.p99} ms)`,
        `${fmt(baseline.rps)} req/s no-op POST`,
        issuance.rps / baseline.rps,
      ),
    );
    rows.push(
      info(
        `verification, Bearer GET (${algorithm})`,
        `${fmt(verified.rps)} req/s (p99 ${verified.p99} ms)`,
        `${fmt(open.rps)} req/s public GET`,
        verified.rps / open.rps,
      ),
    );
    const perRequestMs = 1000 / verified.rps - 1000 / open.rps;
    say(
      NAME,
      `  ${algorithm}: issuance ${(issuance.rps / baseline.rps).toFixed(2)} × the no-op POST; ` +
        `a Bearer check costs ${(verified.rps / open.rps).toFixed(2)} × the public GET's rate ` +
        `(≈ ${perRequestMs.toFixed(3)} ms more per request at ${CONNECTIONS} connections)`,
    );
  }
  return {
    name: NAME,
    rows,
    data: { baseline, runs: runs.map((r) => ({ algorithm: r.algorithm, issuance: r.issuance, verified: r.verified, open: r.open })) },
  };
}

if (require.main === module) runStandalone(runTokens);

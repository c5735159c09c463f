/**
 * Bench 7, contacts import (issue 5): PUT /v1/contacts with 10,000 entries
 * in one request (BENCH_CONTACTS), time and memory. Against a raw baseline in
 * the same run: a no-op Nest-on-Fastify PUT at the same path with the same
 * ValidationPipe and DTO, sent the same bytes. Each side runs in its own
 * child process (with --expose-gc), server and client in that process, so
 * heap and RSS belong to that side alone.
 *
 * Rounds: the first import fills an empty book; the next ones replace it with
 * a list that shares half its entries with the one before (5,000 dropped,
 * 5,000 added, names of the rest unchanged), like a phone re-syncing; the
 * last sends the same list again (nothing to write). For Parley the time
 * until the read model holds the new list (X-Min-Position) is shown too.
 */
import 'reflect-metadata';
import { Body, Controller, Module, Put } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createParleyApp } from '../apps/api/app';
import { createValidationPipe } from '../apps/api/common/validation';
import { ImportContactsDto } from '../apps/api/contacts/contacts.dto';
import { loadConfig } from '../libs/config/config';
import {
  envInt,
  fmt,
  goalText,
  makeTempDir,
  mb,
  removeTempDir,
  runStandalone,
  say,
  sortedCopy,
  verdict,
  type BenchOutcome,
  type Goal,
  type SummaryRow,
} from './lib/common';
import { reportPhase, runPhase } from './lib/phase';

const NAME = 'contacts';
const PHASE_TIMEOUT_MS = 600_000;
/** The goal: one import of 10,000 contacts answered in under a second. */
export const IMPORT_GOAL: Goal = { op: '<=', target: 1000 };

const entries = () => envInt('BENCH_CONTACTS', 10_000, 100, 10_000);
const rounds = () => envInt('BENCH_CONTACTS_ROUNDS', 5, 2, 50);

/** Round r's list: phones from r * n/2, so two rounds in a row share half their entries. */
function listBody(round: number, n: number): Buffer {
  const half = Math.floor(n / 2);
  const contacts = Array.from({ length: n }, (_, i) => {
    const k = round * half + i;
    return { contactId: `+1557${String(k).padStart(7, '0')}`, firstName: `First${k % 997}`, lastName: `Lastname ${k}` };
  });
  return Buffer.from(JSON.stringify({ contacts }));
}

// ------------------------------------------------------------------ one side (child process)

interface SideResult {
  readonly bytes: number;
  /** Milliseconds per request, in round order; the last one repeats the list before it. */
  readonly ms: readonly number[];
  /** Parley only: milliseconds from sending until the read model held the list. */
  readonly projectedMs: readonly number[];
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly heapPeak: number;
  /** Sampled peak above the starting heap while requests were in flight (Parley: before the read model caught up). */
  readonly requestHeapGrowth: number;
  readonly rssBefore: number;
  readonly rssPeak: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function put(agent: Agent, port: number, path: string, body: Buffer, headers: Record<string, string>) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path,
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`PUT ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function call(port: number, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function drive(port: number, headers: Record<string, string>, settle: ((position: string) => Promise<void>) | null): Promise<SideResult> {
  const n = entries();
  const bodies = Array.from({ length: rounds() }, (_, r) => listBody(r, n));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  // Warm-up (JIT, caches, first SQLite pages): a small list twice, untimed.
  for (const warm of [listBody(1000, 200), listBody(1001, 200)]) {
    const res = await put(agent, port, '/v1/contacts', warm, headers);
    if (res.status !== 200) throw new Error(`warm-up: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    if (settle) await settle(JSON.parse(res.text).position as string);
  }
  gc?.();
  const before = process.memoryUsage();
  let heapPeak = before.heapUsed;
  let requestPeak = 0;
  let inRequest = false;
  let roundStart = before.heapUsed;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    heapPeak = Math.max(heapPeak, used);
    if (inRequest) requestPeak = Math.max(requestPeak, used - roundStart);
  };
  const sampler = setInterval(sample, 5);
  const ms: number[] = [];
  const projectedMs: number[] = [];
  for (const body of [...bodies, bodies[bodies.length - 1]!]) {
    gc?.();
    roundStart = process.memoryUsage().heapUsed;
    inRequest = true;
    const started = performance.now();
    const res = await put(agent, port, '/v1/contacts', body, headers);
    ms.push(performance.now() - started);
    sample();
    inRequest = false;
    if (res.status !== 200) throw new Error(`import: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    const position = (JSON.parse(res.text) as { position?: string | null }).position;
    if (settle && position) {
      await settle(position);
      projectedMs.push(performance.now() - started);
    }
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  clearInterval(sampler);
  gc?.();
  const after = process.memoryUsage();
  agent.destroy();
  return {
    bytes: bodies[0]!.length,
    ms,
    projectedMs,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    heapPeak,
    requestHeapGrowth: requestPeak,
    rssBefore: before.rss,
    rssPeak: process.resourceUsage().maxRSS * 1024,
  };
}

@Controller('contacts')
class NoopContactsController {
  @Put()
  import(@Body() body: ImportContactsDto): { count: number; written: number; position: null } {
    return { count: body.contacts.length, written: 0, position: null };
  }
}

@Module({ controllers: [NoopContactsController] })
class BaselineModule {}

async function baselinePhase(): Promise<SideResult> {
  const app = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter({ bodyLimit: 1024 * 1024 }), {
    logger: ['error', 'warn'],
  });
  app.setGlobalPrefix('v1');
  app.useGlobalPipes(createValidationPipe());
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  try {
    return await drive(port, {}, null);
  } finally {
    await app.close();
  }
}

async function parleyPhase(dir: string): Promise<SideResult> {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', MIN_POSITION_WAIT_MS: '60000' });
  const app = await createParleyApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  try {
    const username = `contacts${Date.now().toString(36)}`;
    const password = 'bench password 1234';
    await call(port, 'POST', '/v1/users', { username, password });
    const token = (await call(port, 'POST', '/v1/oauth/token', { grant_type: 'password', username, password }))['access_token'] as string;
    const auth = { authorization: `Bearer ${token}` };
    const settle = async (position: string) => {
      await call(port, 'GET', '/v1/contacts?limit=1', undefined, { ...auth, 'x-min-position': position });
    };
    return await drive(port, auth, settle);
  } finally {
    await app.close();
  }
}

// ------------------------------------------------------------------ parent

const median = (values: readonly number[]) => {
  const sorted = sortedCopy(values);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

export async function runContacts(): Promise<BenchOutcome> {
  const n = entries();
  const dir = makeTempDir('contacts');
  try {
    const baseline = await runPhase<SideResult>(__filename, 'baseline', [], PHASE_TIMEOUT_MS);
    const parley = await runPhase<SideResult>(__filename, 'parley', [dir], PHASE_TIMEOUT_MS);
    const k = rounds();
    const fresh = parley.ms[0]!;
    const replace = median(parley.ms.slice(1, k));
    const same = parley.ms[k]!;
    const baseFresh = baseline.ms[0]!;
    const baseReplace = median(baseline.ms.slice(1, k));
    const projectedFresh = parley.projectedMs[0]!;
    const projectedReplace = median(parley.projectedMs.slice(1, k));
    const line = (side: SideResult) =>
      `heap ${mb(side.heapBefore)} -> ${mb(side.heapAfter)} after gc (retained ${mb(side.heapAfter - side.heapBefore)}), ` +
      `sampled peak ${mb(side.heapPeak)} (+${mb(side.heapPeak - side.heapBefore)}; +${mb(side.requestHeapGrowth)} while a request was in flight); rss ${mb(side.rssBefore)}, peak ${mb(side.rssPeak)} (+${mb(side.rssPeak - side.rssBefore)})`;
    say(NAME, `body: ${fmt(n)} contacts, ${mb(parley.bytes)}; ${k} imports then the last list again`);
    say(NAME, `parley   per request (ms): ${parley.ms.map((t) => fmt(t, 0)).join(', ')}`);
    say(NAME, `baseline per request (ms): ${baseline.ms.map((t) => fmt(t, 0)).join(', ')} (no-op PUT, same DTO and ValidationPipe)`);
    say(NAME, `parley until the read model holds the list (ms): ${parley.projectedMs.map((t) => fmt(t, 0)).join(', ')}`);
    say(NAME, `parley memory:   ${line(parley)}`);
    say(NAME, `baseline memory: ${line(baseline)}`);
    const row = (metric: string, figure: number, base: number, goal: Goal | null): SummaryRow => ({
      bench: NAME,
      metric,
      figure: `${fmt(figure, 0)} ms`,
      baseline: Number.isFinite(base) ? `${fmt(base, 0)} ms (no-op)` : '-',
      ratio: Number.isFinite(base) ? `${(figure / base).toFixed(1)}x` : '-',
      goal: goal ? goalText(goal, ' ms') : '-',
      verdict: goal ? verdict(figure, goal) : 'INFO',
    });
    const rows: SummaryRow[] = [
      row(`import ${fmt(n)} contacts into an empty book`, fresh, baseFresh, IMPORT_GOAL),
      row(`import ${fmt(n)} replacing half (median of ${k - 1})`, replace, baseReplace, IMPORT_GOAL),
      row(`the same ${fmt(n)} again (nothing written)`, same, baseline.ms[k]!, null),
      row(`read model holds the list (fresh / replace)`, projectedFresh, Number.NaN, null),
      {
        bench: NAME,
        metric: 'memory: heap retained / peak rss growth',
        figure: `${mb(parley.heapAfter - parley.heapBefore)} / ${mb(parley.rssPeak - parley.rssBefore)}`,
        baseline: `${mb(baseline.heapAfter - baseline.heapBefore)} / ${mb(baseline.rssPeak - baseline.rssBefore)} (no-op)`,
        ratio: '-',
        goal: '-',
        verdict: 'INFO',
      },
    ];
    rows[3] = { ...rows[3]!, figure: `${fmt(projectedFresh, 0)} / ${fmt(projectedReplace, 0)} ms` };
    return { name: NAME, rows, data: { entries: n, rounds: k, parley, baseline } };
  } finally {
    removeTempDir(dir);
  }
}

if (require.main === module) {
  const at = process.argv.indexOf('--phase');
  if (at >= 0) {
    const [phase, ...args] = process.argv.slice(at + 1);
    void reportPhase(() => (phase === 'baseline' ? baselinePhase() : parleyPhase(args[0]!)));
  } else {
    runStandalone(() => runContacts());
  }
}

/**
 * Trillian's peered contact list (issue #16): a user in a group peered with
 * 5 groups of 1,000 users each (BENCH_DIRECTORY_GROUPS × BENCH_DIRECTORY_USERS);
 * GET /v1/me/directory p50/p99 over BENCH_DIRECTORY_GETS requests of its
 * largest page (500 entries; the directory pages by user id), and the
 * time from assigning one more user to a peered group until the directory
 * shows them (X-Min-Position: the projection lag as a client sees it).
 * Baseline in the same run and process: a no-op Nest-on-Fastify GET
 * answering the same page.
 *
 * The 5,000 users are seeded as events (UserRegistered, OrgMemberAssigned)
 * straight into the event store: registering them over HTTP would measure
 * password hashing, not the directory.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { performance } from 'node:perf_hooks';
import { createParleyApp } from '../apps/api/app';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { loadConfig } from '../libs/config/config';
import { EVENT_VERSIONS, type ParleyEvent } from '../libs/domain/events';
import { newId } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import type { EventStore } from '../libs/event-store/event-store.port';
import { envInt, fmt, goalText, makeTempDir, percentile, removeTempDir, runStandalone, say, sortedCopy, verdict, type BenchOutcome, type Goal } from './lib/common';

const NAME = 'directory';
const ADMIN_KEY = 'bench-directory-admin-key-0123456789abcdef';
export const GET_P99_GOAL: Goal = { op: '<=', target: 50 };
export const LAG_GOAL: Goal = { op: '<=', target: 1000 };

async function call(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The most entries one page of the directory holds (DIRECTORY_PAGE_MAX). */
const PAGE = '/v1/me/directory?limit=500';

/** Every entry, page after page. */
async function wholeDirectory(base: string, headers: Record<string, string>): Promise<{ userId: string }[]> {
  const entries: { userId: string }[] = [];
  let cursor: string | null = null;
  do {
    const page = await call(base, 'GET', `${PAGE}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    entries.push(...(page['items'] as { userId: string }[]));
    cursor = page['nextCursor'] as string | null;
  } while (cursor !== null);
  return entries;
}

async function timedGets(base: string, path: string, headers: Record<string, string>, count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count + 5; i++) {
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { headers });
    await res.arrayBuffer();
    if (i >= 5) ms.push(performance.now() - started);
  }
  return sortedCopy(ms);
}

@Controller('directory')
class NoopDirectoryController {
  static items: unknown[] = [];
  @Get()
  list(): { items: unknown[] } {
    return { items: NoopDirectoryController.items };
  }
}
@Module({ controllers: [NoopDirectoryController] })
class BaselineModule {}

export async function runDirectory(): Promise<BenchOutcome> {
  const groups = envInt('BENCH_DIRECTORY_GROUPS', 5, 1, 50);
  const perGroup = envInt('BENCH_DIRECTORY_USERS', 1000, 10, 10_000);
  const gets = envInt('BENCH_DIRECTORY_GETS', 50, 10, 10_000);
  const dir = makeTempDir(NAME);
  const app = await createParleyApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', ADMIN_API_KEY: ADMIN_KEY, MIN_POSITION_WAIT_MS: '60000' }));
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const admin = { 'X-Api-Key': ADMIN_KEY };
    const store = app.get<EventStore>(EVENT_STORE);
    const group = async (name: string) => ((await call(base, 'POST', '/v1/admin/groups', admin, { displayName: name })).group as { id: number }).id;
    const mine = await group('Viewer');
    const peers: number[] = [];
    for (let g = 0; g < groups; g++) peers.push(await group(`Peer ${g}`));
    for (const peer of peers) await call(base, 'PUT', `/v1/admin/groups/${mine}/peers/${peer}`, admin);
    say(NAME, `seeding ${groups} × ${perGroup} users as events`);
    const now = new Date().toISOString();
    const assignments: ParleyEvent[] = [];
    for (let g = 0; g < groups; g++) {
      for (let u = 0; u < perGroup; u++) {
        const userId = newId();
        const username = `peer${g}x${u}`;
        const registered: ParleyEvent = { type: 'UserRegistered', data: { userId, username, displayName: `Peer ${g}/${u}`, passwordHash: null, registeredAt: now } };
        await store.append(streams.user(userId), [{ id: newId(), type: registered.type, version: EVENT_VERSIONS[registered.type], data: registered.data, metadata: {} }], 'no_stream');
        assignments.push({ type: 'OrgMemberAssigned', data: { groupId: peers[g]!, userId, assignedBy: 'bench', assignedAt: now } });
      }
    }
    for (let i = 0; i < assignments.length; i += 1000) {
      const batch = assignments.slice(i, i + 1000);
      await store.append(streams.org(), batch.map((e) => ({ id: newId(), type: e.type, version: EVENT_VERSIONS[e.type], data: e.data, metadata: {} })), 'any');
    }
    const viewer = await call(base, 'POST', '/v1/users', {}, { username: 'viewer', password: 'correct horse battery' });
    const token = await call(base, 'POST', '/v1/oauth/token', {}, { grant_type: 'password', username: 'viewer', password: 'correct horse battery' });
    const assigned = await call(base, 'PUT', `/v1/admin/groups/${mine}/members/${viewer['id'] as string}`, admin);
    const auth = { Authorization: `Bearer ${token['access_token'] as string}` };
    const everyone = await wholeDirectory(base, { ...auth, 'X-Min-Position': assigned['position'] as string });
    const size = everyone.length;
    if (size !== groups * perGroup) throw new Error(`directory holds ${size}, expected ${groups * perGroup}`);
    // A page of the most entries a page holds: what a client fetching the contact list asks first.
    const first = await call(base, 'GET', PAGE, auth);
    const pageSize = (first['items'] as unknown[]).length;
    const parley = await timedGets(base, PAGE, auth, gets);

    // One more user in a peered group: from the write until the directory shows them.
    const late = await call(base, 'POST', '/v1/users', {}, { username: 'latecomer', password: 'correct horse battery' });
    const lateUser = late['id'] as string;
    const started = performance.now();
    const added = await call(base, 'PUT', `/v1/admin/groups/${peers[0]!}/members/${lateUser}`, admin);
    // The page that starts at the latecomer (entries by user id; a cursor is the id an entry follows).
    const justBefore = Buffer.from(lateUser.slice(0, -1), 'utf8').toString('base64url');
    const after = await call(base, 'GET', `/v1/me/directory?limit=1&cursor=${justBefore}`, { ...auth, 'X-Min-Position': added['position'] as string });
    const lagMs = performance.now() - started;
    if (!(after['items'] as { userId: string }[]).some((e) => e.userId === lateUser)) throw new Error('the latecomer is missing from the directory');
    if ((await wholeDirectory(base, auth)).length !== size + 1) throw new Error('the directory does not hold the latecomer once');

    NoopDirectoryController.items = first['items'] as unknown[];
    const baseline = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter(), { logger: ['error'] });
    await baseline.listen(0, '127.0.0.1');
    const raw = await timedGets(`http://127.0.0.1:${(baseline.getHttpServer().address() as { port: number }).port}`, '/directory', {}, gets);
    await baseline.close();

    const p99 = percentile(parley, 99);
    const rawP99 = percentile(raw, 99);
    say(NAME, `GET ${PAGE} (${pageSize} of ${size} entries): p50 ${fmt(percentile(parley, 50), 1)} ms, p99 ${fmt(p99, 1)} ms; raw p99 ${fmt(rawP99, 1)} ms`);
    say(NAME, `assign one user to a peered group → shown in the directory: ${fmt(lagMs, 0)} ms`);
    return {
      name: NAME,
      rows: [
        { bench: NAME, metric: `GET directory page p99 (${pageSize} of ${size} entries)`, figure: `${fmt(p99, 1)} ms`, baseline: `${fmt(rawP99, 1)} ms`, ratio: `${fmt(p99 / rawP99, 1)}×`, goal: goalText(GET_P99_GOAL, ' ms'), verdict: verdict(p99, GET_P99_GOAL) },
        { bench: NAME, metric: 'assignment → directory', figure: `${fmt(lagMs, 0)} ms`, baseline: '-', ratio: '-', goal: goalText(LAG_GOAL, ' ms'), verdict: verdict(lagMs, LAG_GOAL) },
      ],
      data: { size, pageSize, p50: percentile(parley, 50), p99, rawP99, lagMs },
    };
  } finally {
    await app.close();
    removeTempDir(dir);
  }
}

if (require.main === module) runStandalone(runDirectory);

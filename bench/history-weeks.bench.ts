/**
 * History by week (issue #16): GET /v1/rooms/:roomId/history/weeks of a room
 * with 100,000 comments over two years (BENCH_HISTORY_WEEKS_COMMENTS), p50 and
 * p99 over BENCH_HISTORY_WEEKS_GETS requests by a member. Baseline in the
 * same run and process: the raw read-store query the handler makes for the
 * weeks (history_weeks by room, in key order), without HTTP, auth or the
 * membership check.
 *
 * The comments are written as CommentPosted events straight into the event
 * store, spread evenly over two years: posting them over HTTP would measure
 * sends, not the weeks.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { createParleyApp } from '../apps/api/app';
import { EVENT_STORE, READ_STORE } from '../apps/api/infrastructure/tokens';
import { loadConfig } from '../libs/config/config';
import { EVENT_VERSIONS, type CommentPosted } from '../libs/domain/events';
import { idFromKey } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import type { EventStore, ExpectedRevision, NewEvent } from '../libs/event-store/event-store.port';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { HISTORY_WEEKS } from '../projections/history-weeks.projection';
import { envInt, fmt, goalText, makeTempDir, percentile, removeTempDir, runStandalone, say, sortedCopy, verdict, type BenchOutcome, type Goal } from './lib/common';

const NAME = 'history-weeks';
const WRITE_BATCH = 2_000;
const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;
export const WEEKS_P99_GOAL: Goal = { op: '<=', target: 20 };

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

/** `count` comments by `senderId`, evenly from two years ago until now, in big appends; answers the last position. */
async function writeComments(store: EventStore, roomId: string, senderId: string, count: number): Promise<bigint> {
  const streamId = streams.comments(roomId);
  let expected: ExpectedRevision = 'no_stream';
  let previousId: string | null = null;
  let last = 0n;
  const start = Date.now() - TWO_YEARS_MS;
  for (let seq = 1; seq <= count; ) {
    const events: NewEvent[] = [];
    for (let i = 0; i < WRITE_BATCH && seq <= count; i++, seq++) {
      const commentId = idFromKey('bench-history-weeks', roomId, String(seq));
      const data: CommentPosted['data'] = {
        commentId,
        roomId,
        seq,
        previousId,
        senderId,
        text: `week comment ${seq}`,
        commentType: 'text',
        payload: null,
        replyTo: null,
        clientId: null,
        postedAt: new Date(start + Math.floor((seq / count) * (TWO_YEARS_MS - 60_000))).toISOString(),
      };
      events.push({ id: commentId, type: 'CommentPosted', version: EVENT_VERSIONS.CommentPosted, data, metadata: { actor: senderId, correlationId: NAME } });
      previousId = commentId;
    }
    const result = await store.append(streamId, events, expected);
    expected = result.nextRevision;
    last = result.position;
  }
  return last;
}

async function timed(count: number, work: () => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count + 10; i++) {
    const started = performance.now();
    await work();
    if (i >= 10) ms.push(performance.now() - started);
  }
  return sortedCopy(ms);
}

export async function runHistoryWeeks(): Promise<BenchOutcome> {
  const comments = envInt('BENCH_HISTORY_WEEKS_COMMENTS', 100_000, 100, 1_000_000);
  const gets = envInt('BENCH_HISTORY_WEEKS_GETS', 200, 10, 10_000);
  const dir = makeTempDir(NAME);
  const app = await createParleyApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', ADMIN_API_KEY: 'bench-history-weeks-admin-key-0123456789', MIN_POSITION_WAIT_MS: '60000' }));
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const store = app.get<EventStore>(EVENT_STORE);
    const readStore = app.get<ReadStore>(READ_STORE);
    const user = await call(base, 'POST', '/v1/users', {}, { username: 'weeks', password: 'correct horse battery' });
    const token = await call(base, 'POST', '/v1/oauth/token', {}, { grant_type: 'password', username: 'weeks', password: 'correct horse battery' });
    const auth = { Authorization: `Bearer ${token['access_token'] as string}` };
    const room = await call(base, 'POST', '/v1/rooms', auth, { name: 'Two years', participants: [] });
    const roomId = room['id'] as string;

    const writeStarted = performance.now();
    const position = await writeComments(store, roomId, user['id'] as string, comments);
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const projectStarted = performance.now();
    // The projector catches up with the whole history before anything is timed (each wait is bounded by MIN_POSITION_WAIT_MS).
    let first: Record<string, unknown> | null = null;
    while (first === null) {
      try {
        first = await call(base, 'GET', `/v1/rooms/${roomId}/history/weeks`, { ...auth, 'X-Min-Position': position.toString() });
      } catch (error) {
        if (performance.now() - projectStarted > 1_800_000) throw error;
      }
    }
    const projectSeconds = (performance.now() - projectStarted) / 1000;
    const weeks = first['weeks'] as { count: number }[];
    const counted = weeks.reduce((sum, w) => sum + w.count, 0);
    if (counted !== comments) throw new Error(`the weeks count ${counted} comments, expected ${comments}`);
    say(NAME, `${fmt(comments)} comments over ${weeks.length} weeks written in ${writeSeconds.toFixed(1)} s, projected in ${projectSeconds.toFixed(1)} s`);

    const parley = await timed(gets, async () => {
      const res = await fetch(`${base}/v1/rooms/${roomId}/history/weeks`, { headers: auth });
      if (res.status !== 200) throw new Error(`GET weeks: HTTP ${res.status}`);
      await res.arrayBuffer();
    });
    // The floor of any signed-in GET: the same room's details (auth, membership, one document).
    const floor = await timed(gets, async () => {
      const res = await fetch(`${base}/v1/rooms/${roomId}`, { headers: auth });
      if (res.status !== 200) throw new Error(`GET room: HTTP ${res.status}`);
      await res.arrayBuffer();
    });
    const raw = await timed(gets, async () => {
      await readStore.find(HISTORY_WEEKS, { filter: { roomId }, sort: [{ field: 'key', direction: 'asc' }], fields: ['year', 'week', 'count', 'revision'] });
    });

    const p50 = percentile(parley, 50);
    const p99 = percentile(parley, 99);
    const rawP50 = percentile(raw, 50);
    const rawP99 = percentile(raw, 99);
    say(NAME, `GET /v1/rooms/:roomId (the same caller, for the floor of a signed-in GET): p50 ${fmt(percentile(floor, 50), 2)} ms, p99 ${fmt(percentile(floor, 99), 2)} ms`);
    say(NAME, `GET history weeks (${weeks.length} weeks): p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms; raw read-store query p50 ${fmt(rawP50, 2)} ms, p99 ${fmt(rawP99, 2)} ms`);
    return {
      name: NAME,
      rows: [
        {
          bench: NAME,
          metric: `GET weeks p99 (${fmt(comments)} comments, ${weeks.length} weeks)`,
          figure: `${fmt(p99, 2)} ms`,
          baseline: `${fmt(rawP99, 2)} ms`,
          ratio: `${fmt(p99 / rawP99, 1)}×`,
          goal: goalText(WEEKS_P99_GOAL, ' ms'),
          verdict: verdict(p99, WEEKS_P99_GOAL),
        },
      ],
      data: { comments, weeks: weeks.length, p50, p99, rawP50, rawP99, floorP50: percentile(floor, 50), floorP99: percentile(floor, 99), writeSeconds, projectSeconds },
    };
  } finally {
    await app.close();
    removeTempDir(dir);
  }
}

if (require.main === module) runStandalone(runHistoryWeeks);

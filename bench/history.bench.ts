/**
 * Bench 2, history: does a post cost more in a room with 100,000 earlier
 * comments than in a new room? The long history is written straight into the
 * event store while the server is down, then the server projects it and the
 * two rooms are posted to in turn over one connection.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CommentPosted } from '../libs/domain/events';
import { EVENT_VERSIONS } from '../libs/domain/events';
import { idFromKey } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import type { ExpectedRevision, NewEvent } from '../libs/event-store/event-store.port';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import {
  envInt,
  envWithoutStores,
  fmt,
  goalText,
  makeTempDir,
  percentile,
  productionStores,
  removeTempDir,
  runStandalone,
  say,
  sortedCopy,
  verdict,
  type BenchOutcome,
  type Goal,
} from './lib/common';
import { HttpClient } from './lib/http';
import { createRoom, registerUser, startParley, waitSettled, type BenchUser } from './lib/parley';
import type { ServerHandle } from './lib/server';

const NAME = 'history';
const WRITE_BATCH = 5_000;
const WARMUP_POSTS = 100;
const MEASURE_LIMIT_MS = 120_000;
export const HISTORY_GOAL: Goal = { op: '<=', target: 1.1 };

/** Appends `count` CommentPosted events to `comments-<roomId>` directly, in big appends. */
async function writeHistory(file: string, roomId: string, sender: BenchUser, count: number): Promise<number> {
  const store = new SqliteEventStore({ file, synchronous: 'normal' });
  const started = performance.now();
  try {
    const streamId = streams.comments(roomId);
    let expected: ExpectedRevision = (await store.streamRevision(streamId)) ?? 'no_stream';
    let seq = expected === 'no_stream' ? 0 : expected + 1;
    let previousId: string | null = null;
    const base = Date.now() - count * 1000;
    while (seq < count) {
      const events: NewEvent[] = [];
      for (let i = 0; i < WRITE_BATCH && seq < count; i++) {
        seq += 1;
        const commentId = idFromKey('bench-history', roomId, String(seq));
        const data: CommentPosted['data'] = {
          commentId,
          roomId,
          seq,
          previousId,
          senderId: sender.id,
          text: `history comment ${seq} ${'lorem ipsum '.repeat(4)}`.trim(),
          commentType: 'text',
          payload: null,
          replyTo: null,
          clientId: null,
          postedAt: new Date(base + seq * 1000).toISOString(),
        };
        events.push({
          id: commentId,
          type: 'CommentPosted',
          version: EVENT_VERSIONS.CommentPosted,
          data,
          metadata: { actor: sender.id, correlationId: 'bench-history' },
        });
        previousId = commentId;
      }
      const result = await store.append(streamId, events, expected);
      expected = result.nextRevision;
    }
  } finally {
    await store.close();
  }
  return (performance.now() - started) / 1000;
}

async function timedPost(client: HttpClient, roomId: string, token: string, n: number): Promise<number> {
  const started = performance.now();
  const res = await client.request('POST', `/v1/rooms/${roomId}/comments`, {
    headers: { authorization: `Bearer ${token}` },
    body: { text: `history bench ${n} ${'lorem ipsum '.repeat(4)}`.trim() },
  });
  const ms = performance.now() - started;
  if (res.status !== 201) throw new Error(`post to ${roomId}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  return ms;
}

export async function runHistory(): Promise<BenchOutcome> {
  const comments = envInt('BENCH_HISTORY_COMMENTS', 100_000);
  const posts = envInt('BENCH_HISTORY_POSTS', 1_000);
  if (productionStores()) say(NAME, 'EVENT_STORE_URL/READ_STORE_URL ignored: this bench writes history into a temp SQLite file');
  say(NAME, `stores: embedded SQLite in a temp dir (synchronous=full); ${fmt(comments)} earlier comments; ${fmt(posts)} timed posts per room`);
  const dataDir = makeTempDir('history');
  const env = envWithoutStores();
  let server: ServerHandle | null = null;
  try {
    // 1. A user and two rooms through the API.
    server = await startParley({ dataDir, env, label: 'parley (setup)' });
    let client = new HttpClient(server.url);
    const user = await registerUser(client, `hist${Date.now().toString(36)}`);
    const longRoom = await createRoom(client, user, 'long history', []);
    const newRoom = await createRoom(client, user, 'new room', []);
    await waitSettled(client, 30_000);
    client.close();
    await server.stop();
    server = null;

    // 2. The long history, straight into the log while the server is down.
    const writeSeconds = await writeHistory(join(dataDir, 'events.db'), longRoom, user, comments);
    say(NAME, `wrote ${fmt(comments)} CommentPosted events in ${writeSeconds.toFixed(1)} s (${fmt(comments / writeSeconds)} events/s)`);

    // 3. Restart; the in-process projector catches up before anything is timed.
    server = await startParley({ dataDir, env, label: 'parley' });
    client = new HttpClient(server.url);
    const settled = await waitSettled(client, 300_000);
    say(
      NAME,
      `server restarted; read models reached head ${String(settled.head)} in ${(settled.ms / 1000).toFixed(1)} s ` +
        `(≈ ${fmt(comments / Math.max(settled.ms / 1000, 1e-3))} events/s projected in the server)`,
    );

    // 4. Sequential posts, alternating rooms, one connection.
    for (let i = 0; i < WARMUP_POSTS; i++) {
      await timedPost(client, i % 2 === 0 ? longRoom : newRoom, user.token, -i);
    }
    const long: number[] = [];
    const fresh: number[] = [];
    const deadline = Date.now() + MEASURE_LIMIT_MS;
    for (let i = 0; i < posts * 2 && Date.now() < deadline; i++) {
      if (i % 2 === 0) long.push(await timedPost(client, longRoom, user.token, i));
      else fresh.push(await timedPost(client, newRoom, user.token, i));
    }
    client.close();
    if (long.length < posts) say(NAME, `time limit reached after ${long.length + fresh.length} posts`);

    const l = sortedCopy(long);
    const f = sortedCopy(fresh);
    const ratio = percentile(l, 50) / percentile(f, 50);
    const d = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(2)} ms, p90 ${percentile(xs, 90).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms`;
    say(NAME, `room with ${fmt(comments)} comments: ${d(l)} (${l.length} posts)`);
    say(NAME, `new room:                   ${d(f)} (${f.length} posts)`);
    say(NAME, `  p50 ratio ${ratio.toFixed(3)} (goal ${goalText(HISTORY_GOAL)}) ${verdict(ratio, HISTORY_GOAL)}`);
    return {
      name: NAME,
      rows: [
        {
          bench: NAME,
          metric: `post p50, ${comments >= 1000 ? `${comments / 1000}k` : comments}-comment room`,
          figure: `${percentile(l, 50).toFixed(2)} ms`,
          baseline: `${percentile(f, 50).toFixed(2)} ms (new room)`,
          ratio: ratio.toFixed(3),
          goal: goalText(HISTORY_GOAL),
          verdict: verdict(ratio, HISTORY_GOAL),
        },
      ],
      data: {
        comments,
        posts: l.length,
        longP50: percentile(l, 50),
        longP99: percentile(l, 99),
        newP50: percentile(f, 50),
        newP99: percentile(f, 99),
        ratio,
        catchUpMs: settled.ms,
      },
    };
  } finally {
    await server?.stop();
    removeTempDir(dataDir);
  }
}

if (require.main === module) runStandalone(runHistory);

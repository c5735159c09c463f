/**
 * Bench: Qiscus' server REST `post_comment` (`/api/v2/rest/post_comment`,
 * the server secret acting for a user by email, integer room ids) at 50
 * connections, against Parley's own POST /v1/rooms/:roomId/comments on the
 * same server, same users and rooms, in the same run (issue 19: ≥ 0.8).
 */
import autocannon from 'autocannon';
import {
  benchSeconds,
  envWithoutStores,
  fmt,
  goalText,
  makeTempDir,
  removeTempDir,
  runStandalone,
  say,
  verdict,
  type BenchOutcome,
  type Goal,
} from './lib/common';
import { HttpClient } from './lib/http';
import { commentBody, startParley, waitSettled } from './lib/parley';
import { describeLoad, finishLoad, postLoad, type LoadSummary } from './lib/load';

const NAME = 'qiscus';
const CONNECTIONS = 50;
const ROOMS = 100;
const USERS = 50;
const MEMBERS_PER_ROOM = 3;
const WARMUP_SECONDS = 2;
const APP_ID = 'parley-bench';
const SECRET = 'qiscus-bench-secret-0123456789';
export const QISCUS_POST_GOAL: Goal = { op: '>=', target: 0.8 };

interface QiscusRoom {
  /** Parley's room id and its members' access tokens (for Parley's own POST). */
  readonly id: string;
  readonly tokens: readonly string[];
  /** The room's integer id and its members' emails (for the Qiscus surface). */
  readonly alias: number;
  readonly emails: readonly string[];
}

async function setup(url: string): Promise<QiscusRoom[]> {
  const client = new HttpClient(url, 4);
  const secret = { QISCUS_SDK_SECRET: SECRET };
  try {
    const stamp = Date.now().toString(36);
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const email = `bench${i}.${stamp}@example.com`;
        const res = await client.json<{ results: { user: { token: string } } }>('POST', '/api/v2/rest/login_or_register', 200, {
          headers: secret,
          body: { email, username: `bench ${i}` },
        });
        return { email, token: res.results.user.token };
      }),
    );
    const rooms: QiscusRoom[] = [];
    for (let r = 0; r < ROOMS; r++) {
      const members = Array.from({ length: MEMBERS_PER_ROOM }, (_, m) => users[(r + m) % users.length]!);
      const created = await client.json<{ results: { room_id: number } }>('POST', '/api/v2/rest/create_room', 200, {
        headers: secret,
        body: { name: `bench room ${r}`, participants: members.map((u) => u.email), creator: members[0]!.email },
      });
      rooms.push({ id: '', alias: created.results.room_id, tokens: members.map((u) => u.token), emails: members.map((u) => u.email) });
    }
    await waitSettled(client, 60_000);
    // Parley's ids of the same rooms, as their owners list them.
    const byName = new Map<string, string>();
    for (const owner of new Set(rooms.map((room) => room.tokens[0]!))) {
      const mine = await client.json<{ items: { id: string; name: string }[] }>('GET', '/v1/rooms?limit=100', 200, { headers: { authorization: `Bearer ${owner}` } });
      for (const item of mine.items) byName.set(item.name, item.id);
    }
    return rooms.map((room, r) => ({ ...room, id: byName.get(`bench room ${r}`)! }));
  } finally {
    client.close();
  }
}

/** post_comment from `connections` keep-alive connections, spread over the rooms and their members as postLoad spreads Parley's. */
function qiscusLoad(url: string, rooms: readonly QiscusRoom[], seconds: number): Promise<LoadSummary> {
  let k = 0;
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const n = k++;
          const room = rooms[n % rooms.length]!;
          const email = room.emails[Math.floor(n / rooms.length) % room.emails.length]!;
          const text = (JSON.parse(commentBody(n)) as { text: string }).text;
          return {
            ...request,
            method: 'POST',
            path: '/api/v2/rest/post_comment',
            headers: { 'content-type': 'application/json', qiscus_sdk_secret: SECRET },
            body: JSON.stringify({ sender_email: email, room_id: room.alias, message: text }),
          };
        },
      },
    ],
  });
  return finishLoad(instance, seconds);
}

export async function runQiscus(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  const dataDir = makeTempDir(NAME);
  const server = await startParley({ dataDir, env: { ...envWithoutStores(), QISCUS_APP_ID: APP_ID, QISCUS_SDK_SECRET: SECRET }, label: 'parley (qiscus)' });
  try {
    say(NAME, `${CONNECTIONS} connections over ${ROOMS} rooms (${MEMBERS_PER_ROOM} members each, ${USERS} users), ${WARMUP_SECONDS} s warm-up + ${seconds} s measured per surface`);
    const rooms = await setup(server.url);
    await postLoad({ url: server.url, rooms, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    const parley = await postLoad({ url: server.url, rooms, connections: CONNECTIONS, seconds });
    say(NAME, `Parley POST /v1/rooms/:roomId/comments: ${describeLoad(parley)}`);
    await qiscusLoad(server.url, rooms, WARMUP_SECONDS);
    const qiscus = await qiscusLoad(server.url, rooms, seconds);
    say(NAME, `Qiscus POST /api/v2/rest/post_comment: ${describeLoad(qiscus)}`);
    if (qiscus.non2xx > 0 || parley.non2xx > 0) say(NAME, 'WARNING: answers other than 2xx; figures count only 2xx');
    const ratio = qiscus.rps / parley.rps;
    say(NAME, `ratio ${ratio.toFixed(2)} (goal ${goalText(QISCUS_POST_GOAL)}) ${verdict(ratio, QISCUS_POST_GOAL)}`);
    return {
      name: NAME,
      rows: [
        {
          bench: NAME,
          metric: 'post_comment throughput',
          figure: `${fmt(qiscus.rps)} req/s`,
          baseline: `${fmt(parley.rps)} req/s (Parley's POST)`,
          ratio: ratio.toFixed(2),
          goal: goalText(QISCUS_POST_GOAL),
          verdict: verdict(ratio, QISCUS_POST_GOAL),
        },
      ],
      data: { parley, qiscus },
    };
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

if (require.main === module) runStandalone(runQiscus);

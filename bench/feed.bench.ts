/**
 * Bench 5, live delivery.
 *
 * Feed: BENCH_FEED_CLIENTS (default 1,000) WebSocket feed clients, each a
 * distinct user and member of one of 100 rooms. Comments are posted at half
 * the maximum send rate (a 5 s probe without clients) for BENCH_SECONDS;
 * delivery latency = receipt at a client − POST response, both taken in this
 * process (a receipt may precede the POST's own response, so the latency
 * from the POST being sent is printed too). Then the maximum send rate is
 * probed again with the clients connected, and once more after they left:
 * that rate ÷ the mean of the two probes without clients.
 *
 * Webhooks: one CommentPosted subscription to a receiver in this process;
 * BENCH_WEBHOOK_COMMENTS (default 2,000) comments posted as fast as possible,
 * deliveries/s until the receiver has all of them; compared with the same
 * bodies POSTed straight to the receiver one at a time.
 *
 * Load generator, clients, receiver and server share this machine's cores.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import WebSocket, { type RawData } from 'ws';
import {
  benchSeconds,
  envInt,
  envWithoutStores,
  fmt,
  goalText,
  makeTempDir,
  percentile,
  processCpuMs,
  productionStores,
  removeTempDir,
  runStandalone,
  say,
  skipRow,
  sleep,
  sortedCopy,
  verdict,
  type BenchOutcome,
  type Goal,
  type SummaryRow,
} from './lib/common';
import { HttpClient } from './lib/http';
import { describeLoad, postLoad } from './lib/load';
import { commentBody, createRoom, registerUser, setupWorkload, startParley, waitSettled, type BenchRoom, type BenchUser } from './lib/parley';
import type { ServerHandle } from './lib/server';

const NAME = 'feed';
const ROOMS = 100;
const WARMUP_SECONDS = 2;
const PROBE_SECONDS = 5;
const PROBE_CONNECTIONS = 50;
const PACED_CONNECTIONS = 20;
/** Registration hashes with scrypt on the server (4 libuv threads): more in flight only queues. */
const REGISTER_CONCURRENCY = 6;
const ROOM_CONCURRENCY = 8;
const CONNECT_CONCURRENCY = 50;
const SETUP_LIMIT_MS = 240_000;
const CONNECT_LIMIT_MS = 60_000;
/** File descriptors kept free for everything but the feed sockets. */
const FD_MARGIN = 200;
const DRAIN_LIMIT_MS = 15_000;
const DRAIN_IDLE_MS = 3_000;
const WEBHOOK_CONCURRENCY = 20;
const WEBHOOK_POST_LIMIT_MS = 60_000;
const WEBHOOK_WAIT_LIMIT_MS = 120_000;
const WEBHOOK_IDLE_LIMIT_MS = 15_000;
const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';
export const DELIVERY_P99_GOAL: Goal = { op: '<=', target: 100 };
export const FEED_THROUGHPUT_GOAL: Goal = { op: '>=', target: 0.8 };

const load1 = () => loadavg()[0]!.toFixed(2);

// ---------------------------------------------------------------- small helpers

/** The soft RLIMIT_NOFILE of this process (children inherit it), or null where /proc does not say. */
function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === undefined || soft === 'unlimited') return null;
    const value = Number(soft);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** Server and bench-process CPU over a phase, as % of one core. */
function cpuMeter(serverPid: number): () => string {
  const wall0 = performance.now();
  const server0 = processCpuMs(serverPid);
  const self0 = process.cpuUsage();
  return () => {
    const wall = performance.now() - wall0;
    const server1 = processCpuMs(serverPid);
    const self = process.cpuUsage(self0);
    const selfPct = ((self.user + self.system) / 1000 / wall) * 100;
    const serverPct = server0 === null || server1 === null ? null : ((server1 - server0) / wall) * 100;
    return `CPU server ${serverPct === null ? 'n/a' : `${fmt(serverPct)}%`}, bench process ${fmt(selfPct)}% (of one core; ${cpus().length} cores)`;
  };
}

/**
 * Runs task(0..count-1) with at most `concurrency` in flight, issuing none
 * after `limitMs`; the first failure stops issuing and is thrown once the
 * tasks in flight have finished. Resolves with the number completed.
 */
async function pool(count: number, concurrency: number, limitMs: number, task: (i: number) => Promise<void>): Promise<number> {
  const deadline = performance.now() + limitMs;
  let next = 0;
  let completed = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < count && performance.now() < deadline) {
      const i = next++;
      try {
        await task(i);
        completed++;
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
  return completed;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

// ---------------------------------------------------------------- feed clients

interface Receipt {
  readonly at: number;
  readonly client: number;
  readonly data: RawData;
}

/**
 * WebSocket feed clients that do as little as possible per message: count it,
 * and while `recording`, keep its arrival time and raw bytes (parsed after
 * the run, so parsing does not sit between arrival and timestamp).
 */
class FeedClients {
  recording = false;
  readonly receipts: Receipt[] = [];
  messages = 0;
  unexpectedCloses = 0;
  readonly closeCodes = new Map<number, number>();
  private readonly sockets: { socket: WebSocket; room: number }[] = [];
  private closing = false;

  get count(): number {
    return this.sockets.length;
  }

  /** Open clients per room index. */
  openPerRoom(rooms: number): number[] {
    const counts = new Array<number>(rooms).fill(0);
    for (const { socket, room } of this.sockets) if (socket.readyState === WebSocket.OPEN) counts[room] = (counts[room] ?? 0) + 1;
    return counts;
  }

  connect(baseUrl: string, token: string, room: number): Promise<void> {
    const url = new URL('/v1/me/feed/ws', baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('access_token', token);
    const client = this.sockets.length;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
      socket.once('open', () => {
        this.sockets.push({ socket, room });
        socket.on('error', () => socket.terminate());
        socket.on('message', (data) => {
          this.messages++;
          if (this.recording) this.receipts.push({ at: performance.now(), client, data });
        });
        socket.once('close', (code) => {
          this.closeCodes.set(code, (this.closeCodes.get(code) ?? 0) + 1);
          if (!this.closing) this.unexpectedCloses++;
        });
        resolve();
      });
      socket.once('unexpected-response', (_request, response) => {
        response.resume();
        socket.terminate();
        reject(new Error(`feed upgrade answered HTTP ${response.statusCode ?? 0}`));
      });
      socket.once('error', (error) => {
        socket.terminate();
        reject(error);
      });
    });
  }

  /** Closes every client (1000), terminating those that have not closed within `graceMs`. */
  async closeAll(graceMs = 5_000): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.sockets.map(
        ({ socket }) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              socket.terminate();
              resolve();
            }, graceMs);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            if (socket.readyState === WebSocket.OPEN) socket.close(1000);
          }),
      ),
    );
  }
}

// ---------------------------------------------------------------- feed workload

interface FeedWorkload {
  readonly users: BenchUser[];
  /** Room r's members are users r, r + rooms, r + 2·rooms, ... */
  readonly rooms: BenchRoom[];
  readonly roomOf: (user: number) => number;
}

async function setupFeedWorkload(baseUrl: string, users: number, rooms: number): Promise<FeedWorkload> {
  const client = new HttpClient(baseUrl, Math.max(REGISTER_CONCURRENCY, ROOM_CONCURRENCY));
  try {
    const stamp = Date.now().toString(36);
    const created = new Array<BenchUser | undefined>(users);
    const started = performance.now();
    let done = 0;
    const registered = await pool(users, REGISTER_CONCURRENCY, SETUP_LIMIT_MS, async (i) => {
      created[i] = await registerUser(client, `feed${i}x${stamp}`);
      done++;
      if (done % 250 === 0) {
        say(NAME, `  ${fmt(done)} users registered after ${((performance.now() - started) / 1000).toFixed(1)} s (load average ${load1()})`);
      }
    });
    if (registered < users) throw new Error(`only ${registered} of ${users} users registered within ${SETUP_LIMIT_MS / 1000} s`);
    const all = created.map((u, i) => {
      if (!u) throw new Error(`user ${i} missing`);
      return u;
    });
    const roomOf = (user: number) => user % rooms;
    const members = Array.from({ length: rooms }, (_, r) => all.filter((_u, i) => roomOf(i) === r));
    const ids = new Array<string>(rooms).fill('');
    await pool(rooms, ROOM_CONCURRENCY, SETUP_LIMIT_MS, async (r) => {
      const [owner, ...others] = members[r]!;
      ids[r] = await createRoom(client, owner!, `feed room ${r}`, others.map((u) => u.id));
    });
    if (ids.some((id) => id === '')) throw new Error('not every room was created in time');
    await waitSettled(client, 60_000);
    return { users: all, rooms: ids.map((id, r) => ({ id, tokens: members[r]!.map((u) => u.token) })), roomOf };
  } finally {
    client.close();
  }
}

interface Posted {
  readonly room: number;
  /** performance.now() when the POST was sent. */
  readonly sentAt: number;
  /** performance.now() when the POST response arrived. */
  readonly at: number;
}

interface PacedResult {
  readonly posted: Map<string, Posted>;
  readonly failures: string[];
  readonly elapsed: number;
  readonly lateTicks: number;
}

/** POSTs at `rate`/s for `seconds` over PACED_CONNECTIONS connections, as bench/lag.bench.ts paces. */
async function pacedPosts(client: HttpClient, rooms: readonly BenchRoom[], rate: number, seconds: number): Promise<PacedResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const posted = new Map<string, Posted>();
  const failures: string[] = [];
  let inFlight = 0;
  let issued = 0;
  let lateTicks = 0;
  const one = async (n: number): Promise<void> => {
    const room = n % rooms.length;
    const { id, tokens } = rooms[room]!;
    const token = tokens[Math.floor(n / rooms.length) % tokens.length]!;
    const t0 = performance.now();
    const res = await client.request('POST', `/v1/rooms/${id}/comments`, {
      headers: { authorization: `Bearer ${token}` },
      body: JSON.parse(commentBody(n)) as unknown,
    });
    const at = performance.now();
    if (res.status !== 201) throw new Error(`POST HTTP ${res.status} ${res.text.slice(0, 120)}`);
    posted.set((JSON.parse(res.text) as { position: string }).position, { room, sentAt: t0, at });
  };
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed / 1000) * rate) + 1);
      while (issued < due && inFlight < PACED_CONNECTIONS) {
        const n = issued++;
        inFlight++;
        one(n)
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
  return { posted, failures, elapsed: (performance.now() - started) / 1000, lateTicks };
}

// ---------------------------------------------------------------- feed part

async function runFeedPart(seconds: number): Promise<{ rows: SummaryRow[]; data: Record<string, unknown> }> {
  const requested = envInt('BENCH_FEED_CLIENTS', 1000, 1, 20_000);
  const limit = openFileLimit();
  let clientsWanted = requested;
  if (limit !== null && requested + FD_MARGIN > limit) {
    clientsWanted = Math.max(1, limit - FD_MARGIN);
    say(NAME, `open-file limit ${fmt(limit)} (soft): lowering the feed clients from ${fmt(requested)} to ${fmt(clientsWanted)}`);
  } else {
    say(NAME, `open-file limit ${limit === null ? 'unknown' : fmt(limit)} (soft), ${fmt(requested)} feed clients wanted`);
  }
  const rooms = Math.min(ROOMS, clientsWanted);
  say(NAME, 'stores: embedded SQLite in a temp dir, default durability (synchronous=full)');

  const dataDir = makeTempDir('feed');
  const server = await startParley({ dataDir, env: envWithoutStores(), label: 'parley' });
  const clients = new FeedClients();
  const http = new HttpClient(server.url, PACED_CONNECTIONS);
  try {
    const setupStarted = performance.now();
    const workload = await setupFeedWorkload(server.url, clientsWanted, rooms);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    say(
      NAME,
      `setup: ${fmt(clientsWanted)} users (scrypt, ${REGISTER_CONCURRENCY} at a time) in ${rooms} rooms of ` +
        `${fmt(clientsWanted / rooms, 1)} in ${setupSeconds.toFixed(1)} s (load average ${load1()})`,
    );

    // 1. The maximum send rate without clients (after a short warm-up).
    await postLoad({ url: server.url, rooms: workload.rooms, connections: PROBE_CONNECTIONS, seconds: WARMUP_SECONDS });
    let cpu = cpuMeter(server.pid);
    const bare = await postLoad({ url: server.url, rooms: workload.rooms, connections: PROBE_CONNECTIONS, seconds: PROBE_SECONDS });
    say(NAME, `max-rate probe without clients (${PROBE_SECONDS} s, ${PROBE_CONNECTIONS} connections): ${describeLoad(bare)}`);
    say(NAME, `  ${cpu()}; load average ${load1()}`);

    // 2. Connect the clients.
    const connectStarted = performance.now();
    let connectError: string | null = null;
    let fdLimited = false;
    await pool(workload.users.length, CONNECT_CONCURRENCY, CONNECT_LIMIT_MS, async (i) => {
      if (fdLimited) return;
      try {
        await clients.connect(server.url, workload.users[i]!.token, workload.roomOf(i));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        connectError ??= `${typeof code === 'string' ? `${code} ` : ''}${error instanceof Error ? error.message : String(error)}`;
        if (code === 'EMFILE' || code === 'ENFILE') fdLimited = true;
      }
    });
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    if (connectError !== null) say(NAME, `  connecting: ${connectError}${fdLimited ? ' — out of file descriptors, going on with fewer clients' : ''}`);
    if (clients.count === 0) throw new Error(`no feed client could connect: ${connectError ?? 'unknown'}`);
    say(NAME, `${fmt(clients.count)} WebSocket feed clients connected in ${connectSeconds.toFixed(1)} s (load average ${load1()})`);

    // 3. Paced at half the maximum rate without clients; every receipt timed.
    const rate = Math.max(1, bare.rps / 2);
    const perRoom = clients.openPerRoom(rooms);
    say(NAME, `pacing ${fmt(rate, 1)} posts/s (half the maximum without clients) over ${PACED_CONNECTIONS} connections for ${seconds} s`);
    clients.recording = true;
    cpu = cpuMeter(server.pid);
    const paced = await pacedPosts(http, workload.rooms, rate, seconds);
    const pacedCpu = cpu();
    let expected = 0;
    for (const p of paced.posted.values()) expected += perRoom[p.room] ?? 0;
    const drainStarted = performance.now();
    let seen = clients.receipts.length;
    let lastProgress = performance.now();
    while (clients.receipts.length < expected && performance.now() - drainStarted < DRAIN_LIMIT_MS) {
      await sleep(10);
      if (clients.receipts.length !== seen) {
        seen = clients.receipts.length;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > DRAIN_IDLE_MS) break;
    }
    clients.recording = false;
    const dropped = clients.unexpectedCloses;

    const latencies: number[] = [];
    const fromSent: number[] = [];
    const postMs: number[] = [];
    const pairs = new Set<string>();
    let duplicates = 0;
    let unmatched = 0;
    let errors = 0;
    for (const p of paced.posted.values()) postMs.push(p.at - p.sentAt);
    for (const receipt of clients.receipts) {
      const message = JSON.parse(rawText(receipt.data)) as { type: string; position?: string };
      if (message.type === 'error') {
        errors++;
        continue;
      }
      const post = message.position === undefined ? undefined : paced.posted.get(message.position);
      if (message.type !== 'CommentPosted' || !post) {
        unmatched++;
        continue;
      }
      const pair = `${receipt.client}:${message.position}`;
      if (pairs.has(pair)) {
        duplicates++;
        continue;
      }
      pairs.add(pair);
      latencies.push(receipt.at - post.at);
      fromSent.push(receipt.at - post.sentAt);
    }
    clients.receipts.length = 0;
    const sorted = sortedCopy(latencies);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const sortedSent = sortedCopy(fromSent);
    const sentP50 = percentile(sortedSent, 50);
    const sentP99 = percentile(sortedSent, 99);
    const missing = expected - latencies.length;
    const achieved = paced.posted.size / paced.elapsed;
    say(
      NAME,
      `${fmt(paced.posted.size)} posts in ${paced.elapsed.toFixed(1)} s (${fmt(achieved, 1)}/s of ${fmt(rate, 1)}/s paced), ` +
        `${paced.failures.length} failed${paced.lateTicks > 0 ? `, all ${PACED_CONNECTIONS} connections busy on ${paced.lateTicks} ticks` : ''}`,
    );
    if (paced.failures.length > 0) say(NAME, `  first failure: ${paced.failures[0]}`);
    if (achieved < rate * 0.9) say(NAME, '  WARNING: the paced rate was not reached; latencies include queueing');
    say(NAME, `  ${pacedCpu}; load average ${load1()}`);
    const sortedPost = sortedCopy(postMs);
    say(NAME, `POST latency while paced: p50 ${percentile(sortedPost, 50).toFixed(1)} ms, p99 ${percentile(sortedPost, 99).toFixed(1)} ms`);
    say(
      NAME,
      `deliveries: ${fmt(latencies.length)} of ${fmt(expected)} expected (${fmt(missing)} missing, ${duplicates} duplicate, ` +
        `${unmatched} other, ${errors} error messages, ${dropped} clients closed by the server)`,
    );
    say(
      NAME,
      `delivery latency (receipt − POST response): p50 ${p50.toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms, ` +
        `p99 ${p99.toFixed(1)} ms, max ${percentile(sorted, 100).toFixed(1)} ms; ` +
        `min ${percentile(sorted, 0).toFixed(1)} ms`,
    );
    const early = sorted.filter((l) => l < 0).length;
    if (early > 0) {
      say(NAME, `  ${fmt(early)} of ${fmt(sorted.length)} receipts (${fmt((early / sorted.length) * 100)}%) arrived before the POST's own response was read`);
    }
    say(
      NAME,
      `delivery latency from POST sent (an upper bound): p50 ${sentP50.toFixed(1)} ms, p90 ${percentile(sortedSent, 90).toFixed(1)} ms, ` +
        `p99 ${sentP99.toFixed(1)} ms, max ${percentile(sortedSent, 100).toFixed(1)} ms`,
    );

    // 4. The maximum send rate with the clients connected.
    const before = clients.messages;
    cpu = cpuMeter(server.pid);
    const loaded = await postLoad({ url: server.url, rooms: workload.rooms, connections: PROBE_CONNECTIONS, seconds: PROBE_SECONDS });
    const loadedCpu = cpu();
    await sleep(500);
    const fannedOut = clients.messages - before;
    const clientCount = clients.count;
    say(NAME, `max-rate probe with ${fmt(clientCount)} clients (${PROBE_SECONDS} s, ${PROBE_CONNECTIONS} connections): ${describeLoad(loaded)}`);
    say(NAME, `  clients received ${fmt(fannedOut)} messages (${fmt(fannedOut / Math.max(loaded.seconds, 1e-9))}/s); ${loadedCpu}; load average ${load1()}`);
    if (clients.unexpectedCloses > dropped) {
      say(NAME, `  WARNING: the server closed ${clients.unexpectedCloses - dropped} clients during this probe (close codes ${JSON.stringify([...clients.closeCodes])})`);
    }

    // 5. Without clients again (A/B/A): the baseline is the mean of both probes
    // without clients, so a drift over the run (a growing log, a busier machine) cancels.
    await clients.closeAll();
    await sleep(500);
    cpu = cpuMeter(server.pid);
    const bareAfter = await postLoad({ url: server.url, rooms: workload.rooms, connections: PROBE_CONNECTIONS, seconds: PROBE_SECONDS });
    say(NAME, `max-rate probe without clients again (${PROBE_SECONDS} s, ${PROBE_CONNECTIONS} connections): ${describeLoad(bareAfter)}`);
    say(NAME, `  ${cpu()}; load average ${load1()}`);
    const bareRps = (bare.rps + bareAfter.rps) / 2;
    const ratio = loaded.rps / bareRps;
    const latencyVerdict = latencies.length === 0 || missing > 0 || dropped > 0 ? 'MISS' : verdict(p99, DELIVERY_P99_GOAL);
    if (missing > 0 || dropped > 0) say(NAME, '  MISS: deliveries were lost or clients were dropped while paced');
    say(
      NAME,
      `  delivery p99 ${p99.toFixed(1)} ms (goal ${goalText(DELIVERY_P99_GOAL, ' ms')}) ${latencyVerdict}; ` +
        `throughput ${fmt(loaded.rps)} ÷ mean(${fmt(bare.rps)}, ${fmt(bareAfter.rps)}) = ${ratio.toFixed(2)} ` +
        `(goal ${goalText(FEED_THROUGHPUT_GOAL)}) ${verdict(ratio, FEED_THROUGHPUT_GOAL)}`,
    );
    return {
      rows: [
        {
          bench: NAME,
          metric: `delivery p99, ${fmt(clientCount)} clients @ ${fmt(rate)}/s`,
          figure: `${p99.toFixed(1)} ms (p50 ${p50.toFixed(1)})`,
          baseline: `${percentile(sortedPost, 50).toFixed(1)} ms (POST p50)`,
          ratio: '-',
          goal: goalText(DELIVERY_P99_GOAL, ' ms'),
          verdict: latencyVerdict,
        },
        {
          bench: NAME,
          metric: 'delivery p99 from POST sent',
          figure: `${sentP99.toFixed(1)} ms (p50 ${sentP50.toFixed(1)})`,
          baseline: `${percentile(sortedPost, 99).toFixed(1)} ms (POST p99)`,
          ratio: '-',
          goal: '-',
          verdict: 'INFO',
        },
        {
          bench: NAME,
          metric: `send throughput with ${fmt(clientCount)} clients`,
          figure: `${fmt(loaded.rps)} req/s`,
          baseline: `${fmt(bareRps)} req/s (no clients)`,
          ratio: ratio.toFixed(2),
          goal: goalText(FEED_THROUGHPUT_GOAL),
          verdict: verdict(ratio, FEED_THROUGHPUT_GOAL),
        },
      ],
      data: {
        clients: clientCount,
        rooms,
        setupSeconds,
        rate,
        posted: paced.posted.size,
        expected,
        delivered: latencies.length,
        missing,
        duplicates,
        dropped,
        latencyP50: p50,
        latencyP99: p99,
        fromSentP50: sentP50,
        fromSentP99: sentP99,
        bareRps: [bare.rps, bareAfter.rps],
        loadedRps: loaded.rps,
        ratio,
      },
    };
  } finally {
    await clients.closeAll();
    http.close();
    await server.stop();
    removeTempDir(dataDir);
  }
}

// ---------------------------------------------------------------- webhook part

interface Delivery {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A webhook endpoint on 127.0.0.1 answering 200 at once, keeping every request. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    let receiver: Receiver | null = null;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('error', () => response.destroy());
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver!.deliveries.push({ at: performance.now(), headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    receiver = new Receiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The deliveries' bodies and headers POSTed again, one at a time, with fetch as Parley's worker does. */
async function directPosts(url: string, deliveries: readonly Delivery[]): Promise<{ seconds: number; count: number }> {
  const forwarded = ['content-type', 'user-agent', 'x-parley-signature', 'x-parley-position', 'x-parley-event', 'x-parley-delivery', 'x-parley-webhook'];
  const deadline = performance.now() + WEBHOOK_WAIT_LIMIT_MS;
  const started = performance.now();
  let count = 0;
  for (const delivery of deliveries) {
    if (performance.now() > deadline) break;
    const headers: Record<string, string> = {};
    for (const name of forwarded) {
      const value = delivery.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(url, { method: 'POST', body: delivery.body, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel().catch(() => undefined);
    if (response.status !== 200) throw new Error(`receiver answered HTTP ${response.status}`);
    count++;
  }
  return { seconds: (performance.now() - started) / 1000, count };
}

async function runWebhookPart(): Promise<{ rows: SummaryRow[]; data: Record<string, unknown> }> {
  const total = envInt('BENCH_WEBHOOK_COMMENTS', 2000, 1, 100_000);
  const dataDir = makeTempDir('webhooks');
  const apiKey = `bench-${randomBytes(24).toString('hex')}`;
  const receiver = await Receiver.start();
  let server: ServerHandle | null = null;
  let http: HttpClient | null = null;
  try {
    server = await startParley({ dataDir, env: { ...envWithoutStores(), ADMIN_API_KEY: apiKey }, label: 'parley (webhooks)' });
    http = new HttpClient(server.url, WEBHOOK_CONCURRENCY);
    const workload = await setupWorkload(server.url, 10, 10, 3);
    const hook = await http.json<{ id: string; position: string }>('POST', '/v1/admin/webhooks', 201, {
      headers: { 'x-api-key': apiKey },
      body: { url: receiver.url, events: ['CommentPosted'], secret: WEBHOOK_SECRET },
    });
    say(NAME, `webhook ${hook.id} registered at position ${hook.position} → ${receiver.url}; posting ${fmt(total)} comments, ${WEBHOOK_CONCURRENCY} at a time`);

    const client = http;
    const positions = new Set<string>();
    const cpu = cpuMeter(server.pid);
    const started = performance.now();
    const posted = await pool(total, WEBHOOK_CONCURRENCY, WEBHOOK_POST_LIMIT_MS, async (n) => {
      const room = workload.rooms[n % workload.rooms.length]!;
      const created = await client.json<{ position: string }>('POST', `/v1/rooms/${room.id}/comments`, 201, {
        headers: { authorization: `Bearer ${room.tokens[n % room.tokens.length]!}` },
        body: JSON.parse(commentBody(n)) as unknown,
      });
      positions.add(created.position);
    });
    const postedAt = performance.now();
    const deliveredWhilePosting = receiver.deliveries.length;
    let seen = receiver.deliveries.length;
    let lastProgress = performance.now();
    while (receiver.deliveries.length < posted && performance.now() - started < WEBHOOK_WAIT_LIMIT_MS) {
      await sleep(10);
      if (receiver.deliveries.length !== seen) {
        seen = receiver.deliveries.length;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > WEBHOOK_IDLE_LIMIT_MS) break;
    }
    const deliveries = [...receiver.deliveries];
    const last = deliveries[deliveries.length - 1];
    const seconds = ((last?.at ?? performance.now()) - started) / 1000;
    const usage = cpu();
    const delivered = new Set(deliveries.map((d) => String(d.headers['x-parley-position'])).filter((p) => positions.has(p))).size;
    const rate = delivered / seconds;
    const postSeconds = (postedAt - started) / 1000;
    say(
      NAME,
      `${fmt(posted)} comments posted in ${postSeconds.toFixed(1)} s (${fmt(posted / postSeconds)}/s); ` +
        `${fmt(deliveredWhilePosting)} delivered by then`,
    );
    say(
      NAME,
      `receiver got ${fmt(delivered)} of ${fmt(posted)} (${deliveries.length - delivered} other/duplicate requests) ` +
        `${seconds.toFixed(1)} s after the first POST: ${fmt(rate)} deliveries/s` +
        (last && last.at > postedAt && posted > deliveredWhilePosting
          ? `; after posting ended ${fmt((posted - deliveredWhilePosting) / ((last.at - postedAt) / 1000))}/s`
          : ''),
    );
    say(NAME, `  ${usage}; load average ${load1()}`);

    receiver.deliveries.length = 0;
    const direct = await directPosts(receiver.url, deliveries);
    const directRate = direct.count / direct.seconds;
    const ratio = rate / directRate;
    say(
      NAME,
      `direct: the same ${fmt(direct.count)} bodies POSTed to the receiver one at a time (fetch) in ${direct.seconds.toFixed(2)} s: ` +
        `${fmt(directRate)}/s; Parley ${ratio.toFixed(2)} of that (≈ ${fmt(1000 / rate - 1000 / directRate, 2)} ms more per delivery)`,
    );
    return {
      rows: [
        {
          bench: NAME,
          metric: `webhook deliveries/s (${fmt(posted)} comments)`,
          figure: `${fmt(rate)}/s${delivered < posted ? ` (${fmt(delivered)} of ${fmt(posted)})` : ''}`,
          baseline: `${fmt(directRate)}/s (direct POSTs)`,
          ratio: ratio.toFixed(2),
          goal: '-',
          verdict: 'INFO',
        },
      ],
      data: { posted, delivered, seconds, rate, postSeconds, deliveredWhilePosting, directRate, ratio },
    };
  } finally {
    http?.close();
    await server?.stop();
    await receiver.close();
    removeTempDir(dataDir);
  }
}

// ---------------------------------------------------------------- both

export async function runFeed(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  if (productionStores()) say(NAME, 'EVENT_STORE_URL/READ_STORE_URL ignored: this bench uses temp SQLite');
  say(NAME, `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores (server, clients and load generator share them)`);
  const rows: SummaryRow[] = [];
  const data: Record<string, unknown> = {};
  for (const [part, run] of [
    ['feed', () => runFeedPart(seconds)],
    ['webhooks', runWebhookPart],
  ] as const) {
    try {
      const outcome = await run();
      rows.push(...outcome.rows);
      data[part] = outcome.data;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      say(NAME, `${part} part failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
      rows.push(skipRow(NAME, part, message.split('\n')[0]!.slice(0, 80)));
      data[part] = { error: message };
    }
  }
  return { name: NAME, rows, data };
}

if (require.main === module) runStandalone(runFeed);

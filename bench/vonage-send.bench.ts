/**
 * Issue 14's figure: text messages sent through the Vonage surface
 * (POST /vonage/v1/conversations/:id/events) at 50 connections, each request
 * with a fresh RS256 application token (a new jti), ÷
 * Parley's own POST /v1/rooms/:roomId/comments at 50 connections on the same
 * server in the same run, measured before and after the surface (their mean
 * is the baseline, so the log's growth between phases favours neither side).
 * The translation must be thin: goal ≥ 0.8.
 */
import autocannon from 'autocannon';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { benchSeconds, envWithoutStores, fmt, goalText, makeTempDir, processCpuMs, removeTempDir, runStandalone, say, verdict, type BenchOutcome, type Goal, type SummaryRow } from './lib/common';
import { HttpClient } from './lib/http';
import { describeLoad, finishLoad, postLoad, type LoadSummary } from './lib/load';
import { setupWorkload, startParley } from './lib/parley';

const NAME = 'vonage-send';
const CONNECTIONS = 50;
const CONVERSATIONS = 20;
const USERS = 30;
const MEMBERS_PER_CONVERSATION = 3;
const WARMUP_SECONDS = 2;
const ADMIN_KEY = `pk_bench_vonage_${'0'.repeat(40)}`;
export const RATIO_GOAL: Goal = { op: '>=', target: 0.8 };

/** An application's token as a Vonage application signs it: RS256, a fresh jti each time. */
function token(applicationId: string, privateKey: string | KeyObject): string {
  const header = Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url');
  const payload = Buffer.from(JSON.stringify({ application_id: applicationId, iat: Math.floor(Date.now() / 1000), jti: randomUUID() })).toString('base64url');
  return `${header}.${payload}.${sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
}

/**
 * Tokens signed before a phase starts: signing RS256 costs the load generator
 * about a millisecond of its one thread, which on this 2-core machine would
 * be taken from the server being measured. Past the pool, tokens are signed
 * as requests go (and counted).
 */
class TokenPool {
  private readonly tokens: string[];
  private next = 0;
  signedLate = 0;

  constructor(
    private readonly applicationId: string,
    private readonly key: KeyObject,
    size: number,
  ) {
    this.tokens = Array.from({ length: size }, () => token(applicationId, key));
  }

  take(): string {
    const ready = this.tokens[this.next++];
    if (ready !== undefined) return ready;
    this.signedLate++;
    return token(this.applicationId, this.key);
  }
}

interface VonageWorkload {
  readonly applicationId: string;
  readonly privateKey: string;
  readonly conversations: readonly { readonly id: string; readonly members: readonly string[] }[];
}

async function setupVonage(baseUrl: string): Promise<VonageWorkload> {
  const client = new HttpClient(baseUrl, 4);
  try {
    const app = await client.json<{ id: string; privateKey: string }>('POST', '/v1/admin/applications', 201, {
      headers: { 'x-api-key': ADMIN_KEY },
      body: { name: 'bench' },
    });
    const auth = () => ({ authorization: `Bearer ${token(app.id, app.privateKey)}` });
    const users = await Promise.all(
      Array.from({ length: USERS }, (_, i) => client.json<{ id: string }>('POST', '/vonage/v1/users', 200, { headers: auth(), body: { name: `bench-${i}` } })),
    );
    const conversations = [];
    for (let c = 0; c < CONVERSATIONS; c++) {
      const conversation = await client.json<{ id: string }>('POST', '/vonage/v1/conversations', 200, { headers: auth(), body: { name: `bench-${c}` } });
      const members: string[] = [];
      for (let m = 0; m < MEMBERS_PER_CONVERSATION; m++) {
        const user = users[(c + m) % users.length]!;
        const member = await client.json<{ id: string }>('POST', `/vonage/v1/conversations/${conversation.id}/members`, 201, {
          headers: auth(),
          body: { state: 'joined', user: { id: user.id } },
        });
        members.push(member.id);
      }
      conversations.push({ id: conversation.id, members });
    }
    return { applicationId: app.id, privateKey: app.privateKey, conversations };
  } finally {
    client.close();
  }
}

/** POST …/events from `connections` connections: each request names the next conversation and member, and signs its own token. */
function vonageLoad(url: string, workload: VonageWorkload, seconds: number, tokens: TokenPool): Promise<LoadSummary> {
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
          const conversation = workload.conversations[n % workload.conversations.length]!;
          const from = conversation.members[Math.floor(n / workload.conversations.length) % conversation.members.length]!;
          return {
            ...request,
            method: 'POST',
            path: `/vonage/v1/conversations/${conversation.id}/events`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.take()}` },
            body: JSON.stringify({ type: 'message', from, body: { message_type: 'text', text: `bench message ${n} ${'lorem ipsum '.repeat(4)}`.trim() } }),
          };
        },
      },
    ],
  });
  return finishLoad(instance, seconds);
}

/**
 * The server's CPU (all its threads) per answered request over a phase, in
 * microseconds: on this 2-core machine the load generator shares the cores,
 * so throughput moves with the machine; CPU per request says what a request
 * costs. Null where /proc does not say.
 */
async function measured(serverPid: number, phase: () => Promise<LoadSummary>): Promise<{ load: LoadSummary; cpuUsPerRequest: number | null }> {
  const before = processCpuMs(serverPid);
  const load = await phase();
  const after = processCpuMs(serverPid);
  const answered = load.ok + load.non2xx;
  return { load, cpuUsPerRequest: before === null || after === null || answered === 0 ? null : ((after - before) * 1000) / answered };
}

const cpuText = (us: number | null) => (us === null ? 'n/a' : `${fmt(us)} µs`);

export async function runVonageSend(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  const dataDir = makeTempDir(NAME);
  const server = await startParley({ dataDir, env: { ...envWithoutStores(), ADMIN_API_KEY: ADMIN_KEY }, label: 'parley' });
  const rows: SummaryRow[] = [];
  try {
    say(NAME, `${CONNECTIONS} connections; Vonage: ${CONVERSATIONS} conversations × ${MEMBERS_PER_CONVERSATION} members, a fresh RS256 token per request; native: the send bench's workload on the same server`);
    const vonage = await setupVonage(server.url);
    const native = await setupWorkload(server.url, USERS, CONVERSATIONS, MEMBERS_PER_CONVERSATION);
    await postLoad({ url: server.url, rooms: native.rooms, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    const { load: own, cpuUsPerRequest: ownCpu } = await measured(server.pid, () => postLoad({ url: server.url, rooms: native.rooms, connections: CONNECTIONS, seconds }));
    say(NAME, `Parley's own POST comment: ${describeLoad(own)}; server CPU ${cpuText(ownCpu)} per request`);
    const key = createPrivateKey(vonage.privateKey);
    // Enough tokens for the surface at the native rate, and half as many again.
    const pool = (phaseSeconds: number) => new TokenPool(vonage.applicationId, key, Math.ceil(own.rps * phaseSeconds * 1.5) + 100);
    await vonageLoad(server.url, vonage, WARMUP_SECONDS, pool(WARMUP_SECONDS));
    const tokens = pool(seconds);
    const { load: surface, cpuUsPerRequest: surfaceCpu } = await measured(server.pid, () => vonageLoad(server.url, vonage, seconds, tokens));
    say(NAME, `Vonage POST events: ${describeLoad(surface)}; server CPU ${cpuText(surfaceCpu)} per request`);
    if (tokens.signedLate > 0) say(NAME, `${tokens.signedLate} tokens were signed during the phase (the pool ran out)`);
    if (surface.non2xx > 0 || surface.errors > 0) say(NAME, 'WARNING: the Vonage surface answered errors; figures count only 2xx');
    // Native again after the surface (A-B-A): each phase runs on a larger log than the one before, so the
    // baseline is the mean of a native phase before and one after, and drift of the server cancels out.
    const { load: ownAfter, cpuUsPerRequest: ownAfterCpu } = await measured(server.pid, () => postLoad({ url: server.url, rooms: native.rooms, connections: CONNECTIONS, seconds }));
    say(NAME, `Parley's own POST comment, after: ${describeLoad(ownAfter)}; server CPU ${cpuText(ownAfterCpu)} per request`);
    const ownRps = (own.rps + ownAfter.rps) / 2;
    const ratio = surface.rps / Math.max(ownRps, 1e-9);
    rows.push({
      bench: NAME,
      metric: 'Vonage events ÷ own comments (before and after)',
      figure: `${fmt(surface.rps)} req/s`,
      baseline: `${fmt(ownRps)} req/s (${fmt(own.rps)} / ${fmt(ownAfter.rps)})`,
      ratio: ratio.toFixed(2),
      goal: goalText(RATIO_GOAL),
      verdict: verdict(ratio, RATIO_GOAL),
    });
    if (ownCpu !== null && ownAfterCpu !== null && surfaceCpu !== null) {
      const ownCpuMean = (ownCpu + ownAfterCpu) / 2;
      // Informational: what the surface adds to a send, independent of how busy the machine was.
      rows.push({
        bench: NAME,
        metric: 'server CPU per send: own ÷ Vonage (before and after)',
        figure: `${fmt(surfaceCpu)} µs`,
        baseline: `${fmt(ownCpuMean)} µs (${fmt(ownCpu)} / ${fmt(ownAfterCpu)})`,
        ratio: (ownCpuMean / surfaceCpu).toFixed(2),
        goal: '-',
        verdict: 'INFO',
      });
    }
    return { name: NAME, rows, data: { ownCpuUsPerRequest: ownCpu, ownAfterCpuUsPerRequest: ownAfterCpu, vonageCpuUsPerRequest: surfaceCpu, vonageRps: surface.rps, ownRps, ownRpsBefore: own.rps, ownRpsAfter: ownAfter.rps, vonageP99: surface.p99, ownP99: Math.max(own.p99, ownAfter.p99) } };
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

if (require.main === module) runStandalone(runVonageSend);

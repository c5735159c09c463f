/**
 * Bench, presence (issue #5).
 *
 * Updates: PUT /v1/me/presence from 50 keep-alive connections, 50 users in
 * turn, every request a real change (status and message move on, so each one
 * is written), against the no-op POST baseline (bench/baseline-server.ts:
 * Nest on Fastify, same ValidationPipe, no auth, no store) under the same
 * load, compared with the mean of a baseline run before and one after it.
 * Goal: ratio ≥ 0.6.
 *
 * All contacts at once: GET /v1/contacts/presence for a user with 5,000
 * contacts, one request at a time: p50/p99 (goal p99 ≤ 50 ms), next to
 * GET /v1/me/presence (one document) on the same server as the floor. The
 * 5,000 accounts, their presence, privacy settings, address books and blocks
 * are written straight into the log (through the app's own store stack, so
 * personal fields are sealed as usual) before the server starts; the owner's
 * address book is imported over HTTP (PUT /v1/contacts). A quarter of the
 * contacts hide last seen from non-contacts, a third of those have the owner
 * in their book, 1% blocked the owner: the privacy paths all run.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { createEventStore, withPersonalData } from '../libs/wiring/stores';
import { hashPassword } from '../libs/auth/password';
import { loadConfig } from '../libs/config/config';
import { EVENT_VERSIONS, type ParleyEvent, type PresenceStatus } from '../libs/domain/events';
import { idFromKey } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import type { EventStore } from '../libs/event-store/event-store.port';
import {
  BASELINE_MAIN,
  benchSeconds,
  envInt,
  envWithoutStores,
  fmt,
  goalText,
  makeTempDir,
  percentile,
  removeTempDir,
  runStandalone,
  say,
  skipRow,
  sortedCopy,
  verdict,
  type BenchOutcome,
  type Goal,
  type SummaryRow,
} from './lib/common';
import { HttpClient } from './lib/http';
import { bracketed, describeLoad, finishLoad, postLoad, type LoadSummary } from './lib/load';
import { registerUser, startParley, waitSettled, type BenchRoom, type BenchUser } from './lib/parley';
import { startServer } from './lib/server';

const NAME = 'presence';
const CONNECTIONS = 50;
const USERS = 50;
const WARMUP_SECONDS = 2;
const REGISTER_CONCURRENCY = 6;
const QUERY_WARMUP = 20;
export const UPDATE_GOAL: Goal = { op: '>=', target: 0.6 };
export const ALL_CONTACTS_P99_GOAL: Goal = { op: '<=', target: 50 };

const STATUSES: readonly PresenceStatus[] = ['online', 'away', 'busy'];
const DEVICE = { name: 'Bench phone', platform: 'android', version: '14' };

// ---------------------------------------------------------------- updates

/** Fake ids and tokens shaped like real ones, as the send bench gives its baseline. */
function fakeRooms(): BenchRoom[] {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return Array.from({ length: USERS }, (_, r) => ({
    id: `${hex(r, 8)}-0000-4000-8000-${hex(r, 12)}`,
    tokens: [`eyJ${'a'.repeat(220)}.${r}`],
  }));
}

async function baselineLoad(seconds: number): Promise<LoadSummary> {
  const server = await startServer({ label: 'baseline', script: BASELINE_MAIN, env: envWithoutStores() });
  try {
    const rooms = fakeRooms();
    await postLoad({ url: server.url, rooms, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    return await postLoad({ url: server.url, rooms, connections: CONNECTIONS, seconds });
  } finally {
    await server.stop();
  }
}

/** PUT /v1/me/presence, request n from user n mod users, each a change from that user's previous one. */
async function presenceLoad(url: string, users: readonly BenchUser[], seconds: number): Promise<LoadSummary> {
  let k = 0;
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'PUT',
        setupRequest: (request) => {
          const n = k++;
          const user = users[n % users.length]!;
          const round = Math.floor(n / users.length);
          return {
            ...request,
            method: 'PUT',
            path: '/v1/me/presence',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
            body: JSON.stringify({ status: STATUSES[round % STATUSES.length], message: `bench ${round}`, device: DEVICE }),
          };
        },
      },
    ],
  });
  return finishLoad(instance, seconds);
}

async function registerUsers(url: string, count: number): Promise<BenchUser[]> {
  const client = new HttpClient(url, REGISTER_CONCURRENCY);
  try {
    const stamp = Date.now().toString(36);
    const users: BenchUser[] = [];
    for (let i = 0; i < count; i += REGISTER_CONCURRENCY) {
      const chunk = Array.from({ length: Math.min(REGISTER_CONCURRENCY, count - i) }, (_, j) =>
        registerUser(client, `pres${i + j}x${stamp}`),
      );
      users.push(...(await Promise.all(chunk)));
    }
    return users;
  } finally {
    client.close();
  }
}

async function measureUpdates(seconds: number): Promise<LoadSummary> {
  const dataDir = makeTempDir('presence-updates');
  const server = await startParley({ dataDir, env: envWithoutStores(), label: 'parley' });
  try {
    const users = await registerUsers(server.url, USERS);
    await presenceLoad(server.url, users, WARMUP_SECONDS);
    return await presenceLoad(server.url, users, seconds);
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

// ---------------------------------------------------------------- all contacts

const PASSWORD = 'bench password 1234';

interface Population {
  readonly ownerId: string;
  readonly ownerName: string;
  readonly contactIds: readonly string[];
  readonly events: number;
}

/** Appends in groups of `width` concurrent appends: the SQLite adapter commits each group in one transaction. */
/** `phase` keeps event ids of separate calls apart: a stream written by two calls (a user's registration, then its profile) gets distinct ids. */
async function appendAll(store: EventStore, phase: string, items: readonly { stream: string; events: ParleyEvent[] }[], width = 500): Promise<number> {
  let written = 0;
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(
      items.slice(i, i + width).map(({ stream, events }, j) =>
        store.append(
          stream,
          events.map((event, e) => ({
            id: idFromKey('bench-presence', phase, String(i + j), String(e), stream),
            type: event.type,
            version: EVENT_VERSIONS[event.type],
            data: event.data,
            metadata: { actor: 'bench', correlationId: 'bench-presence' },
          })),
          'any',
        ),
      ),
    );
    written += items.slice(i, i + width).reduce((sum, item) => sum + item.events.length, 0);
  }
  return written;
}

/** The owner and `contacts` accounts with presence, privacy, books and blocks, written into `dataDir`'s log. */
export async function writePopulation(dataDir: string, contacts: number): Promise<Population> {
  const config = loadConfig({ ...envWithoutStores(), DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  const store = withPersonalData(config, createEventStore(config));
  try {
    const now = Date.now();
    const at = (n: number) => new Date(now - 3_600_000 + n).toISOString();
    const stamp = now.toString(36);
    const ownerId = idFromKey('bench-presence-owner', stamp);
    const ownerName = `owner${stamp}`;
    const contactIds = Array.from({ length: contacts }, (_, i) => idFromKey('bench-presence-contact', stamp, String(i)));
    const account = (userId: string, username: string, passwordHash: string, n: number) => [
      { stream: streams.username(username), events: [{ type: 'UsernameClaimed', data: { username: username.toLowerCase(), userId } } as ParleyEvent] },
      {
        stream: streams.user(userId),
        events: [{ type: 'UserRegistered', data: { userId, username, displayName: username, passwordHash, registeredAt: at(n) } } as ParleyEvent],
      },
    ];
    let events = await appendAll(store, 'owner', account(ownerId, ownerName, await hashPassword(PASSWORD), 0));
    events += await appendAll(store, 'contacts', contactIds.flatMap((id, i) => account(id, `c${i}x${stamp}`, 'not-a-password-hash', i + 1)));
    const later: { stream: string; events: ParleyEvent[] }[] = [];
    contactIds.forEach((userId, i) => {
      const status = (['online', 'away', 'busy', 'invisible', 'offline'] as const)[i % 5]!;
      later.push({
        stream: streams.presence(userId),
        events: [
          { type: 'PresenceChanged', data: { userId, status: 'online', message: null, device: DEVICE, changedBy: userId, changedAt: at(10_000 + i) } },
          { type: 'PresenceChanged', data: { userId, status, message: `status ${i}`, device: DEVICE, changedBy: userId, changedAt: at(20_000 + i) } },
        ],
      });
      const profile: ParleyEvent[] = [
        { type: 'StatusMessageChanged', data: { userId, message: `Hello from ${i}`, changedBy: userId, changedAt: at(30_000 + i) } },
      ];
      if (i % 4 === 0) {
        profile.push({
          type: 'PrivacySettingsChanged',
          data: { userId, settings: { statusMessage: 'contacts', photo: 'all', lastSeen: 'contacts' }, changedBy: userId, changedAt: at(40_000 + i) },
        });
      }
      later.push({ stream: streams.user(userId), events: profile });
      if (i % 12 === 0) {
        later.push({
          stream: streams.contacts(userId),
          events: [
            {
              type: 'ContactAdded',
              data: {
                ownerId: userId,
                matchKey: `user:${ownerId}`,
                contact: { contactId: ownerId, kind: 'user', matchKey: `user:${ownerId}`, firstName: 'Bench', lastName: 'Owner' },
                addedAt: at(50_000 + i),
              },
            },
          ],
        });
      }
      if (i % 100 === 7) {
        later.push({
          stream: streams.blocks(userId),
          events: [{ type: 'BlockListReplaced', data: { userId, blockedUserIds: [ownerId], replacedAt: at(60_000 + i) } }],
        });
      }
    });
    events += await appendAll(store, 'later', later);
    return { ownerId, ownerName, contactIds, events };
  } finally {
    await store.close();
  }
}

interface Latencies {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
}

async function timeGets(client: HttpClient, path: string, token: string, count: number, check: (text: string) => void): Promise<Latencies> {
  const headers = { authorization: `Bearer ${token}` };
  for (let i = 0; i < QUERY_WARMUP; i++) check((await client.request('GET', path, { headers })).text);
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await client.request('GET', path, { headers });
    ms.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  }
  const sorted = sortedCopy(ms);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]!, count };
}

interface AllContactsRun {
  readonly contacts: number;
  readonly seeded: number;
  readonly importMs: number;
  readonly settleMs: number;
  readonly items: number;
  readonly all: Latencies;
  readonly one: Latencies;
}

async function measureAllContacts(contacts: number, requests: number): Promise<AllContactsRun> {
  const dataDir = makeTempDir('presence-contacts');
  try {
    const population = await writePopulation(dataDir, contacts);
    say(NAME, `wrote ${fmt(population.events)} events for the owner and ${fmt(contacts)} contacts`);
    const server = await startParley({ dataDir, env: envWithoutStores(), label: 'parley (contacts)' });
    const client = new HttpClient(server.url);
    try {
      const token = await client.json<{ access_token: string }>('POST', '/v1/oauth/token', 200, {
        body: { grant_type: 'password', username: population.ownerName, password: PASSWORD },
      });
      const started = performance.now();
      await client.json('PUT', '/v1/contacts', [200, 201], {
        headers: { authorization: `Bearer ${token.access_token}` },
        body: { contacts: population.contactIds.map((contactId, i) => ({ contactId, firstName: 'Contact', lastName: String(i) })) },
        timeoutMs: 60_000,
      });
      const importMs = performance.now() - started;
      const settled = await waitSettled(client, 120_000);
      let items = 0;
      const all = await timeGets(client, '/v1/contacts/presence', token.access_token, requests, (text) => {
        items = (JSON.parse(text) as { items: unknown[] }).items.length;
      });
      if (items !== contacts) throw new Error(`GET /v1/contacts/presence answered ${items} contacts, expected ${contacts}`);
      const one = await timeGets(client, '/v1/me/presence', token.access_token, requests, () => undefined);
      return { contacts, seeded: population.events, importMs, settleMs: settled.ms, items, all, one };
    } finally {
      client.close();
      await server.stop();
    }
  } finally {
    removeTempDir(dataDir);
  }
}

// ---------------------------------------------------------------- run

export async function runPresence(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  const contacts = envInt('BENCH_PRESENCE_CONTACTS', 5_000, 1, 20_000);
  const requests = envInt('BENCH_PRESENCE_REQUESTS', 300, 20, 10_000);
  const parts = (process.env['BENCH_PRESENCE_PARTS'] ?? 'updates,contacts').split(',').map((p) => p.trim());
  const rows: SummaryRow[] = [];
  const data: Record<string, unknown> = {};
  if (parts.includes('updates')) await runUpdates(seconds, rows, data);
  if (parts.includes('contacts')) await runAllContacts(contacts, requests, rows, data);
  return { name: NAME, rows, data };
}

async function runUpdates(seconds: number, rows: SummaryRow[], data: Record<string, unknown>): Promise<void> {
  say(NAME, `updates: ${CONNECTIONS} connections, ${USERS} users, ${WARMUP_SECONDS} s warm-up + ${seconds} s measured per server (embedded SQLite)`);
  try {
    const before = await baselineLoad(seconds);
    say(NAME, `baseline (no-op POST, same ValidationPipe): ${describeLoad(before)}`);
    const parley = await measureUpdates(seconds);
    say(NAME, `parley PUT /v1/me/presence: ${describeLoad(parley)}`);
    if (parley.non2xx > 0 || parley.errors > 0) say(NAME, 'WARNING: parley answered errors; figures count only 2xx');
    const after = await baselineLoad(seconds);
    say(NAME, `baseline again: ${describeLoad(after)}`);
    const baseline = bracketed(before, after);
    const ratio = parley.rps / baseline.rps;
    say(NAME, `  against the baselines' mean (${fmt(baseline.rps)} req/s): ratio ${ratio.toFixed(2)} (goal ${goalText(UPDATE_GOAL)}) ${verdict(ratio, UPDATE_GOAL)}`);
    rows.push({
      bench: NAME,
      metric: 'updates/s (50 conn)',
      figure: `${fmt(parley.rps)} req/s (p99 ${parley.p99} ms)`,
      baseline: `${fmt(baseline.rps)} req/s (p99 ${baseline.p99} ms, mean of 2)`,
      ratio: ratio.toFixed(2),
      goal: goalText(UPDATE_GOAL),
      verdict: verdict(ratio, UPDATE_GOAL),
    });
    data['updates'] = { baselines: [before, after], parley, ratio };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(NAME, `updates could not run: ${message}`);
    rows.push(skipRow(NAME, 'updates/s (50 conn)', message.split('\n')[0]!.slice(0, 90)));
  }

}

async function runAllContacts(contacts: number, requests: number, rows: SummaryRow[], data: Record<string, unknown>): Promise<void> {
  say(NAME, `all contacts: ${fmt(contacts)} contacts, ${requests} sequential requests after ${QUERY_WARMUP} warm-up`);
  try {
    const run = await measureAllContacts(contacts, requests);
    say(NAME, `  import of ${fmt(contacts)} contacts over HTTP ${fmt(run.importMs)} ms; read models settled ${fmt(run.settleMs)} ms later`);
    say(NAME, `  GET /v1/contacts/presence: p50 ${run.all.p50.toFixed(1)} ms, p99 ${run.all.p99.toFixed(1)} ms, max ${run.all.max.toFixed(1)} ms (${run.items} items)`);
    say(NAME, `  GET /v1/me/presence (floor): p50 ${run.one.p50.toFixed(1)} ms, p99 ${run.one.p99.toFixed(1)} ms`);
    rows.push({
      bench: NAME,
      metric: `GET /contacts/presence (${fmt(contacts)}) p99`,
      figure: `${run.all.p99.toFixed(1)} ms (p50 ${run.all.p50.toFixed(1)})`,
      baseline: `${run.one.p99.toFixed(1)} ms (p50 ${run.one.p50.toFixed(1)})`,
      ratio: (run.all.p99 / run.one.p99).toFixed(1),
      goal: goalText(ALL_CONTACTS_P99_GOAL, ' ms'),
      verdict: verdict(run.all.p99, ALL_CONTACTS_P99_GOAL),
    });
    data['allContacts'] = run;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(NAME, `all contacts could not run: ${message}`);
    rows.push(skipRow(NAME, `GET /contacts/presence (${fmt(contacts)}) p99`, message.split('\n')[0]!.slice(0, 90)));
  }
}

if (require.main === module) runStandalone(runPresence);

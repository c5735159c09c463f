/**
 * What sealing personal fields costs (issue #4: at most 15% slower).
 *
 * Both sides run in this process on the real SQLite adapters, in alternating
 * rounds so that a busy machine hurts both alike:
 * - send: appends one event per command, as handlers do, through the
 *   personal-data store (sealing) and straight to the adapter (raw). Two
 *   mixes: profile updates (every event has a personal field: the worst case)
 *   and comment posts (none: what the wrapper costs on the hot path).
 * - rebuild: the projector over the same log written sealed and written in
 *   clear, with one event in five carrying a personal field.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EVENT_VERSIONS, type ParleyEvent } from '../libs/domain/events';
import { idFromKey } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import type { EventStore, NewEvent } from '../libs/event-store/event-store.port';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { PersonalDataEventStore } from '../libs/personal-data/personal-data-event-store';
import { SqliteKeyStore } from '../libs/personal-data/sqlite-key-store';
import { PersonalDataVault } from '../libs/personal-data/vault';
import { Projector } from '../libs/projection/projector';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import { parleyProjections } from '../projections';
import { envInt, fmt, goalText, makeTempDir, removeTempDir, runStandalone, say, verdict, type BenchOutcome, type Goal, type SummaryRow } from './lib/common';

const NAME = 'personal-data';
const GOAL: Goal = { op: '>=', target: 0.85 };
const AT = '2026-01-01T00:00:00.000Z';

const envelope = (event: ParleyEvent, key: string): NewEvent => ({
  id: idFromKey('bench-pd', key),
  type: event.type,
  version: EVENT_VERSIONS[event.type],
  data: event.data,
  metadata: { actor: 'bench', correlationId: 'bench' },
});

const userId = (i: number) => idFromKey('bench-pd-user', String(i));
const roomId = (i: number) => idFromKey('bench-pd-room', String(i));

function statusChange(i: number, users: number): { stream: string; event: ParleyEvent } {
  const id = userId(i % users);
  return {
    stream: streams.user(id),
    event: { type: 'StatusMessageChanged', data: { userId: id, message: `status number ${i} of a busy person`, changedBy: id, changedAt: AT } },
  };
}

function post(i: number, rooms: number): { stream: string; event: ParleyEvent } {
  const room = roomId(i % rooms);
  return {
    stream: streams.comments(room),
    event: {
      type: 'CommentPosted',
      data: {
        commentId: idFromKey('bench-pd-comment', String(i)),
        roomId: room,
        seq: Math.floor(i / rooms) + 1,
        previousId: null,
        senderId: userId(i % 50),
        text: `comment ${i}: a line of chat of ordinary length, neither short nor long`,
        commentType: 'text',
        payload: null,
        replyTo: null,
        clientId: null,
        postedAt: AT,
      },
    },
  };
}

interface Stores {
  readonly raw: SqliteEventStore;
  readonly app: EventStore;
  close(): Promise<void>;
}

function open(dir: string, sealed: boolean, master: Buffer): Stores {
  const raw = new SqliteEventStore({ file: join(dir, 'events.db'), synchronous: 'full' });
  if (!sealed) return { raw, app: raw, close: () => raw.close() };
  const app = new PersonalDataEventStore(raw, new PersonalDataVault(new SqliteKeyStore({ file: join(dir, 'keys.db') }), master));
  return { raw, app, close: () => app.close() };
}

/** Appends `count` events one command at a time, `concurrency` in flight (as concurrent requests would). */
async function appendRate(store: EventStore, make: (i: number) => { stream: string; event: ParleyEvent }, from: number, count: number, tag: string) {
  const concurrency = 32;
  let next = from;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < from + count) {
        const i = next++;
        const { stream, event } = make(i);
        await store.append(stream, [envelope(event, `${tag}-${i}`)], 'any');
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function sendPhase(kind: 'profile' | 'comments', rounds: number, perRound: number, master: Buffer) {
  const make = kind === 'profile' ? (i: number) => statusChange(i, 1000) : (i: number) => post(i, 100);
  const dirs = { raw: makeTempDir(`${NAME}-raw`), sealed: makeTempDir(`${NAME}-sealed`) };
  const stores = { raw: open(dirs.raw, false, master), sealed: open(dirs.sealed, true, master) };
  const rates: { raw: number[]; sealed: number[] } = { raw: [], sealed: [] };
  try {
    // Warm-up: creates the users' keys (a one-time cost per user) and JIT-compiles both paths.
    await appendRate(stores.raw.app, make, 0, perRound / 2, 'warm');
    await appendRate(stores.sealed.app, make, 0, perRound / 2, 'warm');
    for (let round = 0; round < rounds; round++) {
      const from = (round + 1) * perRound;
      for (const side of round % 2 === 0 ? (['raw', 'sealed'] as const) : (['sealed', 'raw'] as const)) {
        rates[side].push(await appendRate(stores[side].app, make, from, perRound, `r${round}`));
      }
    }
  } finally {
    await stores.raw.close();
    await stores.sealed.close();
    removeTempDir(dirs.raw);
    removeTempDir(dirs.sealed);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { raw: median(rates.raw), sealed: median(rates.sealed), rates };
}

async function writeLog(store: EventStore, events: number): Promise<void> {
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < events; i++) {
    // One event in five is a profile change (personal), the rest are posts.
    const { stream, event } = i % 5 === 0 ? statusChange(i, 2000) : post(i, 200);
    batch.push(store.append(stream, [envelope(event, `log-${i}`)], 'any'));
    if (batch.length === 500) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

async function rebuildRate(dir: string, sealed: boolean, master: Buffer): Promise<number> {
  const stores = open(dir, sealed, master);
  const readStore = new SqliteReadStore({ file: join(dir, `read-${Date.now()}.db`) });
  try {
    const projector = new Projector(stores.app, readStore, parleyProjections, { batchSize: 10_000 });
    const started = performance.now();
    const applied = await projector.rebuild();
    return applied / ((performance.now() - started) / 1000);
  } finally {
    await stores.close();
    await readStore.close();
  }
}

export async function runPersonalData(): Promise<BenchOutcome> {
  const rounds = envInt('BENCH_PD_ROUNDS', 5, 1, 50);
  const perRound = envInt('BENCH_PD_APPENDS', 4000, 100);
  const logEvents = envInt('BENCH_PD_REBUILD_EVENTS', 60_000, 1000);
  const master = randomBytes(32);
  const rows: SummaryRow[] = [];
  const data: Record<string, unknown> = {};

  for (const kind of ['profile', 'comments'] as const) {
    say(NAME, `send (${kind}): ${rounds} alternating rounds of ${fmt(perRound)} appends, 32 in flight, SQLite synchronous=full`);
    const result = await sendPhase(kind, rounds, perRound, master);
    const ratio = result.sealed / result.raw;
    say(NAME, `send (${kind}): sealed ${fmt(result.sealed)}/s, raw ${fmt(result.raw)}/s (medians), ratio ${ratio.toFixed(3)}`);
    data[`send-${kind}`] = result;
    rows.push({
      bench: NAME,
      metric: kind === 'profile' ? 'send: profile updates, sealed vs raw' : 'send: comment posts through the wrapper vs raw',
      figure: `${fmt(result.sealed)} events/s`,
      baseline: `${fmt(result.raw)} events/s`,
      ratio: ratio.toFixed(3),
      goal: goalText(GOAL),
      verdict: verdict(ratio, GOAL),
    });
  }

  const dirs = { raw: makeTempDir(`${NAME}-log-raw`), sealed: makeTempDir(`${NAME}-log-sealed`) };
  try {
    say(NAME, `rebuild: writing a log of ${fmt(logEvents)} events (1 in 5 personal) sealed and in clear`);
    for (const side of ['raw', 'sealed'] as const) {
      const stores = open(dirs[side], side === 'sealed', master);
      try {
        await writeLog(stores.app, logEvents);
      } finally {
        await stores.close();
      }
    }
    const raw: number[] = [];
    const sealed: number[] = [];
    for (let round = 0; round < 3; round++) {
      raw.push(await rebuildRate(dirs.raw, false, master));
      sealed.push(await rebuildRate(dirs.sealed, true, master));
    }
    const best = (values: number[]) => Math.max(...values);
    const ratio = best(sealed) / best(raw);
    say(NAME, `rebuild: sealed ${fmt(best(sealed))} events/s, raw ${fmt(best(raw))} events/s (best of 3), ratio ${ratio.toFixed(3)}`);
    data['rebuild'] = { raw, sealed };
    rows.push({
      bench: NAME,
      metric: `rebuild of ${fmt(logEvents)} events, sealed vs clear`,
      figure: `${fmt(best(sealed))} events/s`,
      baseline: `${fmt(best(raw))} events/s`,
      ratio: ratio.toFixed(3),
      goal: goalText(GOAL),
      verdict: verdict(ratio, GOAL),
    });
  } finally {
    removeTempDir(dirs.raw);
    removeTempDir(dirs.sealed);
  }
  return { name: NAME, rows, data };
}

if (require.main === module) runStandalone(runPersonalData);

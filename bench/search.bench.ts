/**
 * Bench, member search (issue #17): 100,000 findable members spread over a
 * continent (Europe, 36–70°N, 10°W–40°E) in the members read model on
 * SQLite, then the query handler behind GET /v1/users/search:
 *
 * - by map area, a city-sized box (0.2° × 0.3°, about 22 × 23 km) around a
 *   random member, ordered by distance, page of 20 with the total: p50/p99,
 *   goal p99 ≤ 50 ms;
 * - by keyword (a city name, 1 in 200 members), page of 20 with the total:
 *   p50/p99, goal p99 ≤ 50 ms;
 * - by a keyword of two characters (`y0`…`y9`, the end of `city…`: about 1
 *   in 18 members), page of 20 with the total: p50/p99, same goal.
 *
 * Baseline, same run and store: one page's documents by id (`getMany` of 20),
 * the floor of any search that answers 20 members. The documents and keyword
 * search's index rows (member_terms, member_term_counts) are written straight into the read
 * store in the projection's shape (the projection's own collections and
 * indexes); no HTTP, so the figures are the query's.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EMPTY_MEMBER_PROFILE } from '../libs/domain/community/member-profile.decider';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import type { Doc, WriteOp } from '../libs/read-store/read-store.port';
import { MEMBER_PROFILES, MEMBER_TERM_COUNTS, MEMBER_TERMS, memberTermRows, membersProjection, type MemberDoc } from '../projections/members.projection';
import { SearchMembersHandler, SearchMembersQuery } from '../apps/api/members/members.queries';
import { envInt, fmt, goalText, makeTempDir, percentile, removeTempDir, say, sortedCopy, verdict, type BenchOutcome, type Goal } from './lib/common';

const VIEWER = '00000000-0000-4000-8000-000000000000';
const NAME = 'search';
const GOAL: Goal = { op: '<=', target: 50 };

/** A small deterministic generator: the same members every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function member(i: number, next: () => number): Doc {
  const lat = Math.round((36 + next() * 34) * 1e4) / 1e4;
  const lon = Math.round((-10 + next() * 50) * 1e4) / 1e4;
  const city = `city${i % 200}`;
  const username = `member${i}`;
  return {
    id: `m-${String(i).padStart(6, '0')}`,
    username,
    usernameKey: username,
    displayName: `Member ${i}`,
    status: 'active',
    registeredAt: '2024-01-01T00:00:00.000Z',
    profile: { ...EMPTY_MEMBER_PROFILE, fullName: `Member ${i}`, city, latitude: lat, longitude: lon, findable: true },
    profileUpdatedAt: '2024-01-01T00:00:00.000Z',
    findable: true,
    lat,
    lon,
    location: { type: 'Point', coordinates: [lon, lat] },
    searchKey: `${username}\nmember ${i}\n${city}`,
    authored: [],
  };
}

async function timed(runs: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call(i);
    times.push(performance.now() - started);
  }
  return sortedCopy(times);
}

export async function runSearch(): Promise<BenchOutcome> {
  const members = envInt('BENCH_SEARCH_MEMBERS', 100_000);
  const runs = envInt('BENCH_SEARCH_RUNS', 300);
  const dir = makeTempDir('search');
  const store = new SqliteReadStore({ file: join(dir, 'read.db') });
  try {
    await store.ensureCollections(membersProjection.collections);
    const next = random(17);
    const docs: Doc[] = [];
    for (let i = 0; i < members; i++) docs.push(member(i, next));
    for (let i = 0; i < docs.length; i += 5_000) {
      const slice = docs.slice(i, i + 5_000);
      await store.commit(
        [
          ...slice.map((doc): WriteOp => ({ kind: 'put', collection: MEMBER_PROFILES, doc })),
          ...slice.flatMap((doc) => memberTermRows(doc as MemberDoc).map((row): WriteOp => ({ kind: 'put', collection: MEMBER_TERMS, doc: row }))),
        ],
        [],
      );
    }
    const counts = new Map<string, number>();
    for (const doc of docs) for (const row of memberTermRows(doc as MemberDoc)) counts.set(row['term'] as string, (counts.get(row['term'] as string) ?? 0) + 1);
    await store.commit(
      [...counts].map(([term, n]): WriteOp => ({ kind: 'put', collection: MEMBER_TERM_COUNTS, doc: { id: term, members: n } })),
      [],
    );
    say(NAME, `${members} findable members written`);
    const handler = new SearchMembersHandler(store);
    const pick = random(99);
    const centres = Array.from({ length: runs }, () => docs[Math.floor(pick() * docs.length)]!);
    // Warm the statement cache and the page cache as a running server would be.
    for (let i = 0; i < 20; i++) await handler.execute(new SearchMembersQuery({ kind: 'keyword', q: 'city1' }, 0, 20, VIEWER));
    let hits = 0;
    const area = await timed(runs, async (i) => {
      const c = centres[i]!;
      const lat = c['lat'] as number;
      const lon = c['lon'] as number;
      const page = await handler.execute(
        new SearchMembersQuery({ kind: 'area', area: { minLat: lat - 0.1, maxLat: lat + 0.1, minLon: lon - 0.15, maxLon: lon + 0.15, centerLat: lat, centerLon: lon } }, 0, 20, VIEWER),
      );
      hits += page.total;
    });
    const keyword = await timed(runs, (i) => handler.execute(new SearchMembersQuery({ kind: 'keyword', q: `city${i % 200}` }, 0, 20, VIEWER)));
    let shortHits = 0;
    const short = await timed(runs, async (i) => {
      shortHits += (await handler.execute(new SearchMembersQuery({ kind: 'keyword', q: `y${i % 10}` }, 0, 20, VIEWER))).total;
    });
    const baseline = await timed(runs, (i) => store.getMany(MEMBER_PROFILES, docs.slice((i * 20) % (members - 20), ((i * 20) % (members - 20)) + 20).map((d) => d.id)));
    const base99 = percentile(baseline, 99);
    say(NAME, `area: ${fmt(hits / runs, 1)} members per box on average`);
    say(NAME, `two-character keyword: ${fmt(shortHits / runs, 1)} matches on average`);
    const rows = [
      { metric: 'area p99 (ms)', sorted: area },
      { metric: 'keyword p99 (ms)', sorted: keyword },
      { metric: 'two-character keyword p99 (ms)', sorted: short },
    ].map(({ metric, sorted }) => {
      const p99 = percentile(sorted, 99);
      say(NAME, `${metric.replace(' p99 (ms)', '')}: p50 ${fmt(percentile(sorted, 50), 2)} ms, p99 ${fmt(p99, 2)} ms (baseline getMany(20) p99 ${fmt(base99, 2)} ms)`);
      return {
        bench: NAME,
        metric,
        figure: fmt(p99, 2),
        baseline: fmt(base99, 2),
        ratio: fmt(p99 / base99, 1),
        goal: goalText(GOAL, ' ms'),
        verdict: verdict(p99, GOAL),
      };
    });
    return {
      name: NAME,
      rows,
      data: { members, runs, areaP99: percentile(area, 99), keywordP99: percentile(keyword, 99), shortKeywordP99: percentile(short, 99), baselineP99: base99 },
    };
  } finally {
    await store.close();
    removeTempDir(dir);
  }
}

if (require.main === module) {
  void runSearch().then((outcome) => {
    for (const row of outcome.rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  });
}

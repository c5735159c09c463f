import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_VERSIONS, type ParleyEvent } from '../domain/events';
import { newId } from '../domain/ids';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { LEASES, LeaseKeeper } from '../read-store/lease-keeper';
import { MemoryReadStore } from '../read-store/memory-read-store';
import type { Doc, ReadStore } from '../read-store/read-store.port';
import { SqliteReadStore } from '../read-store/sqlite-read-store';
import { commentPosted, roomCreated } from '../../projections/testing/parley-events';
import { streamOf } from '../../projections/testing/projection-harness';
import type { Projection } from './projection';
import { Projector } from './projector';

/** Counts each room's comments: a lost or doubled write shows in the count. */
const counting: Projection = {
  name: 'comment_counts',
  version: 1,
  collections: [{ name: 'comment_counts', indexes: [] }],
  handlers: {
    RoomCreated: async (event, ctx) => {
      await ctx.update('comment_counts', event.data.roomId, (doc) => doc, () => ({ id: event.data.roomId, comments: 0 }));
    },
    CommentPosted: async (event, ctx) => {
      await ctx.update('comment_counts', event.data.roomId, (doc) => ({ ...doc, comments: (doc['comments'] as number) + 1 }));
    },
  },
};

async function append(store: MemoryEventStore, ...events: ParleyEvent[]): Promise<void> {
  for (const event of events) {
    await store.append(streamOf(event), [{ id: newId(), type: event.type, version: EVENT_VERSIONS[event.type], data: event.data, metadata: {} }], 'any');
  }
}

const comments = (roomId: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => commentPosted(roomId, from + i, { senderId: 'u-1', text: `c${from + i}` }));

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const docs = async (store: ReadStore): Promise<Doc[]> =>
  (await store.find('comment_counts')).map(({ _position: _ignored, ...doc }) => doc as Doc);

/*
 * Two projectors over one read store (two processes on one read.db: each has
 * its own connection), with one clock the test moves: the renewal timers are
 * far apart, so every take-over happens when the test ticks.
 */
describe('Projector under the projector lease', () => {
  const TTL = 60_000;
  let dir: string;
  let events: MemoryEventStore;
  let clock: number;
  const projectors: Projector[] = [];
  const stores: ReadStore[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-lease-'));
    events = new MemoryEventStore();
    clock = 1_000_000;
  });

  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((p) => p.stop()));
    await Promise.all(stores.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const projector = (holder: string) => {
    const readStore = new SqliteReadStore({ file: join(dir, 'read.db') });
    stores.push(readStore);
    const lease = new LeaseKeeper(readStore, LEASES.projector, holder, { ttlMs: TTL, now: () => clock });
    const created = new Projector(events, readStore, [counting], { batchSize: 7, lease });
    projectors.push(created);
    return { projector: created, lease, readStore };
  };

  it('two projectors at once: exactly one writes, the other stands by and writes nothing', async () => {
    await append(events, roomCreated('r-1', { createdBy: 'u-1' }), ...comments('r-1', 1, 30));
    const a = projector('a');
    const b = projector('b');
    await Promise.all([a.projector.start(), b.projector.start()]);
    expect([a.projector.holdsLease(), b.projector.holdsLease()].filter(Boolean)).toHaveLength(1);
    const holder = a.projector.holdsLease() ? a : b;
    const standby = holder === a ? b : a;
    await until(() => holder.projector.position() === 31n, 'the holder to project the log');
    expect(await docs(holder.readStore)).toEqual([{ id: 'r-1', comments: 30 }]);
    expect(standby.projector.position()).toBeNull();
  });

  it('a projector that lost its lease stops writing; the next holder resumes from the checkpoints: nothing lost or doubled', async () => {
    await append(events, roomCreated('r-1', { createdBy: 'u-1' }), ...comments('r-1', 1, 20));
    const a = projector('a');
    await a.projector.start();
    await until(() => a.projector.position() === 21n, 'a to project the log');
    const b = projector('b');
    await b.projector.start();
    expect(b.projector.holdsLease()).toBe(false);

    // a stalls (no renewal) past its lease: it stops trusting it one renewal period before the expiry,
    clock += TTL - Math.floor(TTL / 3);
    expect(a.projector.holdsLease()).toBe(false);
    expect(() => a.lease.fence()).toThrow(/not held/);
    // and once expired, b takes it over with a greater token.
    clock += Math.floor(TTL / 3);
    expect(await b.lease.tick()).toBe(true);
    await append(events, ...comments('r-1', 21, 15));
    await until(() => b.projector.position() === 36n, 'b to project what came after');
    // a wakes up: its renewal is refused, and a write under its old token would be too.
    expect(await a.lease.tick()).toBe(false);
    await append(events, ...comments('r-1', 36, 5));
    await until(() => b.projector.position() === 41n, 'b to project the last comments');

    const rebuilt = new MemoryReadStore();
    stores.push(rebuilt);
    await new Projector(events, rebuilt, [counting]).catchUp();
    expect(await docs(b.readStore)).toEqual(await docs(rebuilt));
    expect(await docs(b.readStore)).toEqual([{ id: 'r-1', comments: 40 }]);
  });

  it('a rebuild under the lease is refused while another projector holds it', async () => {
    await append(events, roomCreated('r-1', { createdBy: 'u-1' }));
    const a = projector('a');
    await a.projector.start();
    const stray = projector('stray');
    expect(await stray.lease.tick()).toBe(false);
    await expect(stray.projector.rebuild()).rejects.toThrow(/not held/);
    await until(() => a.projector.position() === 1n, 'a to project the room');
    expect(await docs(a.readStore)).toEqual([{ id: 'r-1', comments: 0 }]);
  });
});

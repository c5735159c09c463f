import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_VERSIONS, type ParleyEvent } from '../domain/events';
import { newId } from '../domain/ids';
import type { Position, StoredEvent } from '../event-store/event-store.port';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { ReadStoreBusyError, type Checkpoint, type WriteOp } from '../read-store/read-store.port';
import { MemoryReadStore } from '../read-store/memory-read-store';
import { SqliteReadStore } from '../read-store/sqlite-read-store';
import { ThreadedSqliteReadStore } from '../read-store/threaded-sqlite-read-store';
import { parleyProjections } from '../../projections';
import { commentDeleted, commentPosted, memberAdded, roomCreated, userRegistered } from '../../projections/testing/parley-events';
import { streamOf } from '../../projections/testing/projection-harness';
import { checkpointName, type Projection } from './projection';
import { PROJECTION_FAILURES, Projector, readProjectionStatus, type ProjectionStatus } from './projector';

/** JSON nested deeper than SQLite's JSON1 parses (1,000 levels): the read store refuses the document. */
function tooDeep(): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < 1_000; i++) value = { a: value };
  return value;
}

async function append(store: MemoryEventStore, ...events: ParleyEvent[]): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = [];
  for (const event of events) {
    const id = event.type === 'CommentPosted' ? event.data.commentId : newId();
    const envelope = { id, type: event.type, version: EVENT_VERSIONS[event.type], data: event.data, metadata: {} };
    const result = await store.append(streamOf(event), [envelope], 'any');
    stored.push({ ...envelope, streamId: streamOf(event), revision: result.nextRevision, position: result.position, recordedAt: '' });
  }
  return stored;
}

/** Counts commits, to see that a healthy batch is still one commit. */
class CountingReadStore extends SqliteReadStore {
  commits = 0;
  failAll = false;
  /** Answers busy to the n-th commit that carries only the timeline's checkpoint (0: never). */
  busyOnTimelineCommit = 0;
  private timelineCommits = 0;
  override async commit(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[]): Promise<void> {
    this.commits++;
    if (this.failAll) throw new Error('read store unreachable');
    if (checkpoints.length === 1 && checkpoints[0]!.name.startsWith('timeline') && ++this.timelineCommits === this.busyOnTimelineCommit) {
      throw new ReadStoreBusyError('Read store busy, nothing written: database is locked');
    }
    return super.commit(ops, checkpoints);
  }
}

const byName = (statuses: readonly ProjectionStatus[], name: string) => statuses.find((s) => s.name === name)!;

/** A projection whose handler throws on one room's creation: a bug that only one event reveals. */
function brittle(failOn: { roomId: string | null }): Projection {
  return {
    name: 'brittle',
    version: 1,
    collections: [{ name: 'brittle_rooms', indexes: [] }],
    handlers: {
      RoomCreated: async (event, ctx) => {
        if (event.data.roomId === failOn.roomId) throw new Error(`cannot handle room ${event.data.roomId}`);
        await ctx.update('brittle_rooms', event.data.roomId, (doc) => doc, () => ({ id: event.data.roomId }));
      },
    },
  };
}

describe('Projector: a projection that fails on an event stops alone', () => {
  let events: MemoryEventStore;
  let reads: CountingReadStore;

  beforeEach(() => {
    events = new MemoryEventStore();
    reads = new CountingReadStore({ file: ':memory:' });
  });
  afterEach(async () => {
    await reads.close();
    await events.close();
  });

  it('marks only the timeline failed on a payload SQLite cannot parse; the others project it and what follows', async () => {
    const before = await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), memberAdded('r-1', 'u-1', { addedBy: 'u-1' }));
    const [bad] = await append(events, commentPosted('r-1', 1, { senderId: 'u-1', payload: tooDeep() }));
    const after = await append(events, commentPosted('r-1', 2, { senderId: 'u-1', text: 'after' }), roomCreated('r-2', { createdBy: 'u-1' }));
    const head = after[after.length - 1]!.position;

    const projector = new Projector(events, reads, parleyProjections, { batchSize: 100 });
    await projector.catchUp();

    const status = projector.status();
    const timeline = byName(status, 'timeline');
    expect(timeline).toMatchObject({
      state: 'failed',
      checkpoint: before[before.length - 1]!.position.toString(),
      failure: { position: bad!.position.toString(), eventId: bad!.id, eventType: 'CommentPosted' },
    });
    expect(timeline.failure!.error).toMatch(/malformed JSON/);
    for (const other of status.filter((s) => s.name !== 'timeline')) {
      expect(other).toMatchObject({ state: 'running', checkpoint: head.toString(), failure: null });
    }
    // The others applied the failing event and the ones after it.
    expect(await reads.get('rooms', 'r-1')).toMatchObject({ lastSeq: 2 });
    expect(await reads.get('rooms', 'r-2')).not.toBeNull();
    expect(await reads.get('timeline', 'r-1-c1')).toBeNull();
    // position() is what every running projection passed.
    expect(projector.position()).toBe(head);
    expect(await projector.waitFor(head, 1_000)).toBe(true);
    // The failure is stored beside the read models for other processes.
    const stored = await readProjectionStatus(reads, parleyProjections);
    expect(byName(stored, 'timeline')).toMatchObject({ state: 'failed', failure: timeline.failure });
    expect(byName(stored, 'rooms')).toMatchObject({ state: 'running', checkpoint: head.toString() });
  });

  it('never blames an event for a busy read store: the batch is retried and the failure names the event at fault', async () => {
    await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), memberAdded('r-1', 'u-1', { addedBy: 'u-1' }));
    const projector = new Projector(events, reads, parleyProjections, { batchSize: 100 });
    await projector.catchUp();
    const [good] = await append(events, commentPosted('r-1', 1, { senderId: 'u-1', text: 'fine' }));
    const [bad] = await append(events, commentPosted('r-1', 2, { senderId: 'u-1', payload: tooDeep() }));
    // The batch fails on `bad`; the timeline alone fails too; its first event-by-event commit (`good`) meets a busy store.
    reads.busyOnTimelineCommit = 2;
    await expect(projector.catchUp()).rejects.toThrow(ReadStoreBusyError);
    expect(byName(projector.status(), 'timeline')).toMatchObject({ state: 'running', failure: null });
    await projector.catchUp();
    const timeline = byName(projector.status(), 'timeline');
    expect(timeline).toMatchObject({ state: 'failed', checkpoint: good!.position.toString(), failure: { eventId: bad!.id } });
    expect(timeline.failure!.error).toMatch(/malformed JSON/);
  });

  it('keeps to one commit per batch while nothing fails', async () => {
    await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), commentPosted('r-1', 1, { senderId: 'u-1' }));
    const projector = new Projector(events, reads, parleyProjections, { batchSize: 100 });
    await projector.catchUp();
    reads.commits = 0;
    await append(events, commentPosted('r-1', 2, { senderId: 'u-1' }), commentPosted('r-1', 3, { senderId: 'u-1' }));
    await projector.catchUp();
    expect(reads.commits).toBe(1);
  });

  it('names the event a handler throws on, keeps the checkpoint just before it, and lets a later start retry it', async () => {
    const failOn = { roomId: 'r-bad' as string | null };
    const projections = [brittle(failOn), ...parleyProjections];
    const first = await append(events, roomCreated('r-ok'));
    const [bad] = await append(events, roomCreated('r-bad'));
    const last = await append(events, roomCreated('r-later'));

    let projector = new Projector(events, reads, projections, { batchSize: 100 });
    await projector.catchUp();
    expect(byName(projector.status(), 'brittle')).toMatchObject({
      state: 'failed',
      checkpoint: first[0]!.position.toString(),
      failure: { position: bad!.position.toString(), eventId: bad!.id, eventType: 'RoomCreated', error: 'cannot handle room r-bad' },
    });
    expect(await reads.get('brittle_rooms', 'r-ok')).not.toBeNull();
    expect(await reads.get('brittle_rooms', 'r-later')).toBeNull();
    expect(await reads.get('rooms', 'r-later')).not.toBeNull();

    // A failed projection is skipped: new events do not touch it and cost one commit.
    reads.commits = 0;
    await append(events, roomCreated('r-new'));
    await projector.catchUp();
    expect(reads.commits).toBe(1);
    expect(byName(projector.status(), 'brittle').checkpoint).toBe(first[0]!.position.toString());

    // Started again with the bug still there: it fails again on the same event, nothing else moves.
    projector = new Projector(events, reads, projections, { batchSize: 100 });
    await projector.catchUp();
    expect(byName(projector.status(), 'brittle')).toMatchObject({ state: 'failed', failure: { eventId: bad!.id } });

    // Started again with the bug fixed: it passes the event and the stored failure goes.
    failOn.roomId = null;
    projector = new Projector(events, reads, projections, { batchSize: 100 });
    await projector.catchUp();
    expect(byName(projector.status(), 'brittle')).toMatchObject({ state: 'running', failure: null });
    expect(await reads.get('brittle_rooms', 'r-bad')).not.toBeNull();
    expect(await reads.get(PROJECTION_FAILURES, checkpointName({ name: 'brittle', version: 1 }))).toBeNull();
    expect(last[0]!.position).toBeLessThanOrEqual(projector.position()!);
  });

  it('a rebuild builds every other projection and reports the one that failed', async () => {
    await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }));
    const [bad] = await append(events, commentPosted('r-1', 1, { senderId: 'u-1', payload: tooDeep() }));
    const last = await append(events, commentPosted('r-1', 2, { senderId: 'u-1' }));
    const projector = new Projector(events, reads, parleyProjections, { batchSize: 10_000 });
    await projector.rebuild();
    const status = projector.status();
    expect(status.filter((s) => s.state === 'failed').map((s) => [s.name, s.failure!.eventId])).toEqual([['timeline', bad!.id]]);
    for (const projection of parleyProjections.filter((p) => p.name !== 'timeline')) {
      expect(await reads.getCheckpoint(checkpointName(projection))).toBe(last[0]!.position.toString());
    }
  });

  it('a rebuild loads without the secondary indexes and ends with every one built again', async () => {
    await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), memberAdded('r-1', 'u-1'));
    await append(events, commentPosted('r-1', 1, { senderId: 'u-1' }), commentPosted('r-1', 2, { senderId: 'u-1' }));
    const projector = new Projector(events, reads, parleyProjections, { batchSize: 10_000 });
    const indexes = () => reads.explainFind('timeline', { filter: { roomId: 'r-1' }, sort: [{ field: 'ord', direction: 'asc' }] }).join('\n');
    await projector.catchUp();
    expect(indexes()).toMatch(/USING INDEX "?ix_timeline__roomId__ord__id"?/);
    const during: string[] = [];
    let drops = 0;
    const drop = jest.spyOn(reads, 'dropSecondaryIndexes').mockImplementation(async function (this: CountingReadStore, collections) {
      drops++;
      return SqliteReadStore.prototype.dropSecondaryIndexes.call(this, collections);
    });
    const commit = jest.spyOn(reads, 'commit').mockImplementation(async function (this: CountingReadStore, ...args) {
      if (args[0].some((op) => op.kind === 'put' && op.collection === 'timeline')) during.push(indexes());
      return SqliteReadStore.prototype.commit.apply(this, args);
    });
    try {
      await projector.rebuild();
    } finally {
      commit.mockRestore();
      drop.mockRestore();
    }
    expect(drops).toBe(1);
    expect(during.length).toBeGreaterThan(0);
    for (const plan of during) expect(plan).not.toMatch(/ix_timeline__roomId__ord__id/);
    expect(indexes()).toMatch(/USING INDEX "?ix_timeline__roomId__ord__id"?/);
    expect((await reads.find('timeline', { filter: { roomId: 'r-1', kind: 'comment' } })).map((doc) => doc['seq'])).toEqual([1, 2]);
  });

  it('a read store that refuses every write fails the batch without blaming a projection', async () => {
    await append(events, roomCreated('r-1'));
    const projector = new Projector(events, reads, parleyProjections, { batchSize: 100 });
    await projector.catchUp();
    await append(events, roomCreated('r-2'));
    reads.failAll = true;
    await expect(projector.catchUp()).rejects.toThrow('read store unreachable');
    expect(projector.status().every((s) => s.state === 'running')).toBe(true);
    reads.failAll = false;
    await projector.catchUp();
    expect(await reads.get('rooms', 'r-2')).not.toBeNull();
  });

  it('wakes a waiter when the projection it waited on behind fails and the others pass', async () => {
    const failOn = { roomId: 'r-bad' as string | null };
    const projector = new Projector(events, reads, [brittle(failOn), ...parleyProjections], { batchSize: 100 });
    await projector.catchUp();
    const stored = await append(events, roomCreated('r-bad'));
    const target: Position = stored[0]!.position;
    const waiting = projector.waitFor(target, 30_000);
    await projector.catchUp();
    await expect(waiting).resolves.toBe(true);
    expect(byName(projector.status(), 'brittle').state).toBe('failed');
  });
});

describe('Projector: a rebuild commits one batch while it projects the next (committer)', () => {
  /** Two rooms, three members each, comments chained in each room and some deleted: every batch reads what the one before wrote. */
  async function writeLog(store: MemoryEventStore): Promise<void> {
    await append(store, userRegistered('u-1'), userRegistered('u-2'), userRegistered('u-3'));
    for (const roomId of ['r-1', 'r-2']) {
      await append(store, roomCreated(roomId, { createdBy: 'u-1' }), memberAdded(roomId, 'u-1'), memberAdded(roomId, 'u-2'), memberAdded(roomId, 'u-3'));
    }
    for (let seq = 1; seq <= 60; seq++) {
      for (const roomId of ['r-1', 'r-2']) {
        const previousId = seq === 1 ? null : `${roomId}-c${seq - 1}`;
        await append(store, commentPosted(roomId, seq, { senderId: `u-${(seq % 3) + 1}`, previousId }));
        if (seq % 7 === 0) await append(store, commentDeleted(roomId, seq - 3));
      }
    }
  }

  const collections = parleyProjections.flatMap((p) => p.collections.map((c) => c.name));
  async function contents(store: Pick<SqliteReadStore, 'find'>): Promise<Record<string, unknown[]>> {
    const all: Record<string, unknown[]> = {};
    for (const name of collections) all[name] = (await store.find(name)).sort((a, b) => (a.id < b.id ? -1 : 1));
    return all;
  }

  /** The read models as one plain batch builds them, with no committer. */
  async function plainBuild(store: MemoryEventStore): Promise<Record<string, unknown[]>> {
    const reads = new MemoryReadStore();
    await new Projector(store, reads, parleyProjections, { batchSize: 10_000 }).rebuild();
    return contents(reads);
  }

  /** Commits into `reads` `delayMs` later, failing the `failing`-th commit (0: none). */
  function lateCommitter(reads: MemoryReadStore, delayMs: number, failing = 0) {
    let calls = 0;
    return {
      calls: () => calls,
      commit: async (...args: Parameters<MemoryReadStore['commit']>) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (++calls === failing) throw new Error('the disk said no');
        return reads.commit(...args);
      },
    };
  }

  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-committer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds what one batch builds, with the commits on their own thread and a connection of their own (parley rebuild)', async () => {
    const store = new MemoryEventStore();
    await writeLog(store);
    const file = join(dir, 'read.db');
    const reads = new SqliteReadStore({ file });
    const committer = new ThreadedSqliteReadStore({ file });
    try {
      const applied = await new Projector(store, reads, parleyProjections, { batchSize: 7, committer }).rebuild();
      expect(applied).toBe(Number(await store.headPosition()));
      const built = await contents(reads);
      expect((built['timeline'] ?? []).length).toBeGreaterThan(120);
      expect(built).toEqual(await plainBuild(store));
    } finally {
      await committer.close();
      await reads.close();
    }
  });

  it('carries the documents of the batch in flight: a commit landing late changes nothing', async () => {
    const store = new MemoryEventStore();
    await writeLog(store);
    const reads = new MemoryReadStore();
    // The commit lands after the next batch has read the store: only what is carried tells that batch what it wrote.
    const committer = lateCommitter(reads, 5);
    await new Projector(store, reads, parleyProjections, { batchSize: 5, committer }).rebuild();
    expect(committer.calls()).toBeGreaterThan(20);
    expect(await contents(reads)).toEqual(await plainBuild(store));
  });

  it('applies a batch whose commit failed, and the one projected on it, again from the store', async () => {
    const store = new MemoryEventStore();
    await writeLog(store);
    const reads = new MemoryReadStore();
    const committer = lateCommitter(reads, 1, 4);
    const projector = new Projector(store, reads, parleyProjections, { batchSize: 6, committer });
    await projector.rebuild();
    expect(committer.calls()).toBeGreaterThan(4);
    expect(projector.status().every((status) => status.state === 'running')).toBe(true);
    expect(await contents(reads)).toEqual(await plainBuild(store));
  });

  it('follows a log still being written (parley import): builds from the first events and ends at the head once the writer ends', async () => {
    const source = new MemoryEventStore();
    await writeLog(source);
    const events = await source.readAll({ maxCount: 100_000 });
    const target = new MemoryEventStore();
    await target.importEvents(events.slice(0, 10));
    // The import goes on in chunks, 10 ms apart, while the rebuild runs: it reaches the head many times before the end.
    let writerDone = false;
    const writer = (async () => {
      for (let i = 10; i < events.length; i += 17) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        await target.importEvents(events.slice(i, i + 17));
      }
      writerDone = true;
    })();
    const reads = new MemoryReadStore();
    let appliedWhileWriting = 0;
    const applied = await new Projector(target, reads, parleyProjections, { batchSize: 8, committer: lateCommitter(reads, 1) }).rebuild(
      (_position, done) => {
        if (!writerDone) appliedWhileWriting = done;
      },
      { until: writer },
    );
    expect(appliedWhileWriting).toBeGreaterThan(10);
    expect(applied).toBe(events.length);
    expect(await contents(reads)).toEqual(await plainBuild(source));
  });
});

describe('Projector: following a busy log, the next batch is let fill (linger)', () => {
  let events: MemoryEventStore;
  let reads: CountingReadStore;
  let projector: Projector | null;

  beforeEach(() => {
    events = new MemoryEventStore();
    reads = new CountingReadStore({ file: ':memory:' });
    projector = null;
  });
  afterEach(async () => {
    await projector?.stop();
    await reads.close();
    await events.close();
  });

  it('after a batch of afterEvents events, waits ms before reading on, then applies what came meanwhile in one commit', async () => {
    const first = await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), commentPosted('r-1', 1, { senderId: 'u-1' }));
    projector = new Projector(events, reads, parleyProjections, { batchSize: 100, linger: { afterEvents: 3, ms: 1_000 } });
    await projector.start();
    // The log's three events are the first batch: it is applied at once, and the linger starts.
    expect(await projector.waitFor(first[2]!.position, 5_000)).toBe(true);
    reads.commits = 0;
    const later = await append(events, commentPosted('r-1', 2, { senderId: 'u-1' }), commentPosted('r-1', 3, { senderId: 'u-1' }));
    const last = later[1]!.position;
    expect(await projector.waitFor(last, 100)).toBe(false);
    expect(await projector.waitFor(last, 5_000)).toBe(true);
    expect(reads.commits).toBe(1);
  });

  it('follows a quiet log at once: a batch smaller than afterEvents is not followed by a wait', async () => {
    const first = await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }));
    projector = new Projector(events, reads, parleyProjections, { batchSize: 100, linger: { afterEvents: 3, ms: 10_000 } });
    await projector.start();
    expect(await projector.waitFor(first[1]!.position, 5_000)).toBe(true);
    const [comment] = await append(events, commentPosted('r-1', 1, { senderId: 'u-1' }));
    expect(await projector.waitFor(comment!.position, 5_000)).toBe(true);
  });

  it('stops without waiting for a linger to end', async () => {
    const first = await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), commentPosted('r-1', 1, { senderId: 'u-1' }));
    const lingering = new Projector(events, reads, parleyProjections, { batchSize: 100, linger: { afterEvents: 3, ms: 60_000 } });
    await lingering.start();
    expect(await lingering.waitFor(first[2]!.position, 5_000)).toBe(true);
    // Lingering now (a minute), with nothing written meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    await lingering.stop();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('refuses a linger that is not a positive event count and a duration', () => {
    expect(() => new Projector(events, reads, parleyProjections, { linger: { afterEvents: 0, ms: 20 } })).toThrow(/invalid linger/);
    expect(() => new Projector(events, reads, parleyProjections, { linger: { afterEvents: 32, ms: -1 } })).toThrow(/invalid linger/);
  });
});

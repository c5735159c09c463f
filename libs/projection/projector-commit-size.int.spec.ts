import { EVENT_VERSIONS, type ParleyEvent } from '../domain/events';
import { newId } from '../domain/ids';
import type { StoredEvent } from '../event-store/event-store.port';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { assertCommitFits } from '../read-store/mongo-read-store';
import type { Checkpoint, WriteOp } from '../read-store/read-store.port';
import { SqliteReadStore } from '../read-store/sqlite-read-store';
import { parleyProjections } from '../../projections';
import { commentPosted, memberAdded, roomCreated, userRegistered } from '../../projections/testing/parley-events';
import { streamOf } from '../../projections/testing/projection-harness';
import { Projector } from './projector';

/*
 * A batch whose commit is beyond the read store's transaction limits (MongoDB's
 * size check, assertCommitFits, applied here to SQLite so it runs everywhere)
 * is split into smaller commits; one event still too large stops its
 * projection instead of being retried forever.
 */
class LimitedReadStore extends SqliteReadStore {
  commits: number[] = [];
  refused = 0;
  constructor(private readonly limits: { maxOps: number; maxBytes: number }) {
    super({ file: ':memory:' });
  }
  override async commit(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[]): Promise<void> {
    const bytes = ops.flatMap((op) => (op.kind === 'put' ? [Buffer.byteLength(JSON.stringify(op.doc))] : []));
    try {
      assertCommitFits(bytes, ops.length + checkpoints.length, this.limits);
    } catch (error) {
      this.refused++;
      throw error;
    }
    this.commits.push(ops.length + checkpoints.length);
    return super.commit(ops, checkpoints);
  }
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

describe('Projector: commits within the read store transaction limits', () => {
  let events: MemoryEventStore;
  let reads: LimitedReadStore | undefined;

  beforeEach(() => {
    events = new MemoryEventStore();
  });
  afterEach(async () => {
    await reads?.close();
    await events.close();
  });

  it('splits a batch too large for one commit and projects every event once, nothing marked failed', async () => {
    reads = new LimitedReadStore({ maxOps: 40, maxBytes: 1024 * 1024 });
    await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), memberAdded('r-1', 'u-1', { addedBy: 'u-1' }));
    const posts = Array.from({ length: 60 }, (_, i) => commentPosted('r-1', i + 1, { senderId: 'u-1' }));
    const stored = await append(events, ...posts);
    const head = stored[stored.length - 1]!.position;

    const projector = new Projector(events, reads, parleyProjections, { batchSize: 1000 });
    await projector.catchUp();

    expect(reads.refused).toBeGreaterThan(0);
    expect(reads.commits.length).toBeGreaterThan(1);
    for (const size of reads.commits) expect(size).toBeLessThanOrEqual(40);
    for (const status of projector.status()) expect(status).toMatchObject({ state: 'running', checkpoint: head.toString(), failure: null });
    const timeline = await reads.find('timeline', { filter: { roomId: 'r-1' }, sort: [{ field: 'ord', direction: 'asc' }] });
    // Every comment once, in order, and the order counter neither skipped nor doubled across the commits.
    const comments = timeline.filter((doc) => typeof doc['seq'] === 'number');
    expect(comments.map((doc) => doc['seq'])).toEqual(posts.map((_, i) => i + 1));
    const ords = timeline.map((doc) => doc['ord']);
    expect(ords).toEqual(ords.map((_, i) => i + 1));
  });

  it('stops only the projection whose single event is too large, instead of retrying it forever', async () => {
    reads = new LimitedReadStore({ maxOps: 1000, maxBytes: 4096 });
    await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), memberAdded('r-1', 'u-1', { addedBy: 'u-1' }));
    const [big] = await append(events, commentPosted('r-1', 1, { senderId: 'u-1', text: 'x'.repeat(8000) }));
    const after = await append(events, commentPosted('r-1', 2, { senderId: 'u-1', text: 'small' }));
    const head = after[after.length - 1]!.position;

    const projector = new Projector(events, reads, parleyProjections, { batchSize: 1000 });
    await projector.catchUp();

    const timeline = projector.status().find((status) => status.name === 'timeline')!;
    expect(timeline).toMatchObject({ state: 'failed', failure: { eventId: big!.id, eventType: 'CommentPosted' } });
    expect(timeline.failure!.error).toMatch(/too large/);
    // Projections that copy the text (the room's last message) stop on the same event; the rest go on to the head.
    for (const status of projector.status()) {
      if (status.state === 'failed') expect(status.failure).toMatchObject({ eventId: big!.id });
      else expect(status.checkpoint).toBe(head.toString());
    }
    expect(projector.status().find((status) => status.name === 'users')).toMatchObject({ state: 'running' });
  });
});

/** Counts reads by collection: one round trip each on MongoDB. */
class CountingReads extends SqliteReadStore {
  gets = new Map<string, number>();
  getManys = new Map<string, number>();
  constructor() {
    super({ file: ':memory:' });
  }
  override async get(collection: string, id: string) {
    this.gets.set(collection, (this.gets.get(collection) ?? 0) + 1);
    return super.get(collection, id);
  }
  override async getMany(collection: string, ids: readonly string[]) {
    this.getManys.set(collection, (this.getManys.get(collection) ?? 0) + 1);
    return super.getMany(collection, ids);
  }
}

describe('Projector: reads a batch’s documents in one query per collection', () => {
  it('prefetches the rooms, counters and entries 100 comments touch instead of reading them one by one', async () => {
    const events = new MemoryEventStore();
    const reads = new CountingReads();
    try {
      await append(events, userRegistered('u-1'), roomCreated('r-1', { createdBy: 'u-1' }), memberAdded('r-1', 'u-1', { addedBy: 'u-1' }));
      const setup = new Projector(events, reads, parleyProjections, { batchSize: 1000 });
      await setup.catchUp();
      await append(events, ...Array.from({ length: 100 }, (_, i) => commentPosted('r-1', i + 1, { senderId: 'u-1' })));
      reads.gets.clear();
      reads.getManys.clear();

      await setup.catchUp();

      // One batch: each prefetched collection read once, none document by document.
      for (const collection of ['timeline', 'timeline_rooms', 'rooms', 'membership_rooms']) {
        expect([collection, reads.gets.get(collection) ?? 0]).toEqual([collection, 0]);
        expect([collection, reads.getManys.get(collection)]).toEqual([collection, 1]);
      }
      const timeline = await reads.find('timeline', { filter: { roomId: 'r-1' } });
      expect(timeline.filter((doc) => typeof doc['seq'] === 'number')).toHaveLength(100);
      expect(await reads.get('rooms', 'r-1')).toMatchObject({ lastSeq: 100 });
    } finally {
      await reads.close();
      await events.close();
    }
  });
});

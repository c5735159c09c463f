import type { StoredEvent } from '../../../libs/event-store/event-store.port';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import type { Doc } from '../../../libs/read-store/read-store.port';
import { presenceProjection } from '../../../projections/presence.projection';
import type { LogFollower, LogListener } from '../infrastructure/log-follower';
import { PresenceDocs } from './presence-docs';

/** A read store whose reads are counted, and a log follower driven by hand. */
async function setup(startPosition = 0n) {
  const readStore = new MemoryReadStore();
  await readStore.ensureCollections(presenceProjection.collections);
  let listener: LogListener = () => undefined;
  const follower = { startPosition, listen: (l: LogListener) => ((listener = l), () => undefined) } as unknown as LogFollower;
  const docs = new PresenceDocs(readStore, follower);
  docs.onModuleInit();
  const reads: string[][] = [];
  const getMany = readStore.getMany.bind(readStore);
  readStore.getMany = async (collection, ids) => {
    reads.push([...ids]);
    return getMany(collection, ids);
  };
  /** The projector's work: documents and the checkpoint at `position`. */
  const project = (position: number, ...changes: [string, string][]) =>
    readStore.commit(
      changes.map(([id, status]) => ({ kind: 'put', collection: 'presence', doc: { id, status, _position: String(position) } })),
      [{ name: 'presence@v1', position: String(position) }],
    );
  /** The log follower's work: events as they are appended. */
  const appended = (position: number, userId: string, type = 'PresenceChanged') =>
    listener([{ id: `e${position}`, type, version: 1, streamId: `presence-${userId}`, revision: 0, position: BigInt(position), recordedAt: '', data: { userId }, metadata: {} } as StoredEvent]);
  const statuses = async (ids: string[]) => [...(await docs.getMany(ids)).values()].map((d: Doc) => `${d.id}:${String(d['status'])}`);
  return { readStore, docs, reads, project, appended, statuses, setListener: (l: LogListener) => (listener = l) };
}

describe('PresenceDocs', () => {
  it('caches nothing until the follower has delivered and the read model has passed where it started', async () => {
    const s = await setup(10n);
    await s.project(5, ['a', 'online']);
    expect(await s.statuses(['a'])).toEqual(['a:online']);
    expect(s.docs.size).toBe(0);
    await s.appended(11, 'b', 'RoomCreated');
    await s.statuses(['a']);
    expect(s.docs.size).toBe(0); // the read model is at 5, following began at 10
    await s.project(11);
    await s.statuses(['a']);
    expect(s.docs.size).toBe(1);
    const before = s.reads.length;
    expect(await s.statuses(['a', 'missing'])).toEqual(['a:online']);
    expect(s.reads.slice(before)).toEqual([['missing']]);
  });

  it('drops a copy when the log moves past it, and serves the read model until it has caught up', async () => {
    const s = await setup();
    await s.appended(1, 'x', 'RoomCreated');
    await s.project(1, ['a', 'online'], ['b', 'busy']);
    expect(await s.statuses(['a', 'b'])).toEqual(['a:online', 'b:busy']);
    expect(s.docs.size).toBe(2);
    await s.appended(2, 'a');
    expect(s.docs.size).toBe(1);
    // The projector has not applied position 2 yet: the old copy is served, not kept.
    expect(await s.statuses(['a', 'b'])).toEqual(['b:busy', 'a:online']);
    expect(s.docs.size).toBe(1);
    await s.project(2, ['a', 'away']);
    expect(await s.statuses(['a'])).toEqual(['a:away']);
    expect(s.docs.size).toBe(2);
    const before = s.reads.length;
    expect(await s.statuses(['a', 'b'])).toEqual(['a:away', 'b:busy']);
    expect(s.reads.length).toBe(before);
  });

  it('keeps nothing a fetch read before an event that arrived while it was in flight', async () => {
    const s = await setup();
    await s.appended(1, 'x', 'RoomCreated');
    await s.project(1, ['a', 'online']);
    const getMany = s.readStore.getMany.bind(s.readStore);
    s.readStore.getMany = async (collection, ids) => {
      const docs = await getMany(collection, ids);
      await s.appended(2, 'a', 'ContactBlocked');
      return docs;
    };
    expect(await s.statuses(['a'])).toEqual(['a:online']);
    expect(s.docs.size).toBe(0);
  });

  it('follows every event type the projection handles, and no other', async () => {
    for (const type of Object.keys(presenceProjection.handlers)) {
      const s = await setup();
      await s.appended(1, 'x', 'RoomCreated');
      await s.project(1, ['a', 'online']);
      await s.statuses(['a']);
      await s.appended(2, 'a', 'CommentPosted');
      expect(s.docs.size).toBe(1);
      await s.appended(3, 'a', type);
      expect(s.docs.size).toBe(0);
    }
  });

  it('a fetch that overlaps a pruning of the notes keeps nothing; notes the read model passed are dropped', async () => {
    const s = await setup();
    await s.appended(1, 'x', 'RoomCreated');
    await s.project(1, ['a', 'online']);
    const getMany = s.readStore.getMany.bind(s.readStore);
    s.readStore.getMany = async (collection, ids) => {
      const docs = await getMany(collection, ids);
      // 5,001 users change; the read model has them all: the notes are pruned meanwhile.
      await s.project(5_002);
      for (let i = 0; i < 5_001; i++) await s.appended(2 + i, `u${i}`);
      return docs;
    };
    expect(await s.statuses(['a'])).toEqual(['a:online']);
    expect(s.docs.size).toBe(0);
    s.readStore.getMany = getMany;
    await s.statuses(['a', 'u7']);
    expect(s.docs.size).toBe(1); // u7 has no document; `a` is kept now
  });

  it('starts over when too many users await the read model, and caches again once it has caught up', async () => {
    const s = await setup();
    await s.appended(1, 'x', 'RoomCreated');
    await s.project(1, ['a', 'online']);
    await s.statuses(['a']);
    for (let i = 0; i < 50_001; i++) await s.appended(2 + i, `u${i}`);
    expect(s.docs.size).toBe(0);
    await s.statuses(['a']);
    expect(s.docs.size).toBe(0);
    await s.project(50_002);
    await s.statuses(['a']);
    expect(s.docs.size).toBe(1);
  });
});

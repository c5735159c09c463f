import type { StoredEvent } from '../../../libs/event-store/event-store.port';
import { checkpointName } from '../../../libs/projection/projection';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import { contactsProjection } from '../../../projections/contacts.projection';
import type { LogFollower, LogListener } from '../infrastructure/log-follower';
import { MatchedContacts, type MatchedEntry } from './matched-contacts';

const CHECKPOINT = checkpointName(contactsProjection);

/** The cache over a read store whose checkpoint is set by hand, a log follower driven by hand, and a counted read. */
async function setup(startPosition = 0n) {
  const readStore = new MemoryReadStore();
  await readStore.ensureCollections(contactsProjection.collections);
  let listener: LogListener = () => undefined;
  const follower = { startPosition, live: true, listen: (l: LogListener) => ((listener = l), () => undefined) } as unknown as LogFollower;
  const cache = new MatchedContacts(readStore, follower);
  cache.minimumBook = 1;
  cache.onModuleInit();
  /** What the read model holds for each owner, and how many times it was read. */
  const books = new Map<string, MatchedEntry[]>();
  let reads = 0;
  const matchedOf = (ownerId: string) =>
    cache.of(ownerId, async () => {
      reads++;
      return [...(books.get(ownerId) ?? [])];
    });
  /** The projector's work: the owner's book as of `position`, and the checkpoint. */
  const project = async (position: number, ownerId?: string, userIds: string[] = []) => {
    if (ownerId !== undefined) books.set(ownerId, userIds.map((userId) => ({ contactId: userId, userId })));
    await readStore.commit([], [{ name: CHECKPOINT, position: String(position) }]);
  };
  /** The log follower's work: one event as it is appended (an owner's book, or an account). */
  const appended = (position: number, type: string, data: Record<string, unknown>) =>
    listener([{ id: `e${position}`, type, version: 1, streamId: 's', revision: 0, position: BigInt(position), recordedAt: '', data, metadata: {} } as StoredEvent]);
  /** A book written at `position`, seen by the follower, applied by the projector and read once: a copy is kept. */
  const kept = async (position: number, ownerId: string, userIds: string[]) => {
    await appended(position, 'ContactAdded', { ownerId });
    await project(position, ownerId, userIds);
    await matchedOf(ownerId);
    expect(cache.size).toBe(1);
  };
  return { cache, matchedOf, project, appended, kept, reads: () => reads };
}

describe('MatchedContacts', () => {
  it('answers a kept book without reading until an event for that book, and keeps others meanwhile', async () => {
    const s = await setup();
    await s.appended(1, 'ContactsImported', { ownerId: 'o1' });
    await s.project(1, 'o1', ['a', 'b']);
    await s.project(1, 'o2', ['c']);
    expect((await s.matchedOf('o1')).map((e) => e.userId)).toEqual(['a', 'b']);
    expect((await s.matchedOf('o2')).map((e) => e.userId)).toEqual(['c']);
    expect(await s.matchedOf('o1')).toHaveLength(2);
    expect(s.reads()).toBe(2);
    await s.appended(2, 'ContactsRemoved', { ownerId: 'o1' });
    await s.project(2, 'o1', ['a']);
    expect((await s.matchedOf('o1')).map((e) => e.userId)).toEqual(['a']);
    expect(await s.matchedOf('o2')).toHaveLength(1);
    expect(s.reads()).toBe(3);
  });

  it('drops every book on an account event: a registration may match entries of any book', async () => {
    const s = await setup();
    await s.project(1, 'o1', ['a']);
    await s.project(1, 'o2', ['c']);
    await s.appended(1, 'ContactAdded', { ownerId: 'o1' });
    await s.matchedOf('o1');
    await s.matchedOf('o2');
    expect(s.cache.size).toBe(2);
    await s.appended(2, 'UserRegistered', { userId: 'z', username: 'z' });
    expect(s.cache.size).toBe(0);
  });

  it('keeps nothing read before the read model passed an event seen for the book, and answers it fresh then', async () => {
    const s = await setup();
    await s.project(1, 'o1', ['a']);
    await s.appended(1, 'ContactAdded', { ownerId: 'o1' });
    await s.appended(2, 'ContactAdded', { ownerId: 'o1' });
    // The read model is still at 1: what it answers is answered, not kept.
    await s.matchedOf('o1');
    expect(s.cache.size).toBe(0);
    await s.project(2, 'o1', ['a', 'b']);
    expect(await s.matchedOf('o1')).toHaveLength(2);
    expect(s.cache.size).toBe(1);
  });

  it('reads, never answers a copy, while the read model has applied events the follower has not handed over', async () => {
    const s = await setup();
    await s.kept(1, 'o1', ['a']);
    // Applied by the projector (a write, then a read with X-Min-Position), not yet delivered to this process.
    await s.project(2, 'o1', ['a', 'b']);
    expect((await s.matchedOf('o1')).map((e) => e.userId)).toEqual(['a', 'b']);
    expect(s.reads()).toBe(2);
  });

  it('keeps nothing before the read model passed where following began', async () => {
    const s = await setup(10n);
    await s.project(5, 'o1', ['a']);
    await s.matchedOf('o1');
    expect(s.cache.size).toBe(0);
    await s.project(10);
    await s.matchedOf('o1');
    expect(s.cache.size).toBe(1);
  });

  it('starts over when the read model goes back (a rebuild), keeping nothing until it is back where it was', async () => {
    const s = await setup();
    await s.kept(3, 'o1', ['a', 'b']);
    // Rebuilt from the start: at 1, the book does not have b yet, and no event for it comes again.
    await s.project(1, 'o1', ['a']);
    expect(await s.matchedOf('o1')).toHaveLength(1);
    expect(s.cache.size).toBe(0);
    await s.project(3, 'o1', ['a', 'b']);
    expect(await s.matchedOf('o1')).toHaveLength(2);
    expect(s.cache.size).toBe(1);
  });

  it('keeps books only from minimumBook entries', async () => {
    const s = await setup();
    s.cache.minimumBook = 3;
    await s.project(1, 'o1', ['a', 'b']);
    await s.matchedOf('o1');
    expect(s.cache.size).toBe(0);
  });
});

import { DEFAULT_PERMISSIONS, EVENT_VERSIONS, type CommentPosted } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { NewEvent, Position } from '../../../libs/event-store/event-store.port';
import { MemoryEventStore } from '../../../libs/event-store/memory-event-store';
import { checkpointName } from '../../../libs/projection/projection';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import { timelineProjection } from '../../../projections/timeline.projection';
import { LogFollower } from '../infrastructure/log-follower';
import { RoomStates } from '../rooms/room-states';
import { CommentLookup } from './comment-lookup';

const ROOM = 'room-a';

const posted = (commentId: string, seq: number, roomId = ROOM): NewEvent => {
  const data: CommentPosted['data'] = {
    commentId, roomId, seq, previousId: null, senderId: 'u1', text: `text ${commentId}`, commentType: 'text',
    payload: null, replyTo: null, clientId: `key-${commentId}`, postedAt: '2026-01-01T00:00:00.000Z',
  };
  return { id: commentId, type: 'CommentPosted', version: EVENT_VERSIONS.CommentPosted, data, metadata: {} };
};

describe('CommentLookup: the read model up to its checkpoint, the stream after it', () => {
  let store: MemoryEventStore;
  let readStore: MemoryReadStore;
  let lookup: CommentLookup;
  const positions = new Map<string, Position>();

  beforeEach(async () => {
    store = new MemoryEventStore();
    readStore = new MemoryReadStore();
    await readStore.ensureCollections(timelineProjection.collections);
    lookup = new CommentLookup(store, readStore, new RoomStates(store, new LogFollower(store)));
    for (const [i, id] of ['c1', 'c2', 'c3', 'c4'].entries()) {
      positions.set(id, (await store.append(streams.comments(ROOM), [posted(id, i + 1)], i === 0 ? 'no_stream' : i - 1)).position);
    }
    await store.append(streams.comments('room-b'), [posted('b1', 1, 'room-b')], 'no_stream');
    // The read model has seen c1 and c2 only.
    const doc = (id: string, seq: number) => ({
      id, roomId: ROOM, kind: 'comment', seq, ord: seq, type: 'text', previousId: null, senderId: 'u1', text: `text ${id}`,
      payload: null, replyTo: null, clientId: `key-${id}`, createdAt: '2026-01-01T00:00:00.000Z',
      position: positions.get(id)!.toString(), deleted: false,
    });
    await readStore.commit(
      [{ kind: 'put', collection: 'timeline', doc: doc('c1', 1) }, { kind: 'put', collection: 'timeline', doc: doc('c2', 2) }],
      [{ name: checkpointName(timelineProjection), position: positions.get('c2')!.toString() }],
    );
  });

  afterEach(async () => {
    await store.close();
    await readStore.close();
  });

  it('finds projected comments in the read model and the others in the stream after the checkpoint, reading no further', async () => {
    const reads = jest.spyOn(store, 'readStream');
    const found = await lookup.find(ROOM, ['c1', 'c4', 'nope']);
    expect([...found.keys()].sort()).toEqual(['c1', 'c4']);
    expect(found.get('c1')).toMatchObject({ id: 'c1', seq: 1, clientId: 'key-c1', position: positions.get('c1')!.toString(), deleted: false });
    expect(found.get('c4')).toMatchObject({ id: 'c4', seq: 4, text: 'text c4', position: positions.get('c4')!.toString() });
    // Backwards from the head: c4, c3, then c2 is at the checkpoint and the scan stops.
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reads.mock.calls[0]?.[1]).toMatchObject({ direction: 'backwards' });
  });

  it('reads no comment stream when the known head is already projected, or the stream is empty', async () => {
    const reads = jest.spyOn(store, 'readStream');
    expect((await lookup.find(ROOM, ['c9'], { revision: 1, position: positions.get('c2')! })).size).toBe(0);
    expect((await lookup.find(ROOM, ['c9'], null)).size).toBe(0);
    expect((await lookup.find(ROOM, [])).size).toBe(0);
    expect(reads.mock.calls.filter(([streamId]) => streamId.startsWith('comments-'))).toEqual([]);
  });

  it("finds a thread's first message in the room's creation append, before the comment stream", async () => {
    const thread = 'thread-t';
    const opening = { ...posted('t1', 1, thread), id: 't1' };
    const created: NewEvent[] = [
      { id: 'r0', type: 'RoomCreated', version: EVENT_VERSIONS.RoomCreated, metadata: {}, data: {
        roomId: thread, kind: 'thread', name: 'Subject', topic: null, avatarUrl: null, createdBy: 'u1',
        permissions: DEFAULT_PERMISSIONS, historyVisibility: 'shared', applicationId: null, createdAt: '2026-01-01T00:00:00.000Z',
      } },
      { id: 'r1', type: 'MemberAdded', version: EVENT_VERSIONS.MemberAdded, metadata: {}, data: { roomId: thread, userId: 'u1', role: 'member', addedBy: 'u1', addedAt: '2026-01-01T00:00:00.000Z' } },
      opening,
    ];
    const { position } = await store.append(streams.room(thread), created, 'no_stream');
    // Nothing in comments-<thread> yet: the sequencer knows an empty stream (head null).
    expect(await lookup.find(thread, ['t1'], null)).toEqual(new Map([['t1', expect.objectContaining({ id: 't1', seq: 1, roomId: thread, position: position.toString() })]]));
    await store.append(streams.comments(thread), [posted('t2', 2, thread)], 'no_stream');
    expect([...(await lookup.find(thread, ['t1', 't2'])).keys()].sort()).toEqual(['t1', 't2']);
    // Not a comment of another room, whatever its id.
    expect((await lookup.find(ROOM, ['t1'])).size).toBe(0);
  });

  it('scans from the known head, not the stream end', async () => {
    const found = await lookup.find(ROOM, ['c3', 'c4'], { revision: 2, position: positions.get('c3')! });
    expect([...found.keys()]).toEqual(['c3']);
  });

  it('finds only comments of the room asked for', async () => {
    expect((await lookup.find(ROOM, ['b1'])).size).toBe(0);
    expect([...(await lookup.find('room-b', ['b1', 'c1'])).keys()]).toEqual(['b1']);
  });

  it('reads the whole stream while the read model has no checkpoint (rebuilding)', async () => {
    await readStore.reset(['timeline'], [checkpointName(timelineProjection)]);
    expect([...(await lookup.find(ROOM, ['c1', 'c2'])).keys()].sort()).toEqual(['c1', 'c2']);
  });
});

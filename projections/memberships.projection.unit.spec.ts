import type { ParleyEvent } from '../libs/domain/events';
import type { Doc } from '../libs/read-store/read-store.port';
import { membershipId, membershipsProjection, unreadCount } from './memberships.projection';
import {
  at,
  commentDeleted,
  commentPosted,
  historyCleared,
  markedUnread,
  memberAdded,
  memberLeft,
  memberRemoved,
  muteChanged,
  OWNER,
  roleChanged,
  roomCreated,
  roomRead,
} from './testing/parley-events';
import { given, type ProjectionScenario, thenReplayChangesNothing } from './testing/projection-harness';

const ROOM = 'room-1';
const OTHER = 'room-2';
const ALICE = 'u-alice';
const BOB = 'u-bob';
const CAROL = 'u-carol';

/** ROOM with OWNER (owner), ALICE and BOB (members), no comments. */
const room: ParleyEvent[] = [
  roomCreated(ROOM, { createdAt: at(0) }),
  memberAdded(ROOM, OWNER, { role: 'owner', addedBy: OWNER, addedAt: at(0) }),
  memberAdded(ROOM, ALICE, { addedAt: at(1) }),
  memberAdded(ROOM, BOB, { addedAt: at(2) }),
];
const comments = (...seqs: number[]) => seqs.map((seq) => commentPosted(ROOM, seq));

const membership = async (scenario: ProjectionScenario, userId: string, roomId = ROOM): Promise<Doc> => {
  const doc = await scenario.doc('memberships', membershipId(roomId, userId));
  if (!doc) throw new Error(`no membership of ${userId} in ${roomId}`);
  return doc;
};
const unread = async (scenario: ProjectionScenario, userId: string) => unreadCount(await membership(scenario, userId));
const memberIdsOf = async (scenario: ProjectionScenario, roomId = ROOM) =>
  (await scenario.doc('membership_rooms', roomId))?.['memberIds'];

describe('memberships projection', () => {
  it('membershipId joins room and user', () => {
    expect(membershipId('r', 'u')).toBe('r:u');
  });

  it('RoomCreated: an empty member list, no membership yet', async () => {
    const scenario = await given(membershipsProjection);
    const [stored] = await scenario.when(roomCreated(ROOM, { createdAt: at(3) }));
    expect(await scenario.doc('membership_rooms', ROOM)).toEqual({
      id: ROOM,
      memberIds: [],
      lastSeq: 0,
      lastActivityAt: at(3),
      _position: stored!.position.toString(),
    });
    expect(await scenario.docs('memberships')).toEqual([]);
    await thenReplayChangesNothing(scenario, 'RoomCreated');
  });

  it('MemberAdded: an active membership with nothing unread, and the member listed', async () => {
    const scenario = await given(membershipsProjection, room.slice(0, 3));
    const [stored] = await scenario.when(memberAdded(ROOM, BOB, { role: 'operator', addedAt: at(7) }));
    expect(await membership(scenario, BOB)).toEqual({
      id: membershipId(ROOM, BOB),
      roomId: ROOM,
      userId: BOB,
      active: true,
      role: 'operator',
      muted: false,
      joinedAt: at(7),
      lastReadSeq: 0,
      markedUnread: false,
      lastSeq: 0,
      lastActivityAt: at(7),
      _position: stored!.position.toString(),
    });
    expect(await memberIdsOf(scenario)).toEqual([OWNER, ALICE, BOB]);
    expect(await unread(scenario, BOB)).toBe(0);
    await thenReplayChangesNothing(scenario, 'MemberAdded');
  });

  it('MemberAdded to a room with history: the new member starts with the history read', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2, 3)]);
    await scenario.when(memberAdded(ROOM, CAROL, { addedAt: at(40) }));
    expect(await membership(scenario, CAROL)).toMatchObject({ lastSeq: 3, lastReadSeq: 3, lastActivityAt: at(40) });
    expect(await unread(scenario, CAROL)).toBe(0);
    await thenReplayChangesNothing(scenario, 'MemberAdded');

    await scenario.when(commentPosted(ROOM, 4, { senderId: ALICE }));
    expect(await unread(scenario, CAROL)).toBe(1);
  });

  it('MemberAdded redelivered with the comment after it: still joined before that comment', async () => {
    // Without the position guard a replayed MemberAdded would read the room's
    // later lastSeq and mark the comment after the join as read.
    const scenario = await given(membershipsProjection, [...room, ...comments(1)]);
    await scenario.when(memberAdded(ROOM, CAROL), commentPosted(ROOM, 2, { senderId: BOB }));
    expect(await membership(scenario, CAROL)).toMatchObject({ lastReadSeq: 1, lastSeq: 2 });
    expect(await unread(scenario, CAROL)).toBe(1);
    await thenReplayChangesNothing(scenario, 'MemberAdded');
  });

  it.each([
    ['MemberRemoved', memberRemoved(ROOM, ALICE, { removedAt: at(21) })],
    ['MemberLeft', memberLeft(ROOM, ALICE, at(21))],
  ] as const)('%s: the membership turns inactive, the rest kept, the member unlisted', async (type, event) => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2)]);
    const before = await membership(scenario, ALICE);
    const [stored] = await scenario.when(event);
    expect(await membership(scenario, ALICE)).toEqual({ ...before, active: false, _position: stored!.position.toString() });
    expect(await memberIdsOf(scenario)).toEqual([OWNER, BOB]);
    await thenReplayChangesNothing(scenario, type);
  });

  it('a removed member no longer follows the room', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1), memberRemoved(ROOM, ALICE)]);
    const before = await membership(scenario, ALICE);
    await scenario.when(...comments(2, 3));
    expect(await membership(scenario, ALICE)).toEqual(before);
    expect(await membership(scenario, BOB)).toMatchObject({ lastSeq: 3 });
  });

  it('a re-added member is active again, joined anew, with the history read and listed once', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1), memberRemoved(ROOM, ALICE), ...comments(2, 3)]);
    const [stored] = await scenario.when(memberAdded(ROOM, ALICE, { addedAt: at(45) }));
    expect(await membership(scenario, ALICE)).toEqual({
      id: membershipId(ROOM, ALICE),
      roomId: ROOM,
      userId: ALICE,
      active: true,
      role: 'member',
      muted: false,
      joinedAt: at(45),
      lastReadSeq: 3,
      markedUnread: false,
      lastSeq: 3,
      lastActivityAt: at(45),
      _position: stored!.position.toString(),
    });
    expect(await memberIdsOf(scenario)).toEqual([OWNER, BOB, ALICE]);
    await thenReplayChangesNothing(scenario, 'MemberAdded');
  });

  it('MemberRoleChanged: the new role', async () => {
    const scenario = await given(membershipsProjection, room);
    const before = await membership(scenario, ALICE);
    const [stored] = await scenario.when(roleChanged(ROOM, ALICE, 'operator'));
    expect(await membership(scenario, ALICE)).toEqual({ ...before, role: 'operator', _position: stored!.position.toString() });
    await thenReplayChangesNothing(scenario, 'MemberRoleChanged');
  });

  it('MemberMuteChanged: muted, then unmuted', async () => {
    const scenario = await given(membershipsProjection, room);
    await scenario.when(muteChanged(ROOM, ALICE, true));
    expect(await membership(scenario, ALICE)).toMatchObject({ muted: true, active: true });
    await thenReplayChangesNothing(scenario, 'MemberMuteChanged');
    await scenario.when(muteChanged(ROOM, ALICE, false, at(11)));
    expect(await membership(scenario, ALICE)).toMatchObject({ muted: false });
    await thenReplayChangesNothing(scenario, 'MemberMuteChanged');
  });

  it('CommentPosted: every member sees the activity; the sender has read up to it', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1)]);
    await scenario.when(commentPosted(ROOM, 2, { senderId: ALICE, postedAt: at(33) }));
    expect(await membership(scenario, ALICE)).toMatchObject({ lastSeq: 2, lastActivityAt: at(33), lastReadSeq: 2 });
    expect(await membership(scenario, BOB)).toMatchObject({ lastSeq: 2, lastActivityAt: at(33), lastReadSeq: 0 });
    expect(await membership(scenario, OWNER)).toMatchObject({ lastSeq: 2, lastActivityAt: at(33), lastReadSeq: 1 });
    expect(await scenario.doc('membership_rooms', ROOM)).toMatchObject({ lastSeq: 2, lastActivityAt: at(33) });
    expect(await unread(scenario, ALICE)).toBe(0);
    expect(await unread(scenario, BOB)).toBe(2);
    expect(await unread(scenario, OWNER)).toBe(1);
    await thenReplayChangesNothing(scenario, 'CommentPosted');
  });

  it('CommentPosted: an own post clears "marked unread"', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1), markedUnread(ROOM, ALICE, 0)]);
    await scenario.when(commentPosted(ROOM, 2, { senderId: ALICE }));
    expect(await membership(scenario, ALICE)).toMatchObject({ lastReadSeq: 2, markedUnread: false });
    expect(await unread(scenario, ALICE)).toBe(0);
    await thenReplayChangesNothing(scenario, 'CommentPosted');
  });

  it('CommentDeleted is not followed: unread counts stay', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2)]);
    const before = await scenario.snapshot();
    await scenario.when(commentDeleted(ROOM, 2));
    expect(await scenario.snapshot()).toEqual(before);
  });

  it('RoomRead: read up to the seq, unread counts what is left', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2, 3, 4)]);
    const before = await membership(scenario, BOB);
    const [stored] = await scenario.when(roomRead(ROOM, BOB, 3));
    expect(await membership(scenario, BOB)).toEqual({
      ...before,
      lastReadSeq: 3,
      markedUnread: false,
      _position: stored!.position.toString(),
    });
    expect(await unread(scenario, BOB)).toBe(1);
    await thenReplayChangesNothing(scenario, 'RoomRead');
  });

  it('RoomRead never moves the marker back, and clears "marked unread"', async () => {
    const scenario = await given(membershipsProjection, [
      ...room,
      ...comments(1, 2, 3, 4),
      roomRead(ROOM, BOB, 3),
      markedUnread(ROOM, BOB, 3),
    ]);
    await scenario.when(roomRead(ROOM, BOB, 1));
    expect(await membership(scenario, BOB)).toMatchObject({ lastReadSeq: 3, markedUnread: false });
    expect(await unread(scenario, BOB)).toBe(1);
    await thenReplayChangesNothing(scenario, 'RoomRead');
  });

  it('RoomMarkedUnread with everything read: unread counts one', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2), roomRead(ROOM, BOB, 2)]);
    const [stored] = await scenario.when(markedUnread(ROOM, BOB, 2));
    expect(await membership(scenario, BOB)).toMatchObject({
      lastReadSeq: 2,
      markedUnread: true,
      _position: stored!.position.toString(),
    });
    expect(await unread(scenario, BOB)).toBe(1);
    await thenReplayChangesNothing(scenario, 'RoomMarkedUnread');
  });

  it('RoomMarkedUnread with comments unread: unread counts them', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2, 3), roomRead(ROOM, BOB, 1)]);
    await scenario.when(markedUnread(ROOM, BOB, 1));
    expect(await unread(scenario, BOB)).toBe(2);
    await thenReplayChangesNothing(scenario, 'RoomMarkedUnread');
  });

  it('HistoryCleared: the member alone has the history cleared up to the seq, and read', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2, 3), roomRead(ROOM, BOB, 1)]);
    const alice = await membership(scenario, ALICE);
    const before = await membership(scenario, BOB);
    const [stored] = await scenario.when(historyCleared(ROOM, BOB, 3));
    expect(await membership(scenario, BOB)).toEqual({
      ...before,
      clearedThroughSeq: 3,
      lastReadSeq: 3,
      markedUnread: false,
      _position: stored!.position.toString(),
    });
    expect(await unread(scenario, BOB)).toBe(0);
    expect(await membership(scenario, ALICE)).toEqual(alice);
    await thenReplayChangesNothing(scenario, 'HistoryCleared');
  });

  it('HistoryCleared never moves back', async () => {
    const scenario = await given(membershipsProjection, [...room, ...comments(1, 2, 3), historyCleared(ROOM, BOB, 3)]);
    await scenario.when(historyCleared(ROOM, BOB, 2));
    expect(await membership(scenario, BOB)).toMatchObject({ clearedThroughSeq: 3, lastReadSeq: 3 });
  });

  describe('unreadCount', () => {
    it.each<[string, Record<string, unknown>, number]>([
      ['nothing posted', {}, 0],
      ['all read', { lastSeq: 5, lastReadSeq: 5, markedUnread: false }, 0],
      ['two unread', { lastSeq: 5, lastReadSeq: 3, markedUnread: false }, 2],
      ['marked unread with all read', { lastSeq: 5, lastReadSeq: 5, markedUnread: true }, 1],
      ['marked unread with three unread', { lastSeq: 5, lastReadSeq: 2, markedUnread: true }, 3],
      ['marked unread in a room without comments', { lastSeq: 0, lastReadSeq: 0, markedUnread: true }, 1],
      ['a marker ahead of the room', { lastSeq: 2, lastReadSeq: 4 }, 0],
    ])('%s: %i', (_, fields, expected) => {
      expect(unreadCount({ id: 'x', ...fields })).toBe(expected);
    });
  });

  describe('then not updated', () => {
    const foreign: [string, ParleyEvent][] = [
      ['MemberAdded', memberAdded(OTHER, ALICE)],
      ['MemberRemoved', memberRemoved(OTHER, ALICE)],
      ['MemberLeft', memberLeft(OTHER, ALICE)],
      ['MemberRoleChanged', roleChanged(OTHER, ALICE, 'owner')],
      ['MemberMuteChanged', muteChanged(OTHER, ALICE, true)],
      ['CommentPosted', commentPosted(OTHER, 1, { senderId: ALICE })],
      ['RoomRead', roomRead(OTHER, ALICE, 1)],
      ['RoomMarkedUnread', markedUnread(OTHER, ALICE, 0)],
      ['HistoryCleared', historyCleared(OTHER, ALICE, 1)],
    ];

    it.each(foreign)('%s of an unknown room: nothing changes and no document appears', async (_, event) => {
      const scenario = await given(membershipsProjection, [...room, ...comments(1)]);
      const before = await scenario.snapshot();
      await scenario.when(event);
      expect(await scenario.snapshot()).toEqual(before);
    });

    it.each<[string, ParleyEvent]>([
      ['RoomRead', roomRead(ROOM, CAROL, 1)],
      ['RoomMarkedUnread', markedUnread(ROOM, CAROL, 0)],
      ['HistoryCleared', historyCleared(ROOM, CAROL, 1)],
      ['MemberRoleChanged', roleChanged(ROOM, CAROL, 'operator')],
      ['MemberMuteChanged', muteChanged(ROOM, CAROL, true)],
    ])('%s of a non-member makes no membership', async (_, event) => {
      const scenario = await given(membershipsProjection, [...room, ...comments(1)]);
      await scenario.when(event);
      expect(await scenario.doc('memberships', membershipId(ROOM, CAROL))).toBeNull();
    });

    it("events of another existing room leave this room's documents as they were", async () => {
      const scenario = await given(membershipsProjection, [
        ...room,
        ...comments(1),
        roomCreated(OTHER),
        memberAdded(OTHER, ALICE),
      ]);
      const ownRoom = await scenario.doc('membership_rooms', ROOM);
      const own = await scenario.readStore.find('memberships', { filter: { roomId: ROOM } });
      await scenario.when(commentPosted(OTHER, 1, { senderId: BOB }), roomRead(OTHER, ALICE, 1), memberRemoved(OTHER, ALICE));
      expect(await scenario.doc('membership_rooms', ROOM)).toEqual(ownRoom);
      expect(await scenario.readStore.find('memberships', { filter: { roomId: ROOM } })).toEqual(own);
      expect(own).toHaveLength(3);
      expect(await membership(scenario, ALICE, OTHER)).toMatchObject({ active: false, lastSeq: 1, lastReadSeq: 1 });
    });
  });
});

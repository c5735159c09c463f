import { DEFAULT_PERMISSIONS, type CommentPosted, type ReadStateEvent, type RoomEvent, type RoomRole } from '../events';
import { evolveRoom, initialRoomState, type RoomState } from '../rooms/room.decider';
import { deciderSpec } from '../testing/given-when-then';
import { decideRead, initialReadMarker, markerOf, type ReadCommand } from './read-marker.decider';

/**
 * The log as the mark-read handler reads it: the room, the room's last seq and
 * the last event of each `read-<roomId>-<userId>` stream.
 */
interface World {
  readonly room: RoomState;
  readonly lastSeq: number;
  readonly markers: ReadonlyMap<string, ReadStateEvent>;
}
type WorldEvent = RoomEvent | CommentPosted | ReadStateEvent;

const ROOM = 'room-1';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const OWNER = 'u-owner';
const ALICE = 'u-alice';
const BOB = 'u-bob';
const OUTSIDER = 'u-outsider';

const { given } = deciderSpec<ReadCommand, WorldEvent, World>({
  initialState: { room: initialRoomState, lastSeq: 0, markers: new Map() },
  evolve: (world, event) => {
    switch (event.type) {
      case 'CommentPosted':
        return { ...world, lastSeq: event.data.seq };
      case 'RoomRead':
      case 'RoomMarkedUnread':
        return { ...world, markers: new Map(world.markers).set(event.data.userId, event) };
      default:
        return { ...world, room: evolveRoom(world.room, event) };
    }
  },
  decide: (command, world) => decideRead(command, world.room, world.lastSeq, markerOf(world.markers.get(command.actor))),
});

const added = (userId: string, role: RoomRole = 'member'): RoomEvent => ({
  type: 'MemberAdded',
  data: { roomId: ROOM, userId, role, addedBy: OWNER, addedAt: T0 },
});
const posted = (seq: number): CommentPosted => ({
  type: 'CommentPosted',
  data: {
    commentId: `c-${seq}`,
    roomId: ROOM,
    seq,
    previousId: seq === 1 ? null : `c-${seq - 1}`,
    senderId: BOB,
    text: 'hi',
    commentType: 'text',
    payload: null,
    replyTo: null,
    clientId: null,
    postedAt: T0,
  },
});
const read = (seq: number, userId = ALICE): ReadStateEvent => ({
  type: 'RoomRead',
  data: { roomId: ROOM, userId, seq, readAt: T0 },
});
const markedUnread = (lastReadSeq: number, userId = ALICE): ReadStateEvent => ({
  type: 'RoomMarkedUnread',
  data: { roomId: ROOM, userId, lastReadSeq, markedAt: T0 },
});

/** ROOM with OWNER, ALICE and BOB, and comments 1..5. */
const room: WorldEvent[] = [
  {
    type: 'RoomCreated',
    data: {
      roomId: ROOM,
      kind: 'group',
      name: 'General',
      topic: null,
      avatarUrl: null,
      createdBy: OWNER,
      permissions: DEFAULT_PERMISSIONS,
      historyVisibility: 'shared',
      applicationId: null,
      createdAt: T0,
    },
  },
  added(OWNER, 'owner'),
  added(ALICE),
  added(BOB),
  ...[1, 2, 3, 4, 5].map(posted),
];

const markRead = (seq: number, actor = ALICE): ReadCommand => ({ type: 'MarkRead', roomId: ROOM, actor, seq, now: NOW });
const markUnread = (actor = ALICE): ReadCommand => ({ type: 'MarkUnread', roomId: ROOM, actor, now: NOW });
const readNow = (seq: number, userId = ALICE): ReadStateEvent => ({
  type: 'RoomRead',
  data: { roomId: ROOM, userId, seq, readAt: NOW },
});
const unreadNow = (lastReadSeq: number, userId = ALICE): ReadStateEvent => ({
  type: 'RoomMarkedUnread',
  data: { roomId: ROOM, userId, lastReadSeq, markedAt: NOW },
});

describe('read-marker decider', () => {
  describe('MarkRead', () => {
    it('marks read up to a seq', () => {
      given(room).when(markRead(3)).then([readNow(3)]);
    });

    it('marks read up to the last comment', () => {
      given(room).when(markRead(5)).then([readNow(5)]);
    });

    it('moves forward from an earlier marker', () => {
      given([...room, read(2)]).when(markRead(4)).then([readNow(4)]);
    });

    it('never moves backwards: an older seq writes nothing', () => {
      given([...room, read(4)]).when(markRead(2)).then([]);
    });

    it('the current seq again writes nothing', () => {
      given([...room, read(4)]).when(markRead(4)).then([]);
    });

    it('seq 0 on a fresh marker writes nothing', () => {
      given(room).when(markRead(0)).then([]);
    });

    it("another member's marker does not count", () => {
      given([...room, read(5, BOB)]).when(markRead(3)).then([readNow(3)]);
    });

    it('clears "unread" at the current seq', () => {
      given([...room, read(4), markedUnread(4)]).when(markRead(4)).then([readNow(4)]);
    });

    it('clears "unread" with an older seq without moving the marker back', () => {
      given([...room, read(4), markedUnread(4)]).when(markRead(1)).then([readNow(4)]);
    });

    it('refuses a seq past the last comment: 400 READ.SEQ_BEYOND_LAST', () => {
      const error = given(room).when(markRead(6)).thenThrows('READ.SEQ_BEYOND_LAST', 'validation');
      expect(error.details).toEqual([{ field: 'seq', reason: 'must be at most 5' }]);
    });

    it('refuses any positive seq in a room without comments', () => {
      given(room.slice(0, 4)).when(markRead(1)).thenThrows('READ.SEQ_BEYOND_LAST', 'validation');
    });
  });

  describe('MarkUnread', () => {
    it('marks unread, keeping the read marker underneath', () => {
      given([...room, read(3)]).when(markUnread()).then([unreadNow(3)]);
    });

    it('marks unread a room never read', () => {
      given(room).when(markUnread()).then([unreadNow(0)]);
    });

    it('marking unread twice writes nothing', () => {
      given([...room, read(3), markedUnread(3)]).when(markUnread()).then([]);
    });

    it('marks unread again after a read', () => {
      given([...room, markedUnread(0), read(5)]).when(markUnread()).then([unreadNow(5)]);
    });
  });

  describe('refusals', () => {
    it.each([
      ['MarkRead', markRead(1, OUTSIDER)],
      ['MarkUnread', markUnread(OUTSIDER)],
    ])('%s by a non-member: 404 ROOM.NOT_FOUND', (_, command) => {
      given(room).when(command).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it.each([
      ['MarkRead', markRead(1, BOB)],
      ['MarkUnread', markUnread(BOB)],
    ])('%s by a member who left: 404 ROOM.NOT_FOUND', (_, command) => {
      given([...room, { type: 'MemberLeft', data: { roomId: ROOM, userId: BOB, leftAt: T0 } }])
        .when(command)
        .thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it.each([
      ['MarkRead', markRead(0)],
      ['MarkUnread', markUnread()],
    ])('%s in a room that does not exist: 404 ROOM.NOT_FOUND', (_, command) => {
      given([]).when(command).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it('a non-member with a seq past the end learns only that the room is not found', () => {
      given(room).when(markRead(99, OUTSIDER)).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });
  });

  describe('markerOf', () => {
    it('starts at 0, read', () => {
      expect(markerOf(undefined)).toEqual({ lastReadSeq: 0, unread: false });
      expect(initialReadMarker).toEqual({ lastReadSeq: 0, unread: false });
    });

    it('is read up to the seq of a RoomRead', () => {
      expect(markerOf(read(4))).toEqual({ lastReadSeq: 4, unread: false });
    });

    it('is unread over the kept marker of a RoomMarkedUnread', () => {
      expect(markerOf(markedUnread(3))).toEqual({ lastReadSeq: 3, unread: true });
    });
  });
});

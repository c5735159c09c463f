import { DEFAULT_PERMISSIONS, type CommentPosted, type HistoryCleared, type RoomEvent, type RoomRole } from '../events';
import { evolveRoom, initialRoomState, type RoomState } from '../rooms/room.decider';
import { deciderSpec } from '../testing/given-when-then';
import { decideClearHistory, type ClearHistoryCommand } from './history-clear.decider';

/** The log as the clear handler reads it: the room, its last seq and each member's last HistoryCleared. */
interface World {
  readonly room: RoomState;
  readonly lastSeq: number;
  readonly cleared: ReadonlyMap<string, number>;
}
type WorldEvent = RoomEvent | CommentPosted | HistoryCleared;

const ROOM = 'room-1';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const OWNER = 'u-owner';
const ALICE = 'u-alice';
const OUTSIDER = 'u-outsider';

const { given } = deciderSpec<ClearHistoryCommand, WorldEvent, World>({
  initialState: { room: initialRoomState, lastSeq: 0, cleared: new Map() },
  evolve: (world, event) => {
    switch (event.type) {
      case 'CommentPosted':
        return { ...world, lastSeq: event.data.seq };
      case 'HistoryCleared':
        return { ...world, cleared: new Map(world.cleared).set(event.data.userId, event.data.throughSeq) };
      default:
        return { ...world, room: evolveRoom(world.room, event) };
    }
  },
  decide: (command, world) => decideClearHistory(command, world.room, world.lastSeq, { throughSeq: world.cleared.get(command.actor) ?? 0 }),
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
    senderId: OWNER,
    text: 'hi',
    commentType: 'text',
    payload: null,
    replyTo: null,
    clientId: null,
    postedAt: T0,
  },
});
const cleared = (throughSeq: number, userId = ALICE, at = T0): HistoryCleared => ({
  type: 'HistoryCleared',
  data: { roomId: ROOM, userId, throughSeq, clearedAt: at },
});
const clear = (actor = ALICE): ClearHistoryCommand => ({ type: 'ClearHistory', roomId: ROOM, actor, now: NOW });

const created: RoomEvent = {
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
};
/** ROOM with OWNER and ALICE (a plain member), and comments 1..3. */
const room: WorldEvent[] = [created, added(OWNER, 'owner'), added(ALICE), ...[1, 2, 3].map(posted)];

describe('history-clear decider', () => {
  it('a plain member clears the history up to the last comment, for themselves', () => {
    given(room).when(clear()).then([cleared(3, ALICE, NOW)]);
  });

  it('clears again only what came after the last clear', () => {
    given([...room, cleared(3), posted(4)]).when(clear()).then([cleared(4, ALICE, NOW)]);
  });

  it('nothing new since the last clear writes nothing (a retry is harmless)', () => {
    given([...room, cleared(3)]).when(clear()).then([]);
  });

  it("another member's clear does not count", () => {
    given([...room, cleared(3, OWNER)]).when(clear()).then([cleared(3, ALICE, NOW)]);
  });

  it('a room without comments writes nothing', () => {
    given(room.slice(0, 3)).when(clear()).then([]);
  });

  it('a non-member learns only that the room is not found', () => {
    given(room).when(clear(OUTSIDER)).thenThrows('ROOM.NOT_FOUND', 'not_found');
  });

  it('a member who left may not clear: 404', () => {
    given([...room, { type: 'MemberLeft', data: { roomId: ROOM, userId: ALICE, leftAt: T0 } }])
      .when(clear())
      .thenThrows('ROOM.NOT_FOUND', 'not_found');
  });

  it('a room that does not exist: 404', () => {
    given([]).when(clear()).thenThrows('ROOM.NOT_FOUND', 'not_found');
  });
});

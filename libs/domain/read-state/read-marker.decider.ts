import { validationError } from '../errors';
import type { Decider } from '../decider';
import type { ReadStateEvent } from '../events';
import { requireMember, requireRoom, type RoomState } from '../rooms/room.decider';

/** One member's read marker in one room; the state is its stream's last event. */
export interface ReadMarker {
  readonly lastReadSeq: number;
  readonly unread: boolean;
}

export const initialReadMarker: ReadMarker = { lastReadSeq: 0, unread: false };

export function markerOf(last: ReadStateEvent | undefined): ReadMarker {
  if (!last) return initialReadMarker;
  return last.type === 'RoomRead'
    ? { lastReadSeq: last.data.seq, unread: false }
    : { lastReadSeq: last.data.lastReadSeq, unread: true };
}

export type ReadCommand =
  | { readonly type: 'MarkRead'; readonly roomId: string; readonly actor: string; readonly seq: number; readonly now: string }
  | { readonly type: 'MarkUnread'; readonly roomId: string; readonly actor: string; readonly now: string };

/**
 * Marking read never moves the marker back (a late request from another device
 * must not resurrect unread comments); marking unread is Warmshowers' "mark
 * thread unread". Repeating the current state writes nothing.
 */
export function decideRead(
  command: ReadCommand,
  roomState: RoomState,
  lastSeq: number,
  marker: ReadMarker,
): ReadStateEvent[] {
  const room = requireRoom(roomState);
  requireMember(room, command.actor);
  if (command.type === 'MarkUnread') {
    if (marker.unread) return [];
    return [
      {
        type: 'RoomMarkedUnread',
        data: { roomId: room.roomId, userId: command.actor, lastReadSeq: marker.lastReadSeq, markedAt: command.now },
      },
    ];
  }
  if (command.seq > lastSeq) {
    throw validationError('READ.SEQ_BEYOND_LAST', `seq ${command.seq} is past the room's last comment (${lastSeq})`, [
      { field: 'seq', reason: `must be at most ${lastSeq}` },
    ]);
  }
  const seq = Math.max(command.seq, marker.lastReadSeq);
  if (seq === marker.lastReadSeq && !marker.unread) return [];
  return [{ type: 'RoomRead', data: { roomId: room.roomId, userId: command.actor, seq, readAt: command.now } }];
}

/** A read command and the facts it is decided on besides the marker: the room and its last comment's seq. */
export interface ReadInRoom {
  readonly command: ReadCommand;
  readonly room: RoomState;
  readonly lastSeq: number;
}

/** One member's read marker in one room, stream `read-<roomId>-<userId>`, whose last event is the whole state. */
export const readMarkerDecider: Decider<ReadInRoom, ReadMarker, ReadStateEvent> = {
  initialState: initialReadMarker,
  evolve: (marker, event) => (event.type === 'RoomRead' || event.type === 'RoomMarkedUnread' ? markerOf(event) : marker),
  decide: ({ command, room, lastSeq }, marker) => decideRead(command, room, lastSeq, marker),
};

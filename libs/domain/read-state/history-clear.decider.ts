import { notFound } from '../errors';
import type { Decider } from '../decider';
import type { HistoryClearEvent } from '../events';
import { requireRoom, type RoomState } from '../rooms/room.decider';

/** How far one member cleared a room's history for themselves; the state is its stream's last event. */
export interface HistoryClearMark {
  readonly throughSeq: number;
}

export const initialHistoryClearMark: HistoryClearMark = { throughSeq: 0 };

export interface ClearHistoryCommand {
  readonly type: 'ClearHistory';
  readonly roomId: string;
  readonly actor: string;
  readonly now: string;
}

/**
 * A member clears the room's history for themselves up to the room's last
 * comment. Only the clearer's view changes, so any member may clear and no
 * role is asked; someone outside the room learns nothing of it (404). Nothing
 * new since the last clear writes nothing, so a retry is harmless.
 */
export function decideClearHistory(command: ClearHistoryCommand, roomState: RoomState, lastSeq: number, mark: HistoryClearMark): HistoryClearEvent[] {
  const room = requireRoom(roomState);
  if (!room.members.has(command.actor)) throw notFound('ROOM.NOT_FOUND', 'Room not found');
  if (lastSeq <= mark.throughSeq) return [];
  return [{ type: 'HistoryCleared', data: { roomId: room.roomId, userId: command.actor, throughSeq: lastSeq, clearedAt: command.now } }];
}

/** The command and the facts it is decided on besides the mark: the room and its last comment's seq. */
export interface ClearInRoom {
  readonly command: ClearHistoryCommand;
  readonly room: RoomState;
  readonly lastSeq: number;
}

/** One member's cleared history in one room, stream `history-cleared-<roomId>-<userId>`. */
export const historyClearDecider: Decider<ClearInRoom, HistoryClearMark, HistoryClearEvent> = {
  initialState: initialHistoryClearMark,
  evolve: (mark, event) => (event.type === 'HistoryCleared' ? { throughSeq: event.data.throughSeq } : mark),
  decide: ({ command, room, lastSeq }, mark) => decideClearHistory(command, room, lastSeq, mark),
};

import { deciderSpec } from '../testing/given-when-then';
import { DEFAULT_PERMISSIONS, type RoomEvent } from '../events';
import { assertCanSend, inDeletedHistory, roomDecider, type ActiveRoom, type RoomCommand, type RoomState } from './room.decider';

const NOW = '2026-01-01T00:00:00.000Z';
const ROOM = 'r-1';
const ADMIN = 'apikey:k-1';
const { given } = deciderSpec<RoomCommand, RoomEvent, RoomState>(roomDecider);

const created: RoomEvent = {
  type: 'RoomCreated',
  data: {
    roomId: ROOM,
    kind: 'group',
    name: 'General',
    topic: null,
    avatarUrl: null,
    createdBy: ADMIN,
    permissions: DEFAULT_PERMISSIONS,
    historyVisibility: 'shared',
    applicationId: null,
    createdAt: NOW,
  },
};
const added = (userId: string, role: 'member' | 'operator' | 'owner' = 'member', by = ADMIN): RoomEvent => ({
  type: 'MemberAdded',
  data: { roomId: ROOM, userId, role, addedBy: by, addedAt: NOW },
});
const unlisted: RoomEvent = { type: 'RoomListingChanged', data: { roomId: ROOM, unlisted: true, changedBy: ADMIN, changedAt: NOW } };
const voiced = (userId: string, voice = true): RoomEvent => ({
  type: 'MemberVoiceChanged',
  data: { roomId: ROOM, userId, voice, changedBy: ADMIN, changedAt: NOW },
});
const moderated: RoomEvent = {
  type: 'RoomPermissionsChanged',
  data: { roomId: ROOM, permissions: { ...DEFAULT_PERMISSIONS, send: false }, changedBy: ADMIN, changedAt: NOW },
};

function fold(events: readonly RoomEvent[]): ActiveRoom {
  const state = events.reduce<RoomState>((s, e) => roomDecider.evolve(s, e), roomDecider.initialState);
  if (state.status !== 'active') throw new Error('no room');
  return state;
}

describe('group chats an administrator runs (admin:rooms)', () => {
  it('are created for the organisation: the administrator is no member, those named are, and DISABLE_LIST may be set at once', () => {
    given([])
      .when({ type: 'CreateRoom', administered: true, roomId: ROOM, kind: 'group', name: 'General', topic: null, avatarUrl: null, actor: ADMIN, participants: ['u-1', 'u-1'], unlisted: true, now: NOW })
      .then([created, unlisted, added('u-1')]);
  });

  it('are changed, joined and left by the administrator without being a member; a member-less caller without the flag learns nothing', () => {
    given([created]).when({ type: 'AddMembers', admin: true, actor: ADMIN, userIds: ['u-2'], now: NOW }).then([added('u-2')]);
    given([created, added('u-1', 'owner')])
      .when({ type: 'RemoveMember', admin: true, actor: ADMIN, userId: 'u-1', now: NOW })
      .then([{ type: 'MemberRemoved', data: { roomId: ROOM, userId: 'u-1', removedBy: ADMIN, removedAt: NOW } }]);
    given([created]).when({ type: 'UpdateRoom', admin: true, actor: ADMIN, unlisted: true, now: NOW }).then([unlisted]);
    given([created]).when({ type: 'UpdateRoom', actor: ADMIN, unlisted: true, now: NOW }).thenThrows('ROOM.NOT_FOUND', 'not_found');
    given([created]).when({ type: 'CloseRoom', admin: true, actor: ADMIN, now: NOW }).then([{ type: 'RoomClosed', data: { roomId: ROOM, closedBy: ADMIN, closedAt: NOW } }]);
  });

  it('gives and takes VOICE by operators, owners and administrators only', () => {
    given([created, added('u-1')]).when({ type: 'ChangeMember', admin: true, actor: ADMIN, userId: 'u-1', voice: true, now: NOW }).then([voiced('u-1')]);
    given([created, added('u-1'), voiced('u-1')]).when({ type: 'ChangeMember', admin: true, actor: ADMIN, userId: 'u-1', voice: true, now: NOW }).then([]);
    given([created, added('u-1'), added('u-2')])
      .when({ type: 'ChangeMember', actor: 'u-2', userId: 'u-1', voice: true, now: NOW })
      .thenThrows('ROOM.VOICE_NOT_ALLOWED', 'forbidden');
    given([created, added('u-1'), added('u-2')])
      .when({ type: 'UpdateRoom', actor: 'u-2', unlisted: true, now: NOW })
      .thenThrows('ROOM.LISTING_NOT_ALLOWED', 'forbidden');
  });

  it('in a moderated room, only voiced members, operators and owners post; a voiced member who is muted does not', () => {
    const room = fold([created, added('u-1'), added('u-2'), added('u-3', 'operator'), moderated, voiced('u-2')]);
    expect(() => assertCanSend(room, 'u-1')).toThrow(expect.objectContaining({ code: 'ROOM.SEND_NOT_ALLOWED' }));
    expect(() => assertCanSend(room, 'u-2')).not.toThrow();
    expect(() => assertCanSend(room, 'u-3')).not.toThrow();
    const muted = fold([created, added('u-2'), moderated, voiced('u-2'), { type: 'MemberMuteChanged', data: { roomId: ROOM, userId: 'u-2', muted: true, changedBy: ADMIN, changedAt: NOW } }]);
    expect(() => assertCanSend(muted, 'u-2')).toThrow(expect.objectContaining({ code: 'ROOM.MUTED' }));
  });
});

describe('deleting history', () => {
  const base = { roomId: ROOM, deletedBy: ADMIN, deletedAt: NOW };
  const found = (seq: number, roomId = ROOM, deleted = false) => ({ roomId, seq, postedAt: NOW, deleted });

  it('by ids: comments of this room, leaving out those already deleted; a retry writes nothing', () => {
    given([created])
      .when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'comments', comments: [{ commentId: 'c-1', found: found(1) }, { commentId: 'c-2', found: found(4) }, { commentId: 'c-3', found: found(2, ROOM, true) }], now: NOW })
      .then([{ type: 'HistoryDeleted', data: { ...base, scope: 'comments', commentIds: ['c-1', 'c-2'], week: null, fromSeq: 1, throughSeq: 4 } }]);
    given([created]).when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'comments', comments: [{ commentId: 'c-3', found: found(2, ROOM, true) }], now: NOW }).then([]);
  });

  it('by ids: refuses a comment of another room or none, naming the entry, and an empty block', () => {
    given([created])
      .when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'comments', comments: [{ commentId: 'c-1', found: found(1) }, { commentId: 'c-9', found: found(1, 'r-other') }], now: NOW })
      .thenThrows('COMMENT.NOT_FOUND', 'not_found');
    given([created]).when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'comments', comments: [], now: NOW }).thenThrows('HISTORY.BLOCK_INVALID', 'validation');
  });

  it('by week and all: the block up to now; an empty one writes nothing; a week the calendar lacks is refused', () => {
    given([created])
      .when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'week', year: 2016, week: 20, seqs: { first: 3, last: 9 }, now: NOW })
      .then([{ type: 'HistoryDeleted', data: { ...base, scope: 'week', commentIds: [], week: { year: 2016, week: 20, from: '2016-05-16T00:00:00.000Z', until: '2016-05-23T00:00:00.000Z' }, fromSeq: 3, throughSeq: 9 } }]);
    given([created]).when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'week', year: 2016, week: 20, seqs: null, now: NOW }).then([]);
    given([created]).when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'week', year: 2015, week: 54, seqs: null, now: NOW }).thenThrows('HISTORY.WEEK_INVALID', 'validation');
    given([created]).when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'all', lastSeq: 12, now: NOW })
      .then([{ type: 'HistoryDeleted', data: { ...base, scope: 'all', commentIds: [], week: null, fromSeq: 1, throughSeq: 12 } }]);
    given([created]).when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'all', lastSeq: 0, now: NOW }).then([]);
  });

  it('is for operators, owners and administrators; a plain member is refused; a deleted room’s history may still be deleted', () => {
    given([created, added('u-1')]).when({ type: 'DeleteHistory', actor: 'u-1', scope: 'all', lastSeq: 3, now: NOW }).thenThrows('HISTORY.DELETE_NOT_ALLOWED', 'forbidden');
    given([created, added('u-1', 'operator')]).when({ type: 'DeleteHistory', actor: 'u-1', scope: 'all', lastSeq: 3, now: NOW })
      .then([{ type: 'HistoryDeleted', data: { ...base, deletedBy: 'u-1', scope: 'all', commentIds: [], week: null, fromSeq: 1, throughSeq: 3 } }]);
    const closed: RoomEvent = { type: 'RoomClosed', data: { roomId: ROOM, closedBy: ADMIN, closedAt: NOW } };
    given([created, closed]).when({ type: 'DeleteHistory', admin: true, actor: ADMIN, scope: 'all', lastSeq: 3, now: NOW })
      .then([{ type: 'HistoryDeleted', data: { ...base, scope: 'all', commentIds: [], week: null, fromSeq: 1, throughSeq: 3 } }]);
  });

  it('the room remembers the blocks, so what reads the log can tell a deleted comment', () => {
    const room = fold([
      created,
      { type: 'HistoryDeleted', data: { ...base, scope: 'comments', commentIds: ['c-1'], week: null, fromSeq: 1, throughSeq: 1 } },
      { type: 'HistoryDeleted', data: { ...base, scope: 'week', commentIds: [], week: { year: 2016, week: 20, from: '2016-05-16T00:00:00.000Z', until: '2016-05-23T00:00:00.000Z' }, fromSeq: 3, throughSeq: 9 } },
    ]);
    expect(inDeletedHistory(room, { commentId: 'c-1', seq: 1, postedAt: NOW })).toBe(true);
    expect(inDeletedHistory(room, { commentId: 'c-4', seq: 4, postedAt: '2016-05-18T10:00:00.000Z' })).toBe(true);
    expect(inDeletedHistory(room, { commentId: 'c-5', seq: 5, postedAt: '2016-05-24T10:00:00.000Z' })).toBe(false);
    expect(inDeletedHistory(room, { commentId: 'c-10', seq: 10, postedAt: '2016-05-18T10:00:00.000Z' })).toBe(false);
  });
});

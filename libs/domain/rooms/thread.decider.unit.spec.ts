import { commentsDecider, commentsBeforeStream, roomOpeningTail } from '../comments/comment.decider';
import { DEFAULT_PERMISSIONS, type CommentPosted } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { roomDecider, type RoomState } from './room.decider';
import { threadDecider, type OpenThread, type ThreadEvent } from './thread.decider';

const { given, fold } = deciderSpec<OpenThread, ThreadEvent, RoomState>(threadDecider);

const ROOM = 'thread-1';
const NOW = '2026-05-01T10:00:00.000Z';
const T0 = '2026-04-01T10:00:00.000Z';
const ALICE = 'u-alice';
const BOB = 'u-bob';
const CAROL = 'u-carol';

const open = (over: Partial<OpenThread> = {}): OpenThread => ({
  type: 'OpenThread',
  roomId: ROOM,
  commentId: 'c-first',
  actor: ALICE,
  subject: 'A bed in Lyon?',
  recipients: [BOB, CAROL],
  body: 'May I stay on the 3rd?',
  blocks: new Map(),
  byServer: false,
  now: NOW,
  ...over,
});

const first: CommentPosted = {
  type: 'CommentPosted',
  data: {
    commentId: 'c-first',
    roomId: ROOM,
    seq: 1,
    previousId: null,
    senderId: ALICE,
    text: 'May I stay on the 3rd?',
    commentType: 'text',
    payload: null,
    replyTo: null,
    clientId: null,
    postedAt: NOW,
  },
};

const opened: ThreadEvent[] = [
  {
    type: 'RoomCreated',
    data: {
      roomId: ROOM,
      kind: 'thread',
      name: 'A bed in Lyon?',
      topic: null,
      avatarUrl: null,
      createdBy: ALICE,
      permissions: DEFAULT_PERMISSIONS,
      historyVisibility: 'shared',
      applicationId: null,
      createdAt: NOW,
    },
  },
  { type: 'MemberAdded', data: { roomId: ROOM, userId: ALICE, role: 'member', addedBy: ALICE, addedAt: NOW } },
  { type: 'MemberAdded', data: { roomId: ROOM, userId: BOB, role: 'member', addedBy: ALICE, addedAt: NOW } },
  { type: 'MemberAdded', data: { roomId: ROOM, userId: CAROL, role: 'member', addedBy: ALICE, addedAt: NOW } },
  first,
];

describe('threadDecider: a thread opens with its first message in one append', () => {
  it('given no room, when a thread is opened, then the room, its members and the first message (seq 1) are one decision', () => {
    given([]).when(open()).then(opened);
  });

  it('given the thread opened, the room state knows its first message, and the next comment continues after it', () => {
    const state = fold(opened);
    expect(state).toMatchObject({ status: 'active', kind: 'thread', openingComment: { commentId: 'c-first', seq: 1 } });
    expect(roomOpeningTail(state)).toEqual({ lastSeq: 1, lastCommentId: 'c-first' });
    expect(commentsBeforeStream(state)).toBe(1);
    // The comment stream is empty: its tail is the room's, so the reply is seq 2 after the first message.
    const [reply] = commentsDecider.decide(
      {
        post: { type: 'PostComment', commentId: 'c-2', roomId: ROOM, actor: BOB, text: 'Sure', commentType: 'text', payload: null, replyTo: 'c-first', clientId: null, now: NOW },
        room: state,
        replyTarget: { roomId: ROOM },
        blocks: null,
      },
      roomOpeningTail(state),
    );
    expect(reply?.data).toMatchObject({ seq: 2, previousId: 'c-first', replyTo: 'c-first' });
    // The room decider's own fold (the cache every later room command decides on) sees the same.
    expect(opened.reduce(roomDecider.evolve, roomDecider.initialState)).toEqual(state);
  });

  it('given the thread opened by the same caller, when opened again (a retried key), then nothing more is appended', () => {
    given(opened).when(open({ body: 'a retry' })).then([]);
  });

  it('given a room of that id opened by someone else, when opened, then it is a conflict', () => {
    given(opened).when(open({ actor: BOB, recipients: [ALICE] })).thenThrows('ROOM.ALREADY_EXISTS', 'conflict');
  });

  it('given a recipient who blocks the caller, when opened, then it is refused and nothing is decided', () => {
    const blocks: OpenThread['blocks'] = new Map([[CAROL, { blocked: new Map([[ALICE, T0]]) }]]);
    given([]).when(open({ blocks })).thenThrows('CONTACT.BLOCKED_ADD_MEMBER', 'forbidden');
  });

  it('given no room, when the caller is the only recipient, then it needs recipients', () => {
    given([]).when(open({ recipients: [ALICE] })).thenThrows('ROOM.THREAD_NEEDS_RECIPIENTS', 'validation');
  });

  it('given no room, when the first message holds characters text refuses, then nothing opens', () => {
    given([]).when(open({ body: 'nul\u0000' })).thenThrows('COMMENT.TEXT_INVALID', 'validation');
  });

  it('given other rooms, their state has no first message before the comment stream', () => {
    expect(commentsBeforeStream(fold([opened[0]!, opened[1]!]))).toBe(0);
    expect(roomOpeningTail(fold([]))).toEqual({ lastSeq: 0, lastCommentId: null });
  });
});

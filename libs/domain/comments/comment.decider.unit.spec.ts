import {
  DEFAULT_PERMISSIONS,
  type CommentDeleted,
  type CommentPosted,
  type RoomEvent,
  type RoomPermissions,
  type RoomRole,
} from '../events';
import { evolveRoom, initialRoomState, type RoomState } from '../rooms/room.decider';
import { PAYLOAD_LIMITS } from '../json-limits';
import { deciderSpec } from '../testing/given-when-then';
import type { BlockFacts } from '../contacts/blocking.decider';
import {
  COMMENT_MAX_BYTES,
  commentBytes,
  commentsDecider,
  decideDeleteComment,
  decidePostComment,
  emptyTail,
  tailOf,
  type CommentsTail,
  type DeleteComment,
  type PostComment,
  type PostInRoom,
} from './comment.decider';

/**
 * The log as the comment handlers read it: each room's state, each room's
 * comment-stream tail, every comment by id (reply targets are looked up in the
 * whole log) and the comments whose `comment-<id>` stream holds a deletion.
 */
interface World {
  readonly rooms: ReadonlyMap<string, RoomState>;
  readonly tails: ReadonlyMap<string, CommentsTail>;
  readonly comments: ReadonlyMap<string, CommentPosted>;
  readonly deleted: ReadonlySet<string>;
}
type WorldEvent = RoomEvent | CommentPosted | CommentDeleted;

const { given } = deciderSpec<PostComment | DeleteComment, WorldEvent, World>({
  initialState: { rooms: new Map(), tails: new Map(), comments: new Map(), deleted: new Set() },
  evolve: (world, event) => {
    switch (event.type) {
      case 'CommentPosted':
        return {
          ...world,
          tails: new Map(world.tails).set(event.data.roomId, tailOf(event)),
          comments: new Map(world.comments).set(event.data.commentId, event),
        };
      case 'CommentDeleted':
        return { ...world, deleted: new Set(world.deleted).add(event.data.commentId) };
      default: {
        const room = world.rooms.get(event.data.roomId) ?? initialRoomState;
        return { ...world, rooms: new Map(world.rooms).set(event.data.roomId, evolveRoom(room, event)) };
      }
    }
  },
  decide: (command, world) => {
    const room = world.rooms.get(command.roomId) ?? initialRoomState;
    if (command.type === 'PostComment') {
      const target = command.replyTo === null ? undefined : world.comments.get(command.replyTo);
      return [
        decidePostComment(
          command,
          room,
          world.tails.get(command.roomId) ?? emptyTail,
          target ? { roomId: target.data.roomId } : null,
        ),
      ];
    }
    return [
      decideDeleteComment(command, room, world.comments.get(command.commentId) ?? null, {
        status: world.deleted.has(command.commentId) ? 'deleted' : 'live',
      }),
    ];
  },
});

const ROOM = 'room-1';
const OTHER_ROOM = 'room-2';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const OWNER = 'u-owner';
const OP = 'u-op';
const ALICE = 'u-alice';
const BOB = 'u-bob';
const OUTSIDER = 'u-outsider';

const roomCreated = (roomId: string, permissions: Partial<RoomPermissions> = {}): RoomEvent => ({
  type: 'RoomCreated',
  data: {
    roomId,
    kind: 'group',
    name: 'General',
    topic: null,
    avatarUrl: null,
    createdBy: OWNER,
    permissions: { ...DEFAULT_PERMISSIONS, ...permissions },
    historyVisibility: 'shared',
    applicationId: null,
    createdAt: T0,
  },
});
const added = (userId: string, role: RoomRole = 'member', roomId = ROOM): RoomEvent => ({
  type: 'MemberAdded',
  data: { roomId, userId, role, addedBy: OWNER, addedAt: T0 },
});
const roleChanged = (userId: string, role: RoomRole): RoomEvent => ({
  type: 'MemberRoleChanged',
  data: { roomId: ROOM, userId, role, changedBy: OWNER, changedAt: T0 },
});
const muted = (userId: string, value = true): RoomEvent => ({
  type: 'MemberMuteChanged',
  data: { roomId: ROOM, userId, muted: value, changedBy: OWNER, changedAt: T0 },
});
const removed = (userId: string): RoomEvent => ({
  type: 'MemberRemoved',
  data: { roomId: ROOM, userId, removedBy: OWNER, removedAt: T0 },
});

/** ROOM: OWNER (owner), OP (operator), ALICE and BOB (members). */
const room = (permissions: Partial<RoomPermissions> = {}): WorldEvent[] => [
  roomCreated(ROOM, permissions),
  added(OWNER, 'owner'),
  added(OP),
  roleChanged(OP, 'operator'),
  added(ALICE),
  added(BOB),
];
/** OTHER_ROOM, where ALICE is a member too. */
const otherRoom: WorldEvent[] = [roomCreated(OTHER_ROOM), added(OWNER, 'owner', OTHER_ROOM), added(ALICE, 'member', OTHER_ROOM)];

const posted = (commentId: string, seq: number, previousId: string | null, senderId = ALICE, roomId = ROOM): CommentPosted => ({
  type: 'CommentPosted',
  data: {
    commentId,
    roomId,
    seq,
    previousId,
    senderId,
    text: `text of ${commentId}`,
    commentType: 'text',
    payload: null,
    replyTo: null,
    clientId: null,
    postedAt: T0,
  },
});
const deleted = (commentId: string, seq: number): CommentDeleted => ({
  type: 'CommentDeleted',
  data: { commentId, roomId: ROOM, seq, deletedBy: ALICE, deletedAt: T0 },
});

const post = (command: Partial<PostComment> = {}): PostComment => ({
  type: 'PostComment',
  commentId: 'c-new',
  roomId: ROOM,
  actor: ALICE,
  text: 'hello',
  commentType: 'text',
  payload: null,
  replyTo: null,
  clientId: null,
  now: NOW,
  ...command,
});
const postedNow = (data: Partial<CommentPosted['data']>): CommentPosted => ({
  type: 'CommentPosted',
  data: {
    commentId: 'c-new',
    roomId: ROOM,
    seq: 1,
    previousId: null,
    senderId: ALICE,
    text: 'hello',
    commentType: 'text',
    payload: null,
    replyTo: null,
    clientId: null,
    postedAt: NOW,
    ...data,
  },
});

const del = (actor: string, commentId = 'c-1', roomId = ROOM): DeleteComment => ({
  type: 'DeleteComment',
  roomId,
  commentId,
  actor,
  now: NOW,
});
const deletedNow = (deletedBy: string, commentId = 'c-1', seq = 1): CommentDeleted => ({
  type: 'CommentDeleted',
  data: { commentId, roomId: ROOM, seq, deletedBy, deletedAt: NOW },
});

describe('comment decider', () => {
  describe('PostComment', () => {
    it('refuses a comment whose text and payload exceed 64 KiB with COMMENT.TOO_LARGE (413)', () => {
      given(room()).when(post({ text: 'x'.repeat(COMMENT_MAX_BYTES + 1) })).thenThrows('COMMENT.TOO_LARGE', 'too_large');
      // The payload counts as its JSON text; UTF-8 counts bytes, not characters.
      given(room())
        .when(post({ text: 'x'.repeat(COMMENT_MAX_BYTES - 20), payload: { data: 'y'.repeat(20) } }))
        .thenThrows('COMMENT.TOO_LARGE', 'too_large');
      given(room())
        .when(post({ text: 'é'.repeat(COMMENT_MAX_BYTES / 2 + 1) }))
        .thenThrows('COMMENT.TOO_LARGE', 'too_large');
    });

    it('accepts a comment of exactly 64 KiB, and one of 60 KiB of text', () => {
      const full = 'x'.repeat(COMMENT_MAX_BYTES);
      given(room()).when(post({ text: full })).then([postedNow({ text: full })]);
      const text = 'x'.repeat(60 * 1024);
      given(room()).when(post({ text, payload: { kind: 'note' } })).then([postedNow({ text, payload: { kind: 'note' } })]);
    });

    it('counts a comment as its UTF-8 text plus its JSON payload', () => {
      expect(commentBytes('héllo', null)).toBe(6);
      expect(commentBytes('', { a: 1 })).toBe(7);
    });

    describe('system event messages (Qiscus post_system_event_message)', () => {
      const payload = { type: 'join_room', subject_email: 'alice@example.com', object_email: '', room_name: 'General' };

      it('a server acting for a member posts one, with its payload', () => {
        given(room())
          .when(post({ commentType: 'system_event', text: 'Alice joined room', payload, byServer: true }))
          .then([postedNow({ commentType: 'system_event', text: 'Alice joined room', payload })]);
      });

      it('a member cannot forge one: 400 COMMENT.SYSTEM_EVENT_FORBIDDEN naming type', () => {
        const error = given(room()).when(post({ commentType: 'system_event', payload })).thenThrows('COMMENT.SYSTEM_EVENT_FORBIDDEN', 'validation');
        expect(error.details?.[0]?.field).toBe('type');
      });

      it('one of the known types only: 400 COMMENT.SYSTEM_EVENT_INVALID naming payload.type', () => {
        const error = given(room())
          .when(post({ commentType: 'system_event', payload: { type: 'explode' }, byServer: true }))
          .thenThrows('COMMENT.SYSTEM_EVENT_INVALID', 'validation');
        expect(error.details?.[0]?.field).toBe('payload.type');
      });

      it('still only in a room where the acted-for user is a member', () => {
        given(room())
          .when(post({ actor: 'u-stranger', commentType: 'system_event', payload, byServer: true }))
          .thenThrows('ROOM.NOT_FOUND', 'not_found');
      });
    });

    it('the first comment of a room has seq 1 and no previous comment', () => {
      given(room()).when(post()).then([postedNow({ seq: 1, previousId: null })]);
    });

    it('seq follows the last comment and previousId chains to it', () => {
      given([...room(), posted('c-1', 1, null), posted('c-2', 2, 'c-1', BOB)])
        .when(post())
        .then([postedNow({ seq: 3, previousId: 'c-2' })]);
    });

    it('accepts a payload within the limits and carries it unchanged', () => {
      const payload = { url: 'https://example.com/a.png', size: { w: 640, h: 480 }, tags: ['a', 'b'] };
      given(room()).when(post({ payload, commentType: 'file_attachment' })).then([postedNow({ payload, commentType: 'file_attachment' })]);
    });

    it('refuses a payload nested 1,000 levels deep: 400 COMMENT.PAYLOAD_BEYOND_LIMITS naming payload', () => {
      let payload: Record<string, unknown> = {};
      for (let i = 0; i < 999; i++) payload = { a: payload };
      const error = given(room()).when(post({ payload })).thenThrows('COMMENT.PAYLOAD_BEYOND_LIMITS', 'validation');
      expect(error.details).toEqual([{ field: 'payload', reason: `payload nests deeper than ${PAYLOAD_LIMITS.maxDepth} levels` }]);
    });

    it('refuses a payload one level beyond the limit, and accepts one at it', () => {
      const nest = (levels: number) => {
        let payload: Record<string, unknown> = {};
        for (let i = 1; i < levels; i++) payload = { a: payload };
        return payload;
      };
      given(room()).when(post({ payload: nest(PAYLOAD_LIMITS.maxDepth) })).then([postedNow({ payload: nest(PAYLOAD_LIMITS.maxDepth) })]);
      given(room()).when(post({ payload: nest(PAYLOAD_LIMITS.maxDepth + 1) })).thenThrows('COMMENT.PAYLOAD_BEYOND_LIMITS', 'validation');
    });

    it('refuses a payload that is not an object', () => {
      given(room())
        .when(post({ payload: [1, 2] as unknown as Record<string, unknown> }))
        .thenThrows('COMMENT.PAYLOAD_BEYOND_LIMITS', 'validation');
    });

    it("another room's comments do not move this room's seq", () => {
      given([...room(), ...otherRoom, posted('c-9', 1, null, ALICE, OTHER_ROOM), posted('c-10', 2, 'c-9', ALICE, OTHER_ROOM)])
        .when(post())
        .then([postedNow({ seq: 1, previousId: null })]);
    });

    it('a deleted last comment still counts for seq and the chain', () => {
      given([...room(), posted('c-1', 1, null), deleted('c-1', 1)])
        .when(post())
        .then([postedNow({ seq: 2, previousId: 'c-1' })]);
    });

    it('carries type, payload and client id through unchanged', () => {
      given(room())
        .when(post({ commentType: 'custom', payload: { card: { n: 1 } }, clientId: 'client-7', text: '' }))
        .then([postedNow({ commentType: 'custom', payload: { card: { n: 1 } }, clientId: 'client-7', text: '' })]);
    });

    it('replies to a comment of the same room', () => {
      given([...room(), posted('c-1', 1, null, BOB)])
        .when(post({ replyTo: 'c-1' }))
        .then([postedNow({ seq: 2, previousId: 'c-1', replyTo: 'c-1' })]);
    });

    it('replies to a deleted comment of the same room', () => {
      given([...room(), posted('c-1', 1, null, BOB), deleted('c-1', 1)])
        .when(post({ replyTo: 'c-1' }))
        .then([postedNow({ seq: 2, previousId: 'c-1', replyTo: 'c-1' })]);
    });

    it.each<[string, WorldEvent[]]>([
      ['a comment of another room', [...otherRoom, posted('c-9', 1, null, ALICE, OTHER_ROOM)]],
      ['an unknown comment', []],
    ])('refuses a reply to %s: 400 COMMENT.REPLY_TARGET_UNKNOWN', (_, extra) => {
      const error = given([...room(), ...extra])
        .when(post({ replyTo: 'c-9' }))
        .thenThrows('COMMENT.REPLY_TARGET_UNKNOWN', 'validation');
      expect(error.details).toEqual([{ field: 'replyTo', reason: 'no such comment in this room' }]);
    });

    it('refuses a room that does not exist: 404 ROOM.NOT_FOUND', () => {
      given([]).when(post()).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it.each<[string, string, WorldEvent[]]>([
      ['a user who never joined', OUTSIDER, []],
      ['a removed member', BOB, [removed(BOB)]],
      ['a member of another room only', 'u-elsewhere', [added('u-elsewhere', 'member', OTHER_ROOM)]],
    ])('refuses %s: 404 ROOM.NOT_FOUND', (_, actor, extra) => {
      given([...room(), ...otherRoom, ...extra])
        .when(post({ actor }))
        .thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it('a non-member replying to an unknown comment learns only that the room is not found', () => {
      given(room()).when(post({ actor: OUTSIDER, replyTo: 'nope' })).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it.each([ALICE, OP])('refuses %s while muted: 403 ROOM.MUTED', (actor) => {
      given([...room(), muted(actor)])
        .when(post({ actor }))
        .thenThrows('ROOM.MUTED', 'forbidden');
    });

    it('accepts a member again once unmuted', () => {
      given([...room(), muted(ALICE), muted(ALICE, false)])
        .when(post())
        .then([postedNow({})]);
    });

    it('refuses a plain member when send is off: 403 ROOM.SEND_NOT_ALLOWED', () => {
      given(room({ send: false })).when(post()).thenThrows('ROOM.SEND_NOT_ALLOWED', 'forbidden');
    });

    it.each([OP, OWNER])('accepts %s when send is off', (actor) => {
      given(room({ send: false }))
        .when(post({ actor }))
        .then([postedNow({ senderId: actor })]);
    });
  });

  describe('DeleteComment', () => {
    const withComment = (senderId = ALICE): WorldEvent[] => [...room(), posted('c-1', 1, null, senderId), posted('c-2', 2, 'c-1', BOB)];

    it('the sender deletes their comment, keeping its seq', () => {
      given(withComment()).when(del(ALICE)).then([deletedNow(ALICE)]);
    });

    it('deletes a later comment with its own seq', () => {
      given(withComment()).when(del(BOB, 'c-2')).then([deletedNow(BOB, 'c-2', 2)]);
    });

    it.each([OP, OWNER])("%s deletes another member's comment", (actor) => {
      given(withComment()).when(del(actor)).then([deletedNow(actor)]);
    });

    it('an operator deletes the owner’s comment', () => {
      given(withComment(OWNER)).when(del(OP)).then([deletedNow(OP)]);
    });

    it('the sender may delete even while muted', () => {
      given([...withComment(), muted(ALICE)]).when(del(ALICE)).then([deletedNow(ALICE)]);
    });

    it("another plain member cannot: 403 COMMENT.DELETE_NOT_ALLOWED", () => {
      given(withComment()).when(del(BOB)).thenThrows('COMMENT.DELETE_NOT_ALLOWED', 'forbidden');
    });

    it('a former operator, demoted, cannot any more', () => {
      given([...withComment(), roleChanged(OP, 'member')])
        .when(del(OP))
        .thenThrows('COMMENT.DELETE_NOT_ALLOWED', 'forbidden');
    });

    it.each<[string, string, WorldEvent[]]>([
      ['a user who never joined', OUTSIDER, []],
      ['the sender after being removed', ALICE, [removed(ALICE)]],
    ])('%s: 404 ROOM.NOT_FOUND', (_, actor, extra) => {
      given([...withComment(), ...extra])
        .when(del(actor))
        .thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it('a non-member asking for an unknown comment learns only that the room is not found', () => {
      given(room()).when(del(OUTSIDER, 'nope')).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it('a room that does not exist: 404 ROOM.NOT_FOUND', () => {
      given([]).when(del(ALICE)).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it('a comment already deleted: 404 COMMENT.NOT_FOUND', () => {
      given([...withComment(), deleted('c-1', 1)])
        .when(del(ALICE))
        .thenThrows('COMMENT.NOT_FOUND', 'not_found');
    });

    it('a comment of another room, even one the actor may see: 404 COMMENT.NOT_FOUND', () => {
      given([...room(), ...otherRoom, posted('c-9', 1, null, ALICE, OTHER_ROOM)])
        .when(del(ALICE, 'c-9'))
        .thenThrows('COMMENT.NOT_FOUND', 'not_found');
    });

    it('an unknown comment: 404 COMMENT.NOT_FOUND', () => {
      given(withComment()).when(del(OWNER, 'c-404')).thenThrows('COMMENT.NOT_FOUND', 'not_found');
    });
  });

  describe('tailOf', () => {
    it('is empty without a last comment and follows the last one otherwise', () => {
      expect(tailOf(undefined)).toEqual({ lastSeq: 0, lastCommentId: null });
      expect(tailOf(posted('c-7', 7, 'c-6'))).toEqual({ lastSeq: 7, lastCommentId: 'c-7' });
    });
  });
});

describe('comments decider (the pipeline’s decider of comments-<roomId>)', () => {
  const tails = deciderSpec<PostInRoom, CommentPosted, CommentsTail>({
    initialState: commentsDecider.initialState,
    evolve: commentsDecider.evolve,
    decide: commentsDecider.decide,
  });
  const DIRECT = 'room-direct';
  const directRoom: RoomState = [
    { ...roomCreated(DIRECT), data: { ...roomCreated(DIRECT).data, kind: 'direct' } } as RoomEvent,
    added(ALICE, 'member', DIRECT),
    added(BOB, 'member', DIRECT),
  ].reduce(evolveRoom, initialRoomState);
  const groupRoom: RoomState = room().reduce((state, event) => evolveRoom(state, event as RoomEvent), initialRoomState);
  const blocks = (entries: [string, string[]][]): BlockFacts =>
    new Map(entries.map(([userId, blocked]) => [userId, { blocked: new Map(blocked.map((id) => [id, T0])) }]));
  const inDirect = (facts: BlockFacts | null): PostInRoom => ({
    post: post({ roomId: DIRECT }),
    room: directRoom,
    replyTarget: null,
    blocks: facts,
  });

  it('posts on the tail of the stream', () => {
    tails
      .given([posted('c-1', 1, null, ALICE, DIRECT)])
      .when(inDirect(blocks([])))
      .then([postedNow({ roomId: DIRECT, seq: 2, previousId: 'c-1' })]);
  });

  it('refuses a post in a direct room whose other member blocks the poster', () => {
    tails.given([]).when(inDirect(blocks([[BOB, [ALICE]]]))).thenThrows('CONTACT.BLOCKED_POST', 'forbidden');
  });

  it('refuses a post to a user the poster blocks: unblock first', () => {
    tails.given([]).when(inDirect(blocks([[ALICE, [BOB]]]))).thenThrows('CONTACT.YOU_BLOCKED', 'forbidden');
  });

  it('asks no block lists where blocking does not apply (an import passes none)', () => {
    tails.given([]).when(inDirect(null)).then([postedNow({ roomId: DIRECT })]);
  });

  it('does not ask blocks in a group', () => {
    tails
      .given([])
      .when({ post: post(), room: groupRoom, replyTarget: null, blocks: blocks([[BOB, [ALICE]]]) })
      .then([postedNow({})]);
  });

  it('refuses a non-member before blocking is asked', () => {
    tails
      .given([])
      .when({ ...inDirect(blocks([[BOB, [OUTSIDER]]])), post: post({ roomId: DIRECT, actor: OUTSIDER }) })
      .thenThrows('ROOM.NOT_FOUND', 'not_found');
  });
});

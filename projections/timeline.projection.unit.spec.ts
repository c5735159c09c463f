import type { HistoryDeleted, ParleyEvent, ParleyEventType } from '../libs/domain/events';
import type { StoredEvent } from '../libs/event-store/event-store.port';
import type { Doc } from '../libs/read-store/read-store.port';
import {
  at,
  avatarChanged,
  commentDeleted,
  commentPosted,
  memberAdded,
  memberLeft,
  memberRemoved,
  muteChanged,
  OWNER,
  permissionsChanged,
  renamed,
  roleChanged,
  roomCreated,
  topicChanged,
} from './testing/parley-events';
import { given, type ProjectionScenario, thenReplayChangesNothing } from './testing/projection-harness';
import { timelineJoinId, timelineProjection } from './timeline.projection';

const ROOM = 'room-1';
const OTHER = 'room-2';
const ALICE = 'u-alice';
const BOB = 'u-bob';

/** ROOM created by OWNER, who adds themself: one timeline item (room_created). */
const room: ParleyEvent[] = [
  roomCreated(ROOM, { name: 'General', createdAt: at(0) }),
  memberAdded(ROOM, OWNER, { role: 'owner', addedBy: OWNER, addedAt: at(0) }),
];

/** A room's items in `ord` order, as the comments query pages them. */
const items = (scenario: ProjectionScenario, roomId = ROOM) =>
  scenario.readStore.find('timeline', { filter: { roomId }, sort: [{ field: 'ord', direction: 'asc' }] });

/** The system item a stored event became. */
const systemItem = (stored: StoredEvent, roomId: string, ord: number, fields: Partial<Doc>) => ({
  id: stored.id,
  roomId,
  ord,
  // The item's integer id on the Qiscus surfaces: its event's log position.
  alias: Number(stored.position),
  seq: null,
  kind: 'system',
  type: 'system_event',
  text: null,
  createdAt: expect.any(String),
  position: stored.position.toString(),
  deleted: false,
  _position: stored.position.toString(),
  ...fields,
});

const maxOrd = async (scenario: ProjectionScenario) =>
  Math.max(0, ...(await items(scenario)).map((item) => item['ord'] as number));

describe('timeline projection', () => {
  it('RoomCreated: a room_created system item first in the room', async () => {
    const scenario = await given(timelineProjection);
    const [stored] = await scenario.when(roomCreated(ROOM, { name: 'General', createdBy: ALICE, createdAt: at(4) }));
    expect(await items(scenario)).toEqual([
      systemItem(stored!, ROOM, 1, {
        senderId: ALICE,
        createdAt: at(4),
        systemEvent: { kind: 'room_created', actorId: ALICE, name: 'General' },
      }),
    ]);
    expect(await scenario.doc('timeline_rooms', ROOM)).toMatchObject({ id: ROOM, createdBy: ALICE });
    await thenReplayChangesNothing(scenario, 'RoomCreated');
  });

  it('MemberAdded by the member themself (the creator) makes no item', async () => {
    const scenario = await given(timelineProjection, room.slice(0, 1));
    const before = await items(scenario);
    await scenario.when(room[1]!);
    expect(await items(scenario)).toEqual(before);
    await thenReplayChangesNothing(scenario, 'MemberAdded');
  });

  it.each<[ParleyEventType, ParleyEvent, Partial<Doc>]>([
    [
      'MemberAdded',
      memberAdded(ROOM, ALICE, { addedBy: BOB, addedAt: at(5) }),
      { senderId: BOB, createdAt: at(5), systemEvent: { kind: 'member_added', actorId: BOB, subjectId: ALICE } },
    ],
    [
      'MemberInvited',
      { type: 'MemberInvited', data: { roomId: ROOM, userId: ALICE, invitedBy: OWNER, invitedAt: at(4) } },
      { senderId: OWNER, createdAt: at(4), systemEvent: { kind: 'member_invited', actorId: OWNER, subjectId: ALICE } },
    ],
    [
      'MemberAdded',
      memberAdded(ROOM, ALICE, { addedBy: ALICE, invitedBy: OWNER, addedAt: at(6) }),
      { senderId: ALICE, createdAt: at(6), systemEvent: { kind: 'member_joined', actorId: ALICE } },
    ],
    [
      'MemberRemoved',
      memberRemoved(ROOM, ALICE, { removedBy: OWNER, removedAt: at(21) }),
      { senderId: OWNER, createdAt: at(21), systemEvent: { kind: 'member_removed', actorId: OWNER, subjectId: ALICE } },
    ],
    [
      'MemberLeft',
      memberLeft(ROOM, ALICE, at(22)),
      { senderId: ALICE, createdAt: at(22), systemEvent: { kind: 'member_left', actorId: ALICE } },
    ],
    [
      'RoomRenamed',
      renamed(ROOM, 'Renamed', ALICE, at(11)),
      { senderId: ALICE, createdAt: at(11), systemEvent: { kind: 'room_renamed', actorId: ALICE, name: 'Renamed' } },
    ],
    [
      'RoomTopicChanged',
      topicChanged(ROOM, 'Serious', ALICE),
      { senderId: ALICE, createdAt: at(10), systemEvent: { kind: 'topic_changed', actorId: ALICE, topic: 'Serious' } },
    ],
    [
      'RoomTopicChanged',
      topicChanged(ROOM, null, ALICE),
      { senderId: ALICE, createdAt: at(10), systemEvent: { kind: 'topic_changed', actorId: ALICE, topic: null } },
    ],
    [
      'RoomAvatarChanged',
      avatarChanged(ROOM, 'https://a/x.png'),
      { senderId: OWNER, createdAt: expect.any(String), systemEvent: { kind: 'avatar_changed', actorId: OWNER, avatarUrl: 'https://a/x.png' } },
    ],
    [
      'MemberAdded',
      memberAdded(ROOM, ALICE, { addedBy: ALICE, addedAt: at(6) }),
      { senderId: ALICE, createdAt: at(6), systemEvent: { kind: 'member_joined', actorId: ALICE } },
    ],
  ])('%s: a system item after the last one', async (type, event, fields) => {
    const scenario = await given(timelineProjection, [...room, memberAdded(ROOM, BOB), commentPosted(ROOM, 1)]);
    const before = await items(scenario);
    const ord = (await maxOrd(scenario)) + 1;
    const [stored] = await scenario.when(event);
    expect(await items(scenario)).toEqual([...before, systemItem(stored!, ROOM, ord, fields)]);
    await thenReplayChangesNothing(scenario, type);
  });

  it('CommentPosted: a comment item with its seq, after the last item', async () => {
    const scenario = await given(timelineProjection, [...room, commentPosted(ROOM, 1)]);
    const ord = (await maxOrd(scenario)) + 1;
    const [stored] = await scenario.when(
      commentPosted(ROOM, 2, {
        commentId: 'c-2',
        previousId: `${ROOM}-c1`,
        senderId: ALICE,
        text: 'hello',
        commentType: 'custom',
        payload: { card: 1 },
        replyTo: `${ROOM}-c1`,
        clientId: 'client-1',
        postedAt: at(33),
      }),
    );
    expect(await scenario.doc('timeline', 'c-2')).toEqual({
      id: 'c-2',
      roomId: ROOM,
      ord,
      alias: Number(stored!.position),
      // The comment before it in the room, by its own alias.
      previousAlias: Number((await scenario.doc('timeline', `${ROOM}-c1`))!['position']),
      seq: 2,
      kind: 'comment',
      type: 'custom',
      previousId: `${ROOM}-c1`,
      senderId: ALICE,
      text: 'hello',
      payload: { card: 1 },
      replyTo: `${ROOM}-c1`,
      clientId: 'client-1',
      createdAt: at(33),
      position: stored!.position.toString(),
      deleted: false,
      _position: stored!.position.toString(),
    });
    await thenReplayChangesNothing(scenario, 'CommentPosted');
  });

  it('CommentDeleted of an application’s custom event: its body goes, its type (custom:<name>) stays', async () => {
    const scenario = await given(timelineProjection, [
      ...room,
      commentPosted(ROOM, 1, { commentType: 'custom', text: 'custom:location', payload: { type: 'custom:location', body: { lat: 52.5 } } }),
    ]);
    await scenario.when(commentDeleted(ROOM, 1, { deletedBy: ALICE, deletedAt: at(50) }));
    expect(await scenario.doc('timeline', `${ROOM}-c1`)).toMatchObject({ type: 'custom', text: null, payload: { type: 'custom:location' }, deleted: true });
    await thenReplayChangesNothing(scenario, 'CommentDeleted');
  });

  it('CommentDeleted of a comment of type custom whose payload names no custom event keeps nothing of it', async () => {
    const scenario = await given(timelineProjection, [...room, commentPosted(ROOM, 1, { commentType: 'custom', payload: { type: 'secret words', body: 1 } })]);
    await scenario.when(commentDeleted(ROOM, 1, { deletedBy: ALICE, deletedAt: at(50) }));
    expect(await scenario.doc('timeline', `${ROOM}-c1`)).toMatchObject({ payload: null, deleted: true });
  });

  it('CommentDeleted: the comment is tombstoned in place', async () => {
    const scenario = await given(timelineProjection, [
      ...room,
      commentPosted(ROOM, 1, { payload: { a: 1 } }),
      commentPosted(ROOM, 2),
    ]);
    const before = await scenario.doc('timeline', `${ROOM}-c1`);
    const [stored] = await scenario.when(commentDeleted(ROOM, 1, { deletedBy: ALICE, deletedAt: at(50) }));
    expect(await scenario.doc('timeline', `${ROOM}-c1`)).toEqual({
      ...before,
      text: null,
      payload: null,
      deleted: true,
      deletedBy: ALICE,
      deletedAt: at(50),
      _position: stored!.position.toString(),
    });
    expect(await scenario.doc('timeline', `${ROOM}-c2`)).toMatchObject({ text: 'comment 2', deleted: false });
    await thenReplayChangesNothing(scenario, 'CommentDeleted');
  });

  it.each<[string, ParleyEvent]>([
    ['MemberRoleChanged', roleChanged(ROOM, BOB, 'operator')],
    ['MemberMuteChanged', muteChanged(ROOM, BOB, true)],
    ['RoomPermissionsChanged', permissionsChanged(ROOM, { send: false })],
  ])('%s makes no item', async (_, event) => {
    const scenario = await given(timelineProjection, [...room, memberAdded(ROOM, BOB)]);
    const before = await scenario.snapshot();
    await scenario.when(event);
    expect(await scenario.snapshot()).toEqual(before);
  });

  it('ord numbers a room\'s items 1, 2, 3… in log order, one number per item', async () => {
    // The creator's own MemberAdded makes no item; BOB's does, and must come second.
    const scenario = await given(timelineProjection);
    await scenario.when(
      ...room,
      memberAdded(ROOM, BOB),
      commentPosted(ROOM, 1),
      renamed(ROOM, 'Renamed'),
      commentPosted(ROOM, 2),
    );
    const kinds = (await items(scenario)).map((item) => [
      item['ord'],
      item['kind'] === 'system' ? (item['systemEvent'] as { kind: string }).kind : item['seq'],
    ]);
    expect(kinds).toEqual([
      [1, 'room_created'],
      [2, 'member_added'],
      [3, 1],
      [4, 'room_renamed'],
      [5, 2],
    ]);
    expect(await scenario.doc('timeline_rooms', ROOM)).toMatchObject({ ord: 5 });
  });

  it('ord keeps counting across catch-up batches', async () => {
    const scenario = await given(timelineProjection, [roomCreated(ROOM)]);
    await scenario.when(memberAdded(ROOM, BOB));
    await scenario.when(commentPosted(ROOM, 1));
    expect((await items(scenario)).map((item) => item['ord'])).toEqual([1, 2, 3]);
  });

  describe('then not updated', () => {
    const foreign: [string, ParleyEvent][] = [
      ['MemberAdded', memberAdded(OTHER, BOB)],
      ['MemberRemoved', memberRemoved(OTHER, BOB)],
      ['MemberLeft', memberLeft(OTHER, BOB)],
      ['RoomRenamed', renamed(OTHER, 'X')],
      ['RoomTopicChanged', topicChanged(OTHER, 'X')],
      ['CommentPosted', commentPosted(OTHER, 1)],
      ['CommentDeleted', commentDeleted(OTHER, 1)],
    ];

    it.each(foreign)('%s of an unknown room: nothing changes and no item appears', async (_, event) => {
      const scenario = await given(timelineProjection, [...room, commentPosted(ROOM, 1)]);
      const before = await scenario.snapshot();
      await scenario.when(event);
      expect(await scenario.snapshot()).toEqual(before);
    });

    it('CommentDeleted of an unknown comment in a known room: nothing changes', async () => {
      const scenario = await given(timelineProjection, [...room, commentPosted(ROOM, 1)]);
      const before = await scenario.snapshot();
      await scenario.when(commentDeleted(ROOM, 7));
      expect(await scenario.snapshot()).toEqual(before);
    });

    it("events of another existing room leave this room's items and counter as they were", async () => {
      const scenario = await given(timelineProjection, [...room, commentPosted(ROOM, 1), roomCreated(OTHER)]);
      const own = await items(scenario);
      const counter = await scenario.doc('timeline_rooms', ROOM);
      await scenario.when(memberAdded(OTHER, BOB), commentPosted(OTHER, 1), renamed(OTHER, 'Other'));
      expect(await items(scenario)).toEqual(own);
      expect(await scenario.doc('timeline_rooms', ROOM)).toEqual(counter);
      expect((await items(scenario, OTHER)).length).toBe(4);
    });
  });
});

describe('timeline projection: where each member joined', () => {
  it('MemberAdded: the room’s last item before the joining, again on a later joining', async () => {
    const scenario = await given(timelineProjection, [roomCreated('r-join'), memberAdded('r-join', OWNER, { role: 'owner', addedBy: OWNER })]);
    expect(await scenario.doc('timeline_joins', timelineJoinId('r-join', OWNER))).toMatchObject({ afterOrd: 1 });
    await scenario.when(commentPosted('r-join', 1), memberAdded('r-join', 'u-late', { addedBy: OWNER }));
    // Before the comment (ord 2) and the "added" item (ord 3): they see from ord 3 on.
    expect(await scenario.doc('timeline_joins', timelineJoinId('r-join', 'u-late'))).toMatchObject({ roomId: 'r-join', userId: 'u-late', afterOrd: 2 });
    await thenReplayChangesNothing(scenario, 'MemberAdded');
  });
});

describe('timeline projection: deleted blocks of history', () => {
  const block = (data: Partial<HistoryDeleted['data']>): HistoryDeleted => ({
    type: 'HistoryDeleted',
    data: { roomId: ROOM, scope: 'all', commentIds: [], week: null, fromSeq: 1, throughSeq: 3, deletedBy: ALICE, deletedAt: at(50), ...data },
  });
  const posted = [
    ...room,
    commentPosted(ROOM, 1, { postedAt: '2016-05-16T08:00:00.000Z' }),
    commentPosted(ROOM, 2, { postedAt: '2016-05-17T08:00:00.000Z', payload: { a: 1 } }),
    commentPosted(ROOM, 3, { postedAt: '2016-05-23T08:00:00.000Z' }),
  ];
  const state = async (scenario: ProjectionScenario) =>
    Promise.all([1, 2, 3].map(async (seq) => (await scenario.doc('timeline', `${ROOM}-c${seq}`))?.['text'] ?? null));

  it('HistoryDeleted by ids: the named comments are tombstoned in place, with who deleted them', async () => {
    const scenario = await given(timelineProjection, posted);
    await scenario.when(block({ scope: 'comments', commentIds: [`${ROOM}-c2`], fromSeq: 2, throughSeq: 2 }));
    expect(await state(scenario)).toEqual(['comment 1', null, 'comment 3']);
    expect(await scenario.doc('timeline', `${ROOM}-c2`)).toMatchObject({ payload: null, deleted: true, deletedBy: ALICE, deletedAt: at(50) });
    await thenReplayChangesNothing(scenario, 'HistoryDeleted');
  });

  it('HistoryDeleted by week: the week’s comments among the seqs go, the next week’s stay', async () => {
    const scenario = await given(timelineProjection, posted);
    await scenario.when(block({ scope: 'week', week: { year: 2016, week: 20, from: '2016-05-16T00:00:00.000Z', until: '2016-05-23T00:00:00.000Z' }, fromSeq: 1, throughSeq: 3 }));
    expect(await state(scenario)).toEqual([null, null, 'comment 3']);
    await thenReplayChangesNothing(scenario, 'HistoryDeleted');
  });

  it('HistoryDeleted finds the comments of its own batch, not yet in the store, beside the stored ones', async () => {
    const scenario = await given(timelineProjection, [...room, commentPosted(ROOM, 1)]);
    // One batch: two more comments, the block over all three, and a comment after it.
    await scenario.when(commentPosted(ROOM, 2), commentPosted(ROOM, 3, { payload: { a: 1 } }), block({ scope: 'all', throughSeq: 3 }), commentPosted(ROOM, 4));
    expect(await state(scenario)).toEqual([null, null, null]);
    expect(await scenario.doc('timeline', `${ROOM}-c3`)).toMatchObject({ deleted: true, deletedBy: ALICE });
    expect((await scenario.doc('timeline', `${ROOM}-c4`))?.['text']).toBe('comment 4');
    await thenReplayChangesNothing(scenario, 'HistoryDeleted');
  });

  it('HistoryDeleted of all: every comment up to throughSeq; a later post stands', async () => {
    const scenario = await given(timelineProjection, posted);
    await scenario.when(block({ scope: 'all', throughSeq: 3 }), commentPosted(ROOM, 4));
    expect(await state(scenario)).toEqual([null, null, null]);
    expect((await scenario.doc('timeline', `${ROOM}-c4`))?.['text']).toBe('comment 4');
    await thenReplayChangesNothing(scenario, 'HistoryDeleted');
  });
});

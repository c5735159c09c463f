import { DEFAULT_PERMISSIONS, type ParleyEvent } from '../libs/domain/events';
import { roomsProjection } from './rooms.projection';
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

const ROOM = 'room-1';
const OTHER = 'room-2';
const ALICE = 'u-alice';
const BOB = 'u-bob';

/** ROOM with OWNER (owner) and ALICE (member). */
const room: ParleyEvent[] = [
  roomCreated(ROOM, { name: 'General', topic: 'Chat', createdAt: at(0) }),
  memberAdded(ROOM, OWNER, { role: 'owner', addedBy: OWNER, addedAt: at(0) }),
  memberAdded(ROOM, ALICE, { addedAt: at(1) }),
];

const roomDoc = (scenario: ProjectionScenario) => scenario.doc('rooms', ROOM);

describe('rooms projection', () => {
  it('RoomCreated: the room with its settings, no members and no comment yet', async () => {
    const scenario = await given(roomsProjection);
    const [stored] = await scenario.when(
      roomCreated(ROOM, {
        kind: 'direct',
        name: 'Us',
        topic: 'Lunch',
        avatarUrl: 'https://a/x.png',
        createdBy: ALICE,
        permissions: { ...DEFAULT_PERMISSIONS, send: false },
        createdAt: at(2),
      }),
    );
    expect(await roomDoc(scenario)).toEqual({
      id: ROOM,
      // The room's integer id on the Qiscus surfaces: its creation's log position.
      alias: Number(stored!.position),
      kind: 'direct',
      name: 'Us',
      topic: 'Lunch',
      avatarUrl: 'https://a/x.png',
      applicationId: null,
      applicationName: null,
      closed: false,
      closedAt: null,
      unlisted: false,
      // A direct room is in no directory.
      listed: false,
      memberStates: {},
      createdBy: ALICE,
      createdAt: at(2),
      permissions: { ...DEFAULT_PERMISSIONS, send: false },
      historyVisibility: 'shared',
      members: {},
      memberCount: 0,
      lastSeq: 0,
      lastComment: null,
      lastActivityAt: at(2),
      _position: stored!.position.toString(),
    });
    await thenReplayChangesNothing(scenario, 'RoomCreated');
  });

  it('MemberAdded: the member with role, unmuted, and the count', async () => {
    const scenario = await given(roomsProjection, room);
    const [stored] = await scenario.when(memberAdded(ROOM, BOB, { role: 'operator', addedAt: at(5) }));
    expect(await roomDoc(scenario)).toMatchObject({
      members: {
        [OWNER]: { role: 'owner', muted: false, joinedAt: at(0) },
        [ALICE]: { role: 'member', muted: false, joinedAt: at(1) },
        [BOB]: { role: 'operator', muted: false, joinedAt: at(5) },
      },
      memberCount: 3,
      _position: stored!.position.toString(),
    });
    await thenReplayChangesNothing(scenario, 'MemberAdded');
  });

  it('MemberAdded again after leaving: back with the new join time', async () => {
    const scenario = await given(roomsProjection, [...room, memberLeft(ROOM, ALICE)]);
    await scenario.when(memberAdded(ROOM, ALICE, { addedAt: at(40) }));
    const doc = await roomDoc(scenario);
    expect(doc!['members']).toEqual({
      [OWNER]: { role: 'owner', muted: false, joinedAt: at(0) },
      [ALICE]: { role: 'member', muted: false, joinedAt: at(40) },
    });
    expect(doc!['memberCount']).toBe(2);
    await thenReplayChangesNothing(scenario, 'MemberAdded');
  });

  it.each([
    ['MemberRemoved', memberRemoved(ROOM, ALICE)],
    ['MemberLeft', memberLeft(ROOM, ALICE)],
  ] as const)('%s: the member is gone and the count drops', async (type, event) => {
    const scenario = await given(roomsProjection, room);
    await scenario.when(event);
    const doc = await roomDoc(scenario);
    expect(doc!['members']).toEqual({ [OWNER]: { role: 'owner', muted: false, joinedAt: at(0) } });
    expect(doc!['memberCount']).toBe(1);
    await thenReplayChangesNothing(scenario, type);
  });

  it('MemberRoleChanged: the new role, the rest of the entry kept', async () => {
    const scenario = await given(roomsProjection, [...room, muteChanged(ROOM, ALICE, true)]);
    await scenario.when(roleChanged(ROOM, ALICE, 'operator'));
    expect((await roomDoc(scenario))!['members']).toEqual({
      [OWNER]: { role: 'owner', muted: false, joinedAt: at(0) },
      [ALICE]: { role: 'operator', muted: true, joinedAt: at(1) },
    });
    await thenReplayChangesNothing(scenario, 'MemberRoleChanged');
  });

  it('MemberMuteChanged: muted, then unmuted', async () => {
    const scenario = await given(roomsProjection, room);
    await scenario.when(muteChanged(ROOM, ALICE, true));
    expect((await roomDoc(scenario))!['members']).toMatchObject({ [ALICE]: { role: 'member', muted: true, joinedAt: at(1) } });
    await thenReplayChangesNothing(scenario, 'MemberMuteChanged');
    await scenario.when(muteChanged(ROOM, ALICE, false, at(11)));
    expect((await roomDoc(scenario))!['members']).toMatchObject({ [ALICE]: { muted: false } });
    await thenReplayChangesNothing(scenario, 'MemberMuteChanged');
  });

  it.each([
    ['MemberRoleChanged', roleChanged(ROOM, BOB, 'operator')],
    ['MemberMuteChanged', muteChanged(ROOM, BOB, true)],
  ] as const)('%s of a non-member adds nobody', async (type, event) => {
    const scenario = await given(roomsProjection, room);
    await scenario.when(event);
    const doc = await roomDoc(scenario);
    expect(Object.keys(doc!['members'] as object).sort()).toEqual([ALICE, OWNER].sort());
    expect(doc!['memberCount']).toBe(2);
    await thenReplayChangesNothing(scenario, type);
  });

  it.each([
    ['RoomRenamed', 'the new name', renamed(ROOM, 'Renamed'), { name: 'Renamed' }],
    ['RoomTopicChanged', 'the new topic', topicChanged(ROOM, 'Serious'), { topic: 'Serious' }],
    ['RoomTopicChanged', 'the topic cleared', topicChanged(ROOM, null), { topic: null }],
    ['RoomAvatarChanged', 'the new avatar', avatarChanged(ROOM, 'https://a/new.png'), { avatarUrl: 'https://a/new.png' }],
    [
      'RoomPermissionsChanged',
      'the whole new permission set',
      permissionsChanged(ROOM, { send: false, removeMembers: true }),
      { permissions: { ...DEFAULT_PERMISSIONS, send: false, removeMembers: true } },
    ],
    [
      'RoomHistoryVisibilityChanged',
      'the new history visibility',
      { type: 'RoomHistoryVisibilityChanged', data: { roomId: ROOM, historyVisibility: 'joined', changedBy: OWNER, changedAt: at(9) } },
      { historyVisibility: 'joined' },
    ],
  ] as const)('%s: %s, nothing else changes', async (type, _, event, change) => {
    const scenario = await given(roomsProjection, room);
    const before = await roomDoc(scenario);
    const [stored] = await scenario.when(event);
    expect(await roomDoc(scenario)).toEqual({ ...before, ...change, _position: stored!.position.toString() });
    await thenReplayChangesNothing(scenario, type);
  });

  it('CommentPosted: the last comment, seq and activity', async () => {
    const scenario = await given(roomsProjection, [...room, commentPosted(ROOM, 1)]);
    await scenario.when(
      commentPosted(ROOM, 2, { commentId: 'c-2', senderId: ALICE, text: 'hi', commentType: 'custom', postedAt: at(33) }),
    );
    expect(await roomDoc(scenario)).toMatchObject({
      lastSeq: 2,
      lastActivityAt: at(33),
      lastComment: { id: 'c-2', seq: 2, senderId: ALICE, text: 'hi', type: 'custom', createdAt: at(33), deleted: false },
    });
    await thenReplayChangesNothing(scenario, 'CommentPosted');
  });

  it('CommentDeleted of the last comment: tombstoned, text gone, seq kept', async () => {
    const scenario = await given(roomsProjection, [...room, commentPosted(ROOM, 1), commentPosted(ROOM, 2)]);
    await scenario.when(commentDeleted(ROOM, 2));
    expect(await roomDoc(scenario)).toMatchObject({
      lastSeq: 2,
      lastActivityAt: at(32),
      lastComment: { id: `${ROOM}-c2`, seq: 2, text: null, deleted: true },
    });
    await thenReplayChangesNothing(scenario, 'CommentDeleted');
  });

  it('CommentDeleted of an older comment: the last comment stays as it was', async () => {
    const scenario = await given(roomsProjection, [...room, commentPosted(ROOM, 1), commentPosted(ROOM, 2)]);
    const before = await roomDoc(scenario);
    await scenario.when(commentDeleted(ROOM, 1));
    const after = await roomDoc(scenario);
    expect(after!['lastComment']).toEqual(before!['lastComment']);
    expect(after!['lastComment']).toMatchObject({ text: 'comment 2', deleted: false });
    await thenReplayChangesNothing(scenario, 'CommentDeleted');
  });

  describe('then not updated', () => {
    const foreign: [string, ParleyEvent][] = [
      ['MemberAdded', memberAdded(OTHER, BOB)],
      ['MemberRemoved', memberRemoved(OTHER, ALICE)],
      ['MemberLeft', memberLeft(OTHER, ALICE)],
      ['MemberRoleChanged', roleChanged(OTHER, ALICE, 'owner')],
      ['MemberMuteChanged', muteChanged(OTHER, ALICE, true)],
      ['RoomRenamed', renamed(OTHER, 'X')],
      ['RoomTopicChanged', topicChanged(OTHER, 'X')],
      ['RoomAvatarChanged', avatarChanged(OTHER, 'https://x')],
      ['RoomPermissionsChanged', permissionsChanged(OTHER, { send: false })],
      ['CommentPosted', commentPosted(OTHER, 1)],
      ['CommentDeleted', commentDeleted(OTHER, 1)],
    ];

    it.each(foreign)('%s of an unknown room: neither this room changes nor a document appears', async (_, event) => {
      const scenario = await given(roomsProjection, [...room, commentPosted(ROOM, 1)]);
      const before = await scenario.snapshot();
      await scenario.when(event);
      expect(await scenario.snapshot()).toEqual(before);
      expect(await scenario.doc('rooms', OTHER)).toBeNull();
    });

    it("an event of another existing room leaves this room's document as it was", async () => {
      const scenario = await given(roomsProjection, [...room, roomCreated(OTHER)]);
      const before = await roomDoc(scenario);
      await scenario.when(renamed(OTHER, 'Other'), memberAdded(OTHER, ALICE), commentPosted(OTHER, 1));
      expect(await roomDoc(scenario)).toEqual(before);
      expect(await scenario.doc('rooms', OTHER)).toMatchObject({ name: 'Other', memberCount: 1, lastSeq: 1 });
    });
  });
});

describe('rooms projection: rooms of applications and member states', () => {
  const APP_ROOM = 'room-app';
  const ACTOR = 'application:app-1';
  const invitedEvent = { type: 'MemberInvited', data: { roomId: APP_ROOM, userId: 'u-1', invitedBy: ACTOR, invitedAt: at(2) } } as const;
  const acceptedEvent = { type: 'MemberAdded', data: { roomId: APP_ROOM, userId: 'u-1', role: 'member', addedBy: 'u-1', invitedBy: ACTOR, addedAt: at(3) } } as const;
  const leftEvent = { type: 'MemberLeft', data: { roomId: APP_ROOM, userId: 'u-1', leftAt: at(4) } } as const;
  const closedEvent = { type: 'RoomClosed', data: { roomId: APP_ROOM, closedBy: ACTOR, closedAt: at(5) } } as const;
  const created = roomCreated(APP_ROOM, { createdBy: ACTOR, applicationId: 'app-1', applicationName: 'support' });

  it('MemberInvited: invited, with who and when; a replay changes nothing', async () => {
    const scenario = await given(roomsProjection, [created]);
    await scenario.when(invitedEvent);
    expect((await scenario.doc('rooms', APP_ROOM))!['memberStates']).toEqual({
      'u-1': { state: 'invited', invitedBy: ACTOR, invitedAt: at(2), joinedAt: null, leftAt: null, order: 1 },
    });
    await thenReplayChangesNothing(scenario, 'MemberInvited');
  });
  it('MemberAdded after an invitation: joined, keeping the inviter; MemberLeft: left with its time', async () => {
    const scenario = await given(roomsProjection, [created, invitedEvent]);
    await scenario.when(acceptedEvent);
    expect((await scenario.doc('rooms', APP_ROOM))!['memberStates']).toMatchObject({ 'u-1': { state: 'joined', invitedBy: ACTOR, joinedAt: at(3) } });
    await scenario.when(leftEvent);
    expect((await scenario.doc('rooms', APP_ROOM))!['memberStates']).toMatchObject({ 'u-1': { state: 'left', invitedBy: ACTOR, joinedAt: at(3), leftAt: at(4) } });
    await thenReplayChangesNothing(scenario, 'MemberLeft');
  });
  it('RoomClosed: closed, with its time; a replay changes nothing', async () => {
    const scenario = await given(roomsProjection, [created]);
    await scenario.when(closedEvent);
    expect(await scenario.doc('rooms', APP_ROOM)).toMatchObject({ applicationId: 'app-1', applicationName: 'support', closed: true, closedAt: at(5) });
    await thenReplayChangesNothing(scenario, 'RoomClosed');
  });
  it('RoomPropertiesChanged: the application’s custom data, replaced whole; a replay changes nothing', async () => {
    const scenario = await given(roomsProjection, [created]);
    await scenario.when({ type: 'RoomPropertiesChanged', data: { roomId: APP_ROOM, properties: { tier: 'gold', n: 1 }, changedBy: ACTOR, changedAt: at(2) } });
    await scenario.when({ type: 'RoomPropertiesChanged', data: { roomId: APP_ROOM, properties: { tier: 'silver' }, changedBy: ACTOR, changedAt: at(3) } });
    expect((await scenario.doc('rooms', APP_ROOM))!['properties']).toEqual({ tier: 'silver' });
    await thenReplayChangesNothing(scenario, 'RoomPropertiesChanged');
  });
});

describe('rooms projection: administered group chats', () => {
  const base = [roomCreated(ROOM, { createdAt: at(0) }), memberAdded(ROOM, OWNER)];

  it('RoomListingChanged: the room is (un)listed', async () => {
    const scenario = await given(roomsProjection, base);
    await scenario.when({ type: 'RoomListingChanged', data: { roomId: ROOM, unlisted: true, changedBy: OWNER, changedAt: at(5) } });
    expect((await scenario.doc('rooms', ROOM))?.['unlisted']).toBe(true);
    await thenReplayChangesNothing(scenario, 'RoomListingChanged');
  });

  it('the room directory: an organisation’s group chat is listed until DISABLE_LIST or its deletion; a user’s group never', async () => {
    const ORG = 'apikey:k-1';
    const scenario = await given(roomsProjection, [roomCreated(OTHER, { createdBy: ORG, createdAt: at(0) }), roomCreated(ROOM, { createdAt: at(0) })]);
    expect((await scenario.doc('rooms', OTHER))?.['listed']).toBe(true);
    expect((await scenario.doc('rooms', ROOM))?.['listed']).toBe(false);
    await scenario.when({ type: 'RoomListingChanged', data: { roomId: OTHER, unlisted: true, changedBy: ORG, changedAt: at(5) } });
    expect((await scenario.doc('rooms', OTHER))?.['listed']).toBe(false);
    await scenario.when({ type: 'RoomListingChanged', data: { roomId: OTHER, unlisted: false, changedBy: ORG, changedAt: at(6) } });
    expect((await scenario.doc('rooms', OTHER))?.['listed']).toBe(true);
    await thenReplayChangesNothing(scenario, 'RoomListingChanged');
    await scenario.when({ type: 'RoomClosed', data: { roomId: OTHER, closedBy: ORG, closedAt: at(7) } });
    expect((await scenario.doc('rooms', OTHER))?.['listed']).toBe(false);
    await thenReplayChangesNothing(scenario, 'RoomClosed');
  });

  it('MemberVoiceChanged: the member is voiced', async () => {
    const scenario = await given(roomsProjection, base);
    await scenario.when({ type: 'MemberVoiceChanged', data: { roomId: ROOM, userId: OWNER, voice: true, changedBy: OWNER, changedAt: at(5) } });
    expect((await scenario.doc('rooms', ROOM))?.['members']).toMatchObject({ [OWNER]: { voice: true } });
    await thenReplayChangesNothing(scenario, 'MemberVoiceChanged');
  });

  it('HistoryDeleted: the last comment, when in the block, shows as deleted; otherwise it stays', async () => {
    const scenario = await given(roomsProjection, [...base, commentPosted(ROOM, 1), commentPosted(ROOM, 2)]);
    await scenario.when({ type: 'HistoryDeleted', data: { roomId: ROOM, scope: 'comments', commentIds: [`${ROOM}-c1`], week: null, fromSeq: 1, throughSeq: 1, deletedBy: OWNER, deletedAt: at(50) } });
    expect((await scenario.doc('rooms', ROOM))?.['lastComment']).toMatchObject({ text: 'comment 2', deleted: false });
    await scenario.when({ type: 'HistoryDeleted', data: { roomId: ROOM, scope: 'all', commentIds: [], week: null, fromSeq: 1, throughSeq: 2, deletedBy: OWNER, deletedAt: at(51) } });
    expect((await scenario.doc('rooms', ROOM))?.['lastComment']).toMatchObject({ text: null, deleted: true });
    await thenReplayChangesNothing(scenario, 'HistoryDeleted');
  });
});

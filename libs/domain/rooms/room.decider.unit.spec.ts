import { DomainError, type ErrorCategory } from '../errors';
import {
  DEFAULT_PERMISSIONS,
  type RoomCreated,
  type RoomEvent,
  type RoomPermissions,
  type RoomRole,
  upcast,
} from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  assertCanSend,
  decideRoom,
  evolveRoom,
  historyVisibleFrom,
  initialRoomState,
  MAX_ROOM_MEMBERS,
  requireRoom,
  type RoomCommand,
  type RoomState,
} from './room.decider';

const { given, fold } = deciderSpec<RoomCommand, RoomEvent, RoomState>({
  initialState: initialRoomState,
  evolve: evolveRoom,
  decide: decideRoom,
});

const ROOM = 'room-1';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const OWNER = 'u-owner';
const OP = 'u-op';
const ALICE = 'u-alice';
const BOB = 'u-bob';
const CAROL = 'u-carol';
const DAVE = 'u-dave';
const OUTSIDER = 'u-outsider';

const created = (data: Partial<RoomCreated['data']> = {}): RoomEvent => ({
  type: 'RoomCreated',
  data: {
    roomId: ROOM,
    kind: 'group',
    name: 'General',
    topic: 'Small talk',
    avatarUrl: null,
    createdBy: OWNER,
    permissions: DEFAULT_PERMISSIONS,
    historyVisibility: 'shared',
    applicationId: null,
    createdAt: T0,
    ...data,
  },
});
const added = (userId: string, role: RoomRole = 'member', addedBy = OWNER): RoomEvent => ({
  type: 'MemberAdded',
  data: { roomId: ROOM, userId, role, addedBy, addedAt: T0 },
});
const removed = (userId: string, removedBy = OWNER): RoomEvent => ({
  type: 'MemberRemoved',
  data: { roomId: ROOM, userId, removedBy, removedAt: T0 },
});
const left = (userId: string): RoomEvent => ({ type: 'MemberLeft', data: { roomId: ROOM, userId, leftAt: T0 } });
const roleChanged = (userId: string, role: RoomRole, changedBy = OWNER): RoomEvent => ({
  type: 'MemberRoleChanged',
  data: { roomId: ROOM, userId, role, changedBy, changedAt: T0 },
});
const muteChanged = (userId: string, muted: boolean, changedBy = OWNER): RoomEvent => ({
  type: 'MemberMuteChanged',
  data: { roomId: ROOM, userId, muted, changedBy, changedAt: T0 },
});

/** A group room: OWNER (owner), OP (operator), ALICE and BOB (members), joined in that order. */
const group = (permissions: Partial<RoomPermissions> = {}): RoomEvent[] => [
  created({ permissions: { ...DEFAULT_PERMISSIONS, ...permissions } }),
  added(OWNER, 'owner', OWNER),
  added(OP),
  roleChanged(OP, 'operator'),
  added(ALICE),
  added(BOB),
];

/** A direct room between ALICE (creator) and BOB. */
const direct: RoomEvent[] = [
  created({ kind: 'direct', name: '', topic: null, createdBy: ALICE }),
  added(ALICE, 'member', ALICE),
  added(BOB, 'member', ALICE),
];

const createRoom = (command: Partial<Extract<RoomCommand, { type: 'CreateRoom' }>> = {}): RoomCommand => ({
  type: 'CreateRoom',
  roomId: ROOM,
  kind: 'group',
  name: 'General',
  topic: 'Small talk',
  avatarUrl: null,
  actor: OWNER,
  participants: [ALICE, BOB],
  now: NOW,
  ...command,
});
const addMembers = (actor: string, userIds: readonly string[]): RoomCommand => ({
  type: 'AddMembers',
  actor,
  userIds,
  now: NOW,
});
const removeMember = (actor: string, userId: string): RoomCommand => ({ type: 'RemoveMember', actor, userId, now: NOW });
const leave = (actor: string): RoomCommand => ({ type: 'LeaveRoom', actor, now: NOW });
const updateRoom = (
  actor: string,
  update: Omit<Extract<RoomCommand, { type: 'UpdateRoom' }>, 'type' | 'actor' | 'now'>,
): RoomCommand => ({ type: 'UpdateRoom', actor, now: NOW, ...update });
const changeMember = (actor: string, userId: string, change: { role?: RoomRole; muted?: boolean }): RoomCommand => ({
  type: 'ChangeMember',
  actor,
  userId,
  now: NOW,
  ...change,
});

const memberAddedNow = (userId: string, role: RoomRole, addedBy: string): RoomEvent => ({
  type: 'MemberAdded',
  data: { roomId: ROOM, userId, role, addedBy, addedAt: NOW },
});
const roleChangedNow = (userId: string, role: RoomRole, changedBy: string): RoomEvent => ({
  type: 'MemberRoleChanged',
  data: { roomId: ROOM, userId, role, changedBy, changedAt: NOW },
});
const muteChangedNow = (userId: string, muted: boolean, changedBy: string): RoomEvent => ({
  type: 'MemberMuteChanged',
  data: { roomId: ROOM, userId, muted, changedBy, changedAt: NOW },
});

const users = (count: number, prefix = 'u-') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('room decider', () => {
  describe('history visibility', () => {
    it('creates a room `shared` by default, or as asked', () => {
      const [createdShared] = decideRoom(createRoom({ participants: [] }), initialRoomState);
      expect(createdShared?.type === 'RoomCreated' && createdShared.data.historyVisibility).toBe('shared');
      const [createdJoined] = decideRoom(createRoom({ participants: [], historyVisibility: 'joined' }), initialRoomState);
      expect(createdJoined?.type === 'RoomCreated' && createdJoined.data.historyVisibility).toBe('joined');
    });

    it('lets owners and operators change it; the same value again writes nothing', () => {
      for (const actor of [OWNER, OP]) {
        given(group())
          .when(updateRoom(actor, { historyVisibility: 'joined' }))
          .then([{ type: 'RoomHistoryVisibilityChanged', data: { roomId: ROOM, historyVisibility: 'joined', changedBy: actor, changedAt: NOW } }]);
      }
      given(group()).when(updateRoom(OWNER, { historyVisibility: 'shared' })).then([]);
    });

    it('refuses a plain member (403) and a non-member (404)', () => {
      given(group()).when(updateRoom(ALICE, { historyVisibility: 'joined' })).thenThrows('ROOM.HISTORY_VISIBILITY_NOT_ALLOWED', 'forbidden');
      given(group()).when(updateRoom(OUTSIDER, { historyVisibility: 'joined' })).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it('shows a member the history from their joining only in a `joined` room', () => {
      const shared = fold(group());
      const joined = fold([...group(), { type: 'RoomHistoryVisibilityChanged', data: { roomId: ROOM, historyVisibility: 'joined', changedBy: OWNER, changedAt: T0 } }]);
      if (shared.status !== 'active' || joined.status !== 'active') throw new Error('rooms expected');
      expect(historyVisibleFrom(shared, 42n)).toBeNull();
      expect(historyVisibleFrom(joined, 42n)).toBe(42n);
    });

    it('reads rooms created before the setting existed (RoomCreated v1) as `shared`', () => {
      const v1 = { ...created().data } as Record<string, unknown>;
      delete v1['historyVisibility'];
      expect(upcast('RoomCreated', 1, v1)).toMatchObject({ data: { historyVisibility: 'shared' } });
      expect(upcast('RoomCreated', 2, { ...v1, historyVisibility: 'joined' })).toMatchObject({ data: { historyVisibility: 'joined' } });
    });
  });

  describe('CreateRoom', () => {
    it('creates a group with the default permissions, the actor as owner and each participant once', () => {
      given([])
        .when(createRoom({ participants: [ALICE, BOB, ALICE, OWNER] }))
        .then([
          {
            type: 'RoomCreated',
            data: {
              roomId: ROOM,
              kind: 'group',
              name: 'General',
              topic: 'Small talk',
              avatarUrl: null,
              createdBy: OWNER,
              permissions: DEFAULT_PERMISSIONS,
              historyVisibility: 'shared',
              applicationId: null,
              createdAt: NOW,
            },
          },
          memberAddedNow(OWNER, 'owner', OWNER),
          memberAddedNow(ALICE, 'member', OWNER),
          memberAddedNow(BOB, 'member', OWNER),
        ]);
    });

    it('merges the given permissions over the defaults', () => {
      given([])
        .when(createRoom({ participants: [], permissions: { send: false, removeMembers: true }, avatarUrl: 'https://a/x.png' }))
        .then([
          {
            type: 'RoomCreated',
            data: {
              roomId: ROOM,
              kind: 'group',
              name: 'General',
              topic: 'Small talk',
              avatarUrl: 'https://a/x.png',
              createdBy: OWNER,
              permissions: { rename: true, changeTopic: true, addMembers: true, removeMembers: true, send: false },
              historyVisibility: 'shared',
              applicationId: null,
              createdAt: NOW,
            },
          },
          memberAddedNow(OWNER, 'owner', OWNER),
        ]);
    });

    it('creates a direct room where both sides are plain members', () => {
      given([])
        .when(createRoom({ kind: 'direct', name: '', topic: null, actor: ALICE, participants: [BOB, ALICE] }))
        .then([
          {
            type: 'RoomCreated',
            data: {
              roomId: ROOM,
              kind: 'direct',
              name: '',
              topic: null,
              avatarUrl: null,
              createdBy: ALICE,
              permissions: DEFAULT_PERMISSIONS,
              historyVisibility: 'shared',
              applicationId: null,
              createdAt: NOW,
            },
          },
          memberAddedNow(ALICE, 'member', ALICE),
          memberAddedNow(BOB, 'member', ALICE),
        ]);
    });

    it.each([
      ['nobody else', [] as string[]],
      ['only the caller', [ALICE]],
      ['two others', [BOB, CAROL]],
    ])('refuses a direct room with %s', (_, participants) => {
      const error = given([])
        .when(createRoom({ kind: 'direct', actor: ALICE, participants }))
        .thenThrows('ROOM.DIRECT_NEEDS_ONE_OTHER', 'validation');
      expect(error.details).toEqual([{ field: 'userId', reason: 'must be another user than the caller' }]);
    });

    it(`accepts ${MAX_ROOM_MEMBERS - 1} participants (the room is then full)`, () => {
      const participants = users(MAX_ROOM_MEMBERS - 1);
      given([])
        .when(createRoom({ participants }))
        .then([
          {
            type: 'RoomCreated',
            data: {
              roomId: ROOM,
              kind: 'group',
              name: 'General',
              topic: 'Small talk',
              avatarUrl: null,
              createdBy: OWNER,
              permissions: DEFAULT_PERMISSIONS,
              historyVisibility: 'shared',
              applicationId: null,
              createdAt: NOW,
            },
          },
          memberAddedNow(OWNER, 'owner', OWNER),
          ...participants.map((id) => memberAddedNow(id, 'member', OWNER)),
        ]);
    });

    it(`refuses ${MAX_ROOM_MEMBERS} participants: too many members`, () => {
      const error = given([])
        .when(createRoom({ participants: users(MAX_ROOM_MEMBERS) }))
        .thenThrows('ROOM.TOO_MANY_MEMBERS', 'validation');
      expect(error.details).toEqual([{ field: 'participants', reason: `at most ${MAX_ROOM_MEMBERS - 1} participants` }]);
    });

    it('refuses to create a room that exists', () => {
      given(group()).when(createRoom()).thenThrows('ROOM.ALREADY_EXISTS', 'conflict');
    });

    it('refuses to create a room again even after everyone left', () => {
      given([created(), added(OWNER, 'owner', OWNER), left(OWNER)])
        .when(createRoom())
        .thenThrows('ROOM.ALREADY_EXISTS', 'conflict');
    });
  });

  describe('refusals shared by every command on an existing room', () => {
    const commands: [string, (actor: string) => RoomCommand][] = [
      ['AddMembers', (actor) => addMembers(actor, [CAROL])],
      ['RemoveMember', (actor) => removeMember(actor, BOB)],
      ['LeaveRoom', (actor) => leave(actor)],
      ['UpdateRoom', (actor) => updateRoom(actor, { name: 'Renamed' })],
      ['ChangeMember', (actor) => changeMember(actor, BOB, { muted: true })],
    ];

    it.each(commands)('%s on a room that does not exist: 404 ROOM.NOT_FOUND', (_, command) => {
      given([]).when(command(OWNER)).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it.each(commands)('%s by a non-member: 404 ROOM.NOT_FOUND, the room stays hidden', (_, command) => {
      given(group()).when(command(OUTSIDER)).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it.each(commands)('%s by a removed member: 404 ROOM.NOT_FOUND', (_, command) => {
      given([...group(), removed(OP)]).when(command(OP)).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });

    it.each(commands)('%s by a member who left: 404 ROOM.NOT_FOUND', (_, command) => {
      given([...group(), left(OP)]).when(command(OP)).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });
  });

  describe('permission flags: refused to plain members, operators and the owner pass', () => {
    const cases: {
      flag: keyof RoomPermissions;
      what: string;
      command: (actor: string) => RoomCommand;
      code: string;
      events: (actor: string) => RoomEvent[];
    }[] = [
      {
        flag: 'rename',
        what: 'rename',
        command: (actor) => updateRoom(actor, { name: 'Renamed' }),
        code: 'ROOM.RENAME_NOT_ALLOWED',
        events: (actor) => [
          { type: 'RoomRenamed', data: { roomId: ROOM, name: 'Renamed', renamedBy: actor, renamedAt: NOW } },
        ],
      },
      {
        flag: 'rename',
        what: 'change the avatar',
        command: (actor) => updateRoom(actor, { avatarUrl: 'https://a/new.png' }),
        code: 'ROOM.RENAME_NOT_ALLOWED',
        events: (actor) => [
          {
            type: 'RoomAvatarChanged',
            data: { roomId: ROOM, avatarUrl: 'https://a/new.png', changedBy: actor, changedAt: NOW },
          },
        ],
      },
      {
        flag: 'changeTopic',
        what: 'change the topic',
        command: (actor) => updateRoom(actor, { topic: 'Serious talk' }),
        code: 'ROOM.TOPIC_NOT_ALLOWED',
        events: (actor) => [
          { type: 'RoomTopicChanged', data: { roomId: ROOM, topic: 'Serious talk', changedBy: actor, changedAt: NOW } },
        ],
      },
      {
        flag: 'addMembers',
        what: 'add members',
        command: (actor) => addMembers(actor, [CAROL]),
        code: 'ROOM.ADD_MEMBERS_NOT_ALLOWED',
        events: (actor) => [memberAddedNow(CAROL, 'member', actor)],
      },
      {
        flag: 'removeMembers',
        what: 'remove a member',
        command: (actor) => removeMember(actor, BOB),
        code: 'ROOM.REMOVE_MEMBERS_NOT_ALLOWED',
        events: (actor) => [
          { type: 'MemberRemoved', data: { roomId: ROOM, userId: BOB, removedBy: actor, removedAt: NOW } },
        ],
      },
    ];

    describe.each(cases)('$flag: $what', ({ flag, command, code, events }) => {
      it(`a plain member is refused with 403 ${code} when ${flag} is off`, () => {
        given(group({ [flag]: false }))
          .when(command(ALICE))
          .thenThrows(code, 'forbidden');
      });

      it.each([OP, OWNER])(`%s may when ${flag} is off`, (actor) => {
        given(group({ [flag]: false }))
          .when(command(actor))
          .then(events(actor));
      });

      it(`a plain member may when ${flag} is on`, () => {
        given(group({ [flag]: true }))
          .when(command(ALICE))
          .then(events(ALICE));
      });

      it(`turning ${flag} off later refuses the member`, () => {
        const permissions: RoomPermissions = { ...DEFAULT_PERMISSIONS, [flag]: false };
        given([
          ...group({ [flag]: true }),
          { type: 'RoomPermissionsChanged', data: { roomId: ROOM, permissions, changedBy: OWNER, changedAt: T0 } },
        ])
          .when(command(ALICE))
          .thenThrows(code, 'forbidden');
      });
    });

    it('removing members is off by default', () => {
      given(group()).when(removeMember(ALICE, BOB)).thenThrows('ROOM.REMOVE_MEMBERS_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('direct rooms', () => {
    it.each([
      ['take more members', addMembers(ALICE, [CAROL])],
      ['lose members', removeMember(ALICE, BOB)],
      ['be left', leave(ALICE)],
      ['be renamed', updateRoom(ALICE, { name: 'Us' })],
      ['have roles', changeMember(ALICE, BOB, { role: 'operator' })],
    ])('cannot %s: 403 ROOM.DIRECT_ROOM', (_, command) => {
      given(direct).when(command).thenThrows('ROOM.DIRECT_ROOM', 'forbidden');
    });

    it('may change its topic', () => {
      given(direct)
        .when(updateRoom(BOB, { topic: 'Lunch' }))
        .then([{ type: 'RoomTopicChanged', data: { roomId: ROOM, topic: 'Lunch', changedBy: BOB, changedAt: NOW } }]);
    });

    it('refuses mute to its plain members', () => {
      given(direct)
        .when(changeMember(ALICE, BOB, { muted: true }))
        .thenThrows('ROOM.MUTE_NOT_ALLOWED', 'forbidden');
    });

    it('a direct room stays hidden from non-members', () => {
      given(direct).when(leave(OUTSIDER)).thenThrows('ROOM.NOT_FOUND', 'not_found');
    });
  });

  describe('AddMembers', () => {
    it('adds only users not yet members, each once, as plain members', () => {
      given(group())
        .when(addMembers(ALICE, [CAROL, BOB, DAVE, CAROL, OWNER]))
        .then([memberAddedNow(CAROL, 'member', ALICE), memberAddedNow(DAVE, 'member', ALICE)]);
    });

    it('adding only existing members writes nothing', () => {
      given(group()).when(addMembers(OWNER, [ALICE, BOB])).then([]);
    });

    describe('blocking (the block lists of those added come with the command)', () => {
      const blocks = (entries: [string, string[]][]) =>
        new Map(entries.map(([userId, blocked]) => [userId, { blocked: new Map(blocked.map((id) => [id, T0])) }]));

      it('refuses adding users who block the actor, naming each', () => {
        const error = given(group())
          .when({ ...addMembers(ALICE, [CAROL, DAVE]), blocks: blocks([[DAVE, [ALICE]]]) } as RoomCommand)
          .thenThrows('CONTACT.BLOCKED_ADD_MEMBER', 'forbidden');
        expect(error.details).toEqual([{ field: 'userIds', reason: `${DAVE} has blocked you` }]);
      });

      it('asks only of those actually added: a member who blocks the actor is already in', () => {
        given(group())
          .when({ ...addMembers(ALICE, [BOB, CAROL]), blocks: blocks([[BOB, [ALICE]]]) } as RoomCommand)
          .then([memberAddedNow(CAROL, 'member', ALICE)]);
      });

      it('lets the actor add a user the actor blocks', () => {
        given(group())
          .when({ ...addMembers(ALICE, [CAROL]), blocks: blocks([[ALICE, [CAROL]]]) } as RoomCommand)
          .then([memberAddedNow(CAROL, 'member', ALICE)]);
      });
    });

    it('re-adds a member who left', () => {
      given([...group(), left(BOB)])
        .when(addMembers(ALICE, [BOB]))
        .then([memberAddedNow(BOB, 'member', ALICE)]);
    });

    describe('at the member limit', () => {
      // OWNER + (MAX - 2) members: room for exactly two more.
      const nearlyFull = [
        created(),
        added(OWNER, 'owner', OWNER),
        ...users(MAX_ROOM_MEMBERS - 3, 'm-').map((id) => added(id)),
      ];

      it('fills the room up to the limit, existing members not counting', () => {
        given(nearlyFull)
          .when(addMembers(OWNER, [CAROL, 'm-0', DAVE]))
          .then([memberAddedNow(CAROL, 'member', OWNER), memberAddedNow(DAVE, 'member', OWNER)]);
      });

      it('refuses one more than the limit: ROOM.TOO_MANY_MEMBERS', () => {
        const error = given(nearlyFull)
          .when(addMembers(OWNER, [CAROL, DAVE, ALICE]))
          .thenThrows('ROOM.TOO_MANY_MEMBERS', 'validation');
        expect(error.details).toEqual([{ field: 'userIds', reason: 'the room has room for 2 more' }]);
      });
    });
  });

  describe('RemoveMember', () => {
    it('the owner removes a member', () => {
      given(group())
        .when(removeMember(OWNER, ALICE))
        .then([{ type: 'MemberRemoved', data: { roomId: ROOM, userId: ALICE, removedBy: OWNER, removedAt: NOW } }]);
    });

    it('the owner removes an operator', () => {
      given(group())
        .when(removeMember(OWNER, OP))
        .then([{ type: 'MemberRemoved', data: { roomId: ROOM, userId: OP, removedBy: OWNER, removedAt: NOW } }]);
    });

    it('an owner removes another owner', () => {
      given([...group(), roleChanged(ALICE, 'owner')])
        .when(removeMember(ALICE, OWNER))
        .then([{ type: 'MemberRemoved', data: { roomId: ROOM, userId: OWNER, removedBy: ALICE, removedAt: NOW } }]);
    });

    it.each<[string, string, string, RoomEvent[]]>([
      ['an operator cannot remove another operator', OP, ALICE, [roleChanged(ALICE, 'operator')]],
      ['an operator cannot remove the owner', OP, OWNER, []],
      ['a member with removeMembers cannot remove an operator', ALICE, OP, [permissions({ removeMembers: true })]],
      ['a member with removeMembers cannot remove the owner', ALICE, OWNER, [permissions({ removeMembers: true })]],
    ])('%s: 403 ROOM.OUTRANKED', (_, actor, target, extra) => {
      given([...group(), ...extra])
        .when(removeMember(actor, target))
        .thenThrows('ROOM.OUTRANKED', 'forbidden');
    });

    it('removing oneself is refused: use leave', () => {
      const error = given(group()).when(removeMember(OWNER, OWNER)).thenThrows('ROOM.USE_LEAVE', 'validation');
      expect(error.details).toEqual([{ field: 'userId', reason: 'is the caller' }]);
    });

    it.each([
      ['a user who never joined', OUTSIDER, []],
      ['a member already removed', BOB, [removed(BOB)]],
    ])('removing %s: 404 ROOM.MEMBER_NOT_FOUND', (_, target, extra) => {
      given([...group(), ...extra])
        .when(removeMember(OWNER, target))
        .thenThrows('ROOM.MEMBER_NOT_FOUND', 'not_found');
    });
  });

  describe('LeaveRoom', () => {
    const leftNow = (userId: string): RoomEvent => ({ type: 'MemberLeft', data: { roomId: ROOM, userId, leftAt: NOW } });

    it.each([ALICE, OP])('%s leaves without any other change', (actor) => {
      given(group()).when(leave(actor)).then([leftNow(actor)]);
    });

    it('an owner leaves while another owner stays: no succession', () => {
      given([...group(), roleChanged(BOB, 'owner')])
        .when(leave(OWNER))
        .then([leftNow(OWNER)]);
    });

    it('the last owner leaving hands the room to an operator before members who joined earlier', () => {
      given([created(), added(OWNER, 'owner', OWNER), added(ALICE), added(BOB), added(CAROL), roleChanged(CAROL, 'operator')])
        .when(leave(OWNER))
        .then([leftNow(OWNER), roleChangedNow(CAROL, 'owner', OWNER)]);
    });

    it('the longest-standing operator inherits', () => {
      given([...group(), added(CAROL), roleChanged(CAROL, 'operator')])
        .when(leave(OWNER))
        .then([leftNow(OWNER), roleChangedNow(OP, 'owner', OWNER)]);
    });

    it('among operators the one who joined first inherits, whatever order they were promoted in', () => {
      given([
        created(),
        added(OWNER, 'owner', OWNER),
        added(ALICE),
        added(BOB),
        roleChanged(BOB, 'operator'),
        roleChanged(ALICE, 'operator'),
      ])
        .when(leave(OWNER))
        .then([leftNow(OWNER), roleChangedNow(ALICE, 'owner', OWNER)]);
    });

    it('without operators the longest-standing member inherits', () => {
      given([created(), added(OWNER, 'owner', OWNER), added(BOB), added(ALICE)])
        .when(leave(OWNER))
        .then([leftNow(OWNER), roleChangedNow(BOB, 'owner', OWNER)]);
    });

    it('a member who left and came back counts from the rejoin', () => {
      given([created(), added(OWNER, 'owner', OWNER), added(ALICE), added(BOB), left(ALICE), added(ALICE)])
        .when(leave(OWNER))
        .then([leftNow(OWNER), roleChangedNow(BOB, 'owner', OWNER)]);
    });

    it('the last owner leaving an otherwise empty room: only MemberLeft', () => {
      given([created(), added(OWNER, 'owner', OWNER)]).when(leave(OWNER)).then([leftNow(OWNER)]);
    });
  });

  describe('UpdateRoom', () => {
    it('renames, changes topic and avatar in one command, in that order', () => {
      given(group())
        .when(updateRoom(ALICE, { name: 'Renamed', topic: null, avatarUrl: 'https://a/new.png' }))
        .then([
          { type: 'RoomRenamed', data: { roomId: ROOM, name: 'Renamed', renamedBy: ALICE, renamedAt: NOW } },
          { type: 'RoomTopicChanged', data: { roomId: ROOM, topic: null, changedBy: ALICE, changedAt: NOW } },
          {
            type: 'RoomAvatarChanged',
            data: { roomId: ROOM, avatarUrl: 'https://a/new.png', changedBy: ALICE, changedAt: NOW },
          },
        ]);
    });

    it('clears the avatar', () => {
      given([...group(), { type: 'RoomAvatarChanged', data: { roomId: ROOM, avatarUrl: 'https://a/x.png', changedBy: OWNER, changedAt: T0 } }])
        .when(updateRoom(ALICE, { avatarUrl: null }))
        .then([{ type: 'RoomAvatarChanged', data: { roomId: ROOM, avatarUrl: null, changedBy: ALICE, changedAt: NOW } }]);
    });

    it.each<[string, Parameters<typeof updateRoom>[1]]>([
      ['nothing', {}],
      ['the current name', { name: 'General' }],
      ['the current topic', { topic: 'Small talk' }],
      ['the current avatar', { avatarUrl: null }],
      ['all current values', { name: 'General', topic: 'Small talk', avatarUrl: null }],
    ])('setting %s writes nothing', (_, update) => {
      given(group()).when(updateRoom(ALICE, update)).then([]);
    });

    it('setting the current values writes nothing even where the member may not change them', () => {
      given(group({ rename: false, changeTopic: false }))
        .when(updateRoom(ALICE, { name: 'General', topic: 'Small talk', avatarUrl: null }))
        .then([]);
    });

    it('sees earlier renames: renaming back to the first name is a change', () => {
      given([...group(), { type: 'RoomRenamed', data: { roomId: ROOM, name: 'Other', renamedBy: OWNER, renamedAt: T0 } }])
        .when(updateRoom(ALICE, { name: 'General' }))
        .then([{ type: 'RoomRenamed', data: { roomId: ROOM, name: 'General', renamedBy: ALICE, renamedAt: NOW } }]);
    });

    it('refuses the whole command when one part is not allowed', () => {
      given(group({ changeTopic: false }))
        .when(updateRoom(ALICE, { name: 'Renamed', topic: 'New' }))
        .thenThrows('ROOM.TOPIC_NOT_ALLOWED', 'forbidden');
    });

    it.each([OP, OWNER])('%s changes permissions: the result is merged over the current ones', (actor) => {
      given(group({ send: false }))
        .when(updateRoom(actor, { permissions: { removeMembers: true } }))
        .then([
          {
            type: 'RoomPermissionsChanged',
            data: {
              roomId: ROOM,
              permissions: { rename: true, changeTopic: true, addMembers: true, removeMembers: true, send: false },
              changedBy: actor,
              changedAt: NOW,
            },
          },
        ]);
    });

    it('permissions equal to the current ones write nothing', () => {
      given(group()).when(updateRoom(OWNER, { permissions: { send: true, removeMembers: false } })).then([]);
    });

    it.each<[string, Partial<RoomPermissions>]>([
      ['a change', { send: false }],
      ['the current values', { send: true }],
    ])('a plain member sending permissions (%s) is refused: 403 ROOM.PERMISSIONS_NOT_ALLOWED', (_, p) => {
      given(group()).when(updateRoom(ALICE, { permissions: p })).thenThrows('ROOM.PERMISSIONS_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('ChangeMember', () => {
    it.each<RoomRole>(['operator', 'owner'])('the owner makes a member %s', (role) => {
      given(group())
        .when(changeMember(OWNER, ALICE, { role }))
        .then([roleChangedNow(ALICE, role, OWNER)]);
    });

    it('the owner demotes an operator', () => {
      given(group())
        .when(changeMember(OWNER, OP, { role: 'member' }))
        .then([roleChangedNow(OP, 'member', OWNER)]);
    });

    it('an owner steps down once another owner exists', () => {
      given([...group(), roleChanged(ALICE, 'owner')])
        .when(changeMember(OWNER, OWNER, { role: 'member' }))
        .then([roleChangedNow(OWNER, 'member', OWNER)]);
    });

    it('the last owner cannot step down: 409 ROOM.LAST_OWNER', () => {
      given(group()).when(changeMember(OWNER, OWNER, { role: 'operator' })).thenThrows('ROOM.LAST_OWNER', 'conflict');
    });

    it('the current role writes nothing', () => {
      given(group()).when(changeMember(OWNER, OP, { role: 'operator' })).then([]);
    });

    it.each([OP, ALICE])('%s cannot change roles: 403 ROOM.ROLE_NOT_ALLOWED', (actor) => {
      given(group()).when(changeMember(actor, BOB, { role: 'operator' })).thenThrows('ROOM.ROLE_NOT_ALLOWED', 'forbidden');
    });

    it.each([OWNER, OP])('%s mutes a member', (actor) => {
      given(group())
        .when(changeMember(actor, ALICE, { muted: true }))
        .then([muteChangedNow(ALICE, true, actor)]);
    });

    it('the owner mutes an operator', () => {
      given(group())
        .when(changeMember(OWNER, OP, { muted: true }))
        .then([muteChangedNow(OP, true, OWNER)]);
    });

    it('an operator cannot mute another operator, as it cannot remove one: 403 ROOM.OUTRANKED', () => {
      given([...group(), roleChanged(ALICE, 'operator')])
        .when(changeMember(OP, ALICE, { muted: true }))
        .thenThrows('ROOM.OUTRANKED', 'forbidden');
    });

    it('the owner mutes an operator', () => {
      given([...group(), roleChanged(ALICE, 'operator')])
        .when(changeMember(OWNER, ALICE, { muted: true }))
        .then([muteChangedNow(ALICE, true, OWNER)]);
    });

    it('an operator cannot mute the owner: 403 ROOM.OUTRANKED', () => {
      given(group()).when(changeMember(OP, OWNER, { muted: true })).thenThrows('ROOM.OUTRANKED', 'forbidden');
    });

    it('a plain member cannot mute: 403 ROOM.MUTE_NOT_ALLOWED', () => {
      given(group()).when(changeMember(ALICE, BOB, { muted: true })).thenThrows('ROOM.MUTE_NOT_ALLOWED', 'forbidden');
    });

    it('unmutes a muted member', () => {
      given([...group(), muteChanged(ALICE, true)])
        .when(changeMember(OP, ALICE, { muted: false }))
        .then([muteChangedNow(ALICE, false, OP)]);
    });

    it.each<[string, RoomEvent[], boolean]>([
      ['muting a muted member', [muteChanged(ALICE, true)], true],
      ['unmuting a member who is not muted', [], false],
    ])('%s writes nothing', (_, extra, muted) => {
      given([...group(), ...extra]).when(changeMember(OWNER, ALICE, { muted })).then([]);
    });

    it('a plain member asking for no change is not refused', () => {
      given(group()).when(changeMember(ALICE, BOB, { role: 'member', muted: false })).then([]);
    });

    it('changes role and mute in one command', () => {
      given(group())
        .when(changeMember(OWNER, ALICE, { role: 'operator', muted: true }))
        .then([roleChangedNow(ALICE, 'operator', OWNER), muteChangedNow(ALICE, true, OWNER)]);
    });

    it('a member re-added after being muted starts unmuted', () => {
      given([...group(), muteChanged(ALICE, true), removed(ALICE), added(ALICE)])
        .when(changeMember(OWNER, ALICE, { muted: false }))
        .then([]);
    });

    it.each([
      ['a user who never joined', OUTSIDER, []],
      ['a member who left', BOB, [left(BOB)]],
    ])('changing %s: 404 ROOM.MEMBER_NOT_FOUND', (_, target, extra) => {
      given([...group(), ...extra])
        .when(changeMember(OWNER, target, { role: 'operator' }))
        .thenThrows('ROOM.MEMBER_NOT_FOUND', 'not_found');
    });
  });

  describe('assertCanSend', () => {
    const room = (events: RoomEvent[]) => requireRoom(fold(events));
    const refusal = (events: RoomEvent[], userId: string): { code: string; category: ErrorCategory } | null => {
      try {
        assertCanSend(room(events), userId);
        return null;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return { code: error.code, category: error.category };
      }
    };

    it.each([OWNER, OP, ALICE])('%s may send in a room with default permissions', (userId) => {
      expect(refusal(group(), userId)).toBeNull();
    });

    it('a muted member may not send: 403 ROOM.MUTED', () => {
      expect(refusal([...group(), muteChanged(ALICE, true)], ALICE)).toEqual({ code: 'ROOM.MUTED', category: 'forbidden' });
    });

    it('mute applies to operators too', () => {
      expect(refusal([...group(), muteChanged(OP, true)], OP)).toEqual({ code: 'ROOM.MUTED', category: 'forbidden' });
    });

    it('an unmuted member may send again', () => {
      expect(refusal([...group(), muteChanged(ALICE, true), muteChanged(ALICE, false)], ALICE)).toBeNull();
    });

    it('a plain member may not send when send is off: 403 ROOM.SEND_NOT_ALLOWED', () => {
      expect(refusal(group({ send: false }), ALICE)).toEqual({ code: 'ROOM.SEND_NOT_ALLOWED', category: 'forbidden' });
    });

    it.each([OP, OWNER])('%s may send when send is off', (userId) => {
      expect(refusal(group({ send: false }), userId)).toBeNull();
    });

    it('a non-member learns nothing: 404 ROOM.NOT_FOUND', () => {
      expect(refusal(group(), OUTSIDER)).toEqual({ code: 'ROOM.NOT_FOUND', category: 'not_found' });
    });

    it('requireRoom refuses an absent room with 404 ROOM.NOT_FOUND', () => {
      expect(() => room([])).toThrow(expect.objectContaining({ code: 'ROOM.NOT_FOUND', category: 'not_found' }));
    });
  });

  describe('evolve', () => {
    it('ignores events before RoomCreated', () => {
      expect(fold([added(ALICE)])).toEqual({ status: 'absent' });
    });

    it('ignores role and mute changes of non-members', () => {
      const before = fold(group());
      expect(fold([...group(), roleChanged(OUTSIDER, 'owner'), muteChanged(OUTSIDER, true)])).toEqual(before);
    });
  });
});

function permissions(p: Partial<RoomPermissions>): RoomEvent {
  return {
    type: 'RoomPermissionsChanged',
    data: { roomId: ROOM, permissions: { ...DEFAULT_PERMISSIONS, ...p }, changedBy: OWNER, changedAt: T0 },
  };
}

describe('threads (rooms of kind thread)', () => {
  const thread = (): RoomEvent[] => [created({ kind: 'thread', name: 'A bed?', topic: null }), added(OWNER, 'member', OWNER), added(ALICE)];

  it('given nothing, when a thread is opened with recipients, then everyone is a plain member', () => {
    given([])
      .when(createRoom({ kind: 'thread', name: 'A bed?', topic: null, participants: [ALICE] }))
      .then([
        created({ kind: 'thread', name: 'A bed?', topic: null, createdAt: NOW }),
        { type: 'MemberAdded', data: { roomId: ROOM, userId: OWNER, role: 'member', addedBy: OWNER, addedAt: NOW } },
        { type: 'MemberAdded', data: { roomId: ROOM, userId: ALICE, role: 'member', addedBy: OWNER, addedAt: NOW } },
      ]);
  });

  it('given nothing, when a thread names nobody but its sender, then it is refused naming recipients', () => {
    const error = given([]).when(createRoom({ kind: 'thread', participants: [OWNER] })).thenThrows('ROOM.THREAD_NEEDS_RECIPIENTS', 'validation');
    expect(error.details?.[0]?.field).toBe('recipients');
  });

  it('given a thread, when someone is added, it is left or renamed, then it is refused: its participants and subject are fixed', () => {
    given(thread()).when({ type: 'AddMembers', actor: OWNER, userIds: [BOB], now: NOW }).thenThrows('ROOM.THREAD', 'forbidden');
    given(thread()).when({ type: 'LeaveRoom', actor: ALICE, now: NOW }).thenThrows('ROOM.THREAD', 'forbidden');
    given(thread()).when(updateRoom(ALICE, { name: 'Other' })).thenThrows('ROOM.THREAD', 'forbidden');
  });
});

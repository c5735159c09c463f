import { DEFAULT_PERMISSIONS, type RoomEvent, type RoomPermissions } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { decideRoom, evolveRoom, initialRoomState, type RoomCommand, type RoomState } from './room.decider';

/** What clients send: partial permissions (as DTOs hand them over, unset flags present as `undefined`) and names. */
const { given } = deciderSpec<RoomCommand, RoomEvent, RoomState>({
  initialState: initialRoomState,
  evolve: evolveRoom,
  decide: decideRoom,
});

const ROOM = 'room-1';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const OWNER = 'u-owner';
const ALICE = 'u-alice';

/** A DTO's view of `{ [flag]: value }`: every other flag present with the value `undefined`. */
const dtoPermissions = (named: Partial<RoomPermissions>): Partial<RoomPermissions> => ({
  rename: undefined,
  changeTopic: undefined,
  addMembers: undefined,
  removeMembers: undefined,
  send: undefined,
  ...named,
});

const createRoom = (command: Partial<Extract<RoomCommand, { type: 'CreateRoom' }>> = {}): RoomCommand => ({
  type: 'CreateRoom',
  roomId: ROOM,
  kind: 'group',
  name: 'General',
  topic: null,
  avatarUrl: null,
  actor: OWNER,
  participants: [],
  now: NOW,
  ...command,
});

const created = (permissions: RoomPermissions, at = NOW): RoomEvent => ({
  type: 'RoomCreated',
  data: { roomId: ROOM, kind: 'group', name: 'General', topic: null, avatarUrl: null, createdBy: OWNER, permissions, historyVisibility: 'shared', applicationId: null, createdAt: at },
});
const ownerAdded = (at = NOW): RoomEvent => ({
  type: 'MemberAdded',
  data: { roomId: ROOM, userId: OWNER, role: 'owner', addedBy: OWNER, addedAt: at },
});
const aliceAdded: RoomEvent = { type: 'MemberAdded', data: { roomId: ROOM, userId: ALICE, role: 'member', addedBy: OWNER, addedAt: T0 } };
const update = (actor: string, fields: Omit<Extract<RoomCommand, { type: 'UpdateRoom' }>, 'type' | 'actor' | 'now'>): RoomCommand => ({
  type: 'UpdateRoom',
  actor,
  now: NOW,
  ...fields,
});

describe('room decider: what clients send', () => {
  describe('a partial permissions object changes only the flags it names', () => {
    it('given nothing, when a group is created naming one flag, then the others are the defaults', () => {
      given([])
        .when(createRoom({ permissions: dtoPermissions({ removeMembers: true }) }))
        .then([created({ ...DEFAULT_PERMISSIONS, removeMembers: true }), ownerAdded()]);
    });

    it('given nothing, when a group is created with an empty permissions object, then it has the defaults', () => {
      given([]).when(createRoom({ permissions: dtoPermissions({}) })).then([created(DEFAULT_PERMISSIONS), ownerAdded()]);
    });

    it('given a group with non-default flags, when the owner patches one flag, then the others keep their values', () => {
      const current: RoomPermissions = { rename: false, changeTopic: false, addMembers: true, removeMembers: true, send: true };
      given([created(current, T0), ownerAdded(T0)])
        .when(update(OWNER, { permissions: dtoPermissions({ send: false }) }))
        .then([
          {
            type: 'RoomPermissionsChanged',
            data: { roomId: ROOM, permissions: { ...current, send: false }, changedBy: OWNER, changedAt: NOW },
          },
        ]);
    });

    it('given a group, when the owner patches permissions naming no flag, then nothing is written', () => {
      given([created(DEFAULT_PERMISSIONS, T0), ownerAdded(T0)]).when(update(OWNER, { permissions: dtoPermissions({}) })).then([]);
    });
  });

  describe('names and topics refuse control, bidirectional override and zero-width characters', () => {
    it.each([
      ['NUL', 'Gen\u0000eral'],
      ['a terminal escape', 'General\u001b[31m'],
      ['a C1 control', 'General\u009b'],
      ['a line break', 'Gen\neral'],
      ['a right-to-left override', '\u202Elareneg'],
      ['a left-to-right isolate', 'General\u2066x\u2069'],
      ['a zero-width space', 'Gen\u200Beral'],
      ['a zero-width joiner', 'Gen\u200Deral'],
      ['a word joiner', 'Gen\u2060eral'],
      ['a byte order mark', '\uFEFFGeneral'],
    ])('given nothing, when a group is created with %s in its name, then ROOM.NAME_INVALID names the field', (_, name) => {
      const error = given([]).when(createRoom({ name })).thenThrows('ROOM.NAME_INVALID', 'validation');
      expect(error.details).toEqual([{ field: 'name', reason: expect.stringContaining('control characters') }]);
    });

    it('given a group, when a member renames it or sets a topic with a bidi override, then ROOM.NAME_INVALID names each field', () => {
      const error = given([created(DEFAULT_PERMISSIONS, T0), ownerAdded(T0), aliceAdded])
        .when(update(ALICE, { name: 'a\u202Eb', topic: 'c\u0000d' }))
        .thenThrows('ROOM.NAME_INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['name', 'topic']);
    });

    it('given nothing, when a group is named in a right-to-left script with emoji and marks, then it is created', () => {
      const name = 'שלום 👋 \u200Fעולם مرحبا';
      given([])
        .when(createRoom({ name }))
        .then([
          {
            type: 'RoomCreated',
            data: { roomId: ROOM, kind: 'group', name, topic: null, avatarUrl: null, createdBy: OWNER, permissions: DEFAULT_PERMISSIONS, historyVisibility: 'shared', applicationId: null, createdAt: NOW },
          },
          ownerAdded(),
        ]);
    });
  });
});

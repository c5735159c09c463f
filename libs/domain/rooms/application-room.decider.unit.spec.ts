import { deciderSpec } from '../testing/given-when-then';
import { DEFAULT_PERMISSIONS, type RoomEvent } from '../events';
import { applicationActor, roomDecider, type RoomCommand, type RoomState } from './room.decider';

const NOW = '2026-01-01T00:00:00.000Z';
const ROOM = 'r-1';
const APP = 'app-1';
const ACTOR = applicationActor(APP);
const { given } = deciderSpec<RoomCommand, RoomEvent, RoomState>(roomDecider);

const create = (fields: Partial<Extract<RoomCommand, { type: 'CreateRoom' }>> = {}): RoomCommand => ({
  type: 'CreateRoom',
  roomId: ROOM,
  kind: 'group',
  name: 'support',
  topic: null,
  avatarUrl: null,
  actor: ACTOR,
  participants: [],
  applicationId: APP,
  applicationName: 'support',
  now: NOW,
  ...fields,
});
const created: RoomEvent = {
  type: 'RoomCreated',
  data: {
    roomId: ROOM,
    kind: 'group',
    name: 'support',
    topic: null,
    avatarUrl: null,
    createdBy: ACTOR,
    permissions: DEFAULT_PERMISSIONS,
    historyVisibility: 'shared',
    applicationId: APP,
    applicationName: 'support',
    createdAt: NOW,
  },
};
const invited = (userId: string): RoomEvent => ({ type: 'MemberInvited', data: { roomId: ROOM, userId, invitedBy: ACTOR, invitedAt: NOW } });
const joined = (userId: string, invitedBy?: string): RoomEvent => ({
  type: 'MemberAdded',
  data: { roomId: ROOM, userId, role: 'member', addedBy: invitedBy ? userId : ACTOR, ...(invitedBy ? { invitedBy } : {}), addedAt: NOW },
});

describe('rooms of an application', () => {
  it('are created by the application with no member', () => {
    given([]).when(create()).then([created]);
  });
  it('refuse a taken name, another creator and participants at creation', () => {
    given([created]).when(create()).thenThrows('ROOM.NAME_TAKEN', 'conflict');
    given([]).when(create({ actor: 'u-1' })).thenThrows('APPLICATION.NOT_OWNER', 'forbidden');
    given([]).when(create({ participants: ['u-1'] })).thenThrows('ROOM.APPLICATION_ROOM_EMPTY', 'validation');
    given([]).when(create({ applicationName: 'with space' })).thenThrows('ROOM.NAME_INVALID', 'validation');
  });
  it('let the application add and invite members without being one', () => {
    given([created]).when({ type: 'AddMembers', actor: ACTOR, userIds: ['u-1'], now: NOW }).then([joined('u-1')]);
    given([created]).when({ type: 'InviteMembers', actor: ACTOR, userIds: ['u-2', 'u-2'], now: NOW }).then([invited('u-2')]);
    given([created, invited('u-2')]).when({ type: 'InviteMembers', actor: ACTOR, userIds: ['u-2'], now: NOW }).then([]);
    given([created]).when({ type: 'AddMembers', actor: applicationActor('other'), userIds: ['u-1'], now: NOW }).thenThrows('ROOM.NOT_FOUND', 'not_found');
  });
  it('turn an accepted invitation into a joined member who remembers the inviter; a declined one into left', () => {
    given([created, invited('u-2')]).when({ type: 'AcceptInvitation', actor: 'u-2', now: NOW }).then([joined('u-2', ACTOR)]);
    given([created, invited('u-2')])
      .when({ type: 'DeclineInvitation', actor: 'u-2', now: NOW })
      .then([{ type: 'MemberLeft', data: { roomId: ROOM, userId: 'u-2', leftAt: NOW } }]);
    given([created]).when({ type: 'AcceptInvitation', actor: 'u-3', now: NOW }).thenThrows('ROOM.NOT_INVITED', 'not_found');
  });
  it('let the application remove a member (left)', () => {
    given([created, joined('u-1')])
      .when({ type: 'RemoveMember', actor: ACTOR, userId: 'u-1', now: NOW })
      .then([{ type: 'MemberRemoved', data: { roomId: ROOM, userId: 'u-1', removedBy: ACTOR, removedAt: NOW } }]);
  });
  it('close once, by the application or an owner, and are read-only after', () => {
    const closed: RoomEvent = { type: 'RoomClosed', data: { roomId: ROOM, closedBy: ACTOR, closedAt: NOW } };
    given([created]).when({ type: 'CloseRoom', actor: ACTOR, now: NOW }).then([closed]);
    given([created, closed]).when({ type: 'CloseRoom', actor: ACTOR, now: NOW }).then([]);
    given([created, joined('u-1')]).when({ type: 'CloseRoom', actor: 'u-1', now: NOW }).thenThrows('ROOM.CLOSE_NOT_ALLOWED', 'forbidden');
    given([created, closed]).when({ type: 'AddMembers', actor: ACTOR, userIds: ['u-1'], now: NOW }).thenThrows('ROOM.CLOSED', 'conflict');
  });
  describe('custom data (properties)', () => {
    const changed = (properties: Record<string, unknown>, changedBy = ACTOR): RoomEvent => ({
      type: 'RoomPropertiesChanged',
      data: { roomId: ROOM, properties, changedBy, changedAt: NOW },
    });
    it('are set at creation in the same append, and not written when empty', () => {
      given([]).when(create({ properties: { tier: 'gold' } })).then([created, changed({ tier: 'gold' })]);
      given([]).when(create({ properties: {} })).then([created]);
    });
    it('are replaced whole by an update, and an update to the same data writes nothing', () => {
      given([created, changed({ tier: 'gold' })]).when({ type: 'UpdateRoom', actor: ACTOR, properties: { tier: 'silver' }, now: NOW }).then([changed({ tier: 'silver' })]);
      given([created, changed({ tier: 'gold' })]).when({ type: 'UpdateRoom', actor: ACTOR, properties: { tier: 'gold' }, now: NOW }).then([]);
    });
    it('refuse what is not a bounded JSON object, and a plain member', () => {
      given([]).when(create({ properties: [] as unknown as Record<string, unknown> })).thenThrows('ROOM.PROPERTIES_INVALID', 'validation');
      given([created]).when({ type: 'UpdateRoom', actor: ACTOR, properties: { deep: 'x'.repeat(9000) }, now: NOW }).thenThrows('ROOM.PROPERTIES_INVALID', 'validation');
      given([created, joined('u-1')]).when({ type: 'UpdateRoom', actor: 'u-1', properties: { mine: true }, now: NOW }).thenThrows('ROOM.PROPERTIES_NOT_ALLOWED', 'forbidden');
    });
  });
});

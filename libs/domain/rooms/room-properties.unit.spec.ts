import { deciderSpec } from '../testing/given-when-then';
import { DEFAULT_PERMISSIONS, type RoomEvent } from '../events';
import { roomDecider, type RoomCommand, type RoomState } from './room.decider';

const NOW = '2026-01-01T00:00:00.000Z';
const ROOM = 'r-1';
const { given } = deciderSpec<RoomCommand, RoomEvent, RoomState>(roomDecider);

const create = (fields: Partial<Extract<RoomCommand, { type: 'CreateRoom' }>> = {}): RoomCommand => ({
  type: 'CreateRoom',
  roomId: ROOM,
  kind: 'group',
  name: 'Trip',
  topic: null,
  avatarUrl: null,
  actor: 'u-alice',
  participants: [],
  now: NOW,
  ...fields,
});
const created = (createdBy: string): RoomEvent => ({
  type: 'RoomCreated',
  data: { roomId: ROOM, kind: 'group', name: 'Trip', topic: null, avatarUrl: null, createdBy, permissions: DEFAULT_PERMISSIONS, historyVisibility: 'shared', applicationId: null, createdAt: NOW },
});

/** A room's custom_data through Parley's own room routes: any group room keeps it, not only an application's. */
describe('custom_data on a room created by a user or an administrator', () => {
  it('given nothing, when a user creates a group room with properties, then they are set in the same append', () => {
    given([])
      .when(create({ properties: { budget: 300 } }))
      .then([
        created('u-alice'),
        { type: 'RoomPropertiesChanged', data: { roomId: ROOM, properties: { budget: 300 }, changedBy: 'u-alice', changedAt: NOW } },
        { type: 'MemberAdded', data: { roomId: ROOM, userId: 'u-alice', role: 'owner', addedBy: 'u-alice', addedAt: NOW } },
      ]);
  });

  it('given nothing, when an administrator creates a group chat with properties, then they are set', () => {
    given([])
      .when(create({ actor: 'apikey:k1', administered: true, properties: { desk: 'north' } }))
      .then([
        created('apikey:k1'),
        { type: 'RoomPropertiesChanged', data: { roomId: ROOM, properties: { desk: 'north' }, changedBy: 'apikey:k1', changedAt: NOW } },
      ]);
  });

  it('writes nothing for empty properties', () => {
    given([])
      .when(create({ properties: {} }))
      .then([created('u-alice'), { type: 'MemberAdded', data: { roomId: ROOM, userId: 'u-alice', role: 'owner', addedBy: 'u-alice', addedAt: NOW } }]);
  });

  it('refuses properties beyond the bounds, and on a direct room, naming properties', () => {
    const big = given([]).when(create({ properties: { blob: 'x'.repeat(9000) } })).thenThrows('ROOM.PROPERTIES_INVALID', 'validation');
    expect(big.details).toEqual([{ field: 'properties', reason: expect.stringContaining('4096') }]);
    const direct = given([]).when(create({ kind: 'direct', participants: ['u-bob'], properties: { a: 1 } })).thenThrows('ROOM.PROPERTIES_INVALID', 'validation');
    expect(direct.details).toEqual([{ field: 'properties', reason: 'only a group room has them' }]);
  });
});

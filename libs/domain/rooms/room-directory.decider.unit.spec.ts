import { deciderSpec } from '../testing/given-when-then';
import { DEFAULT_PERMISSIONS, type RoomEvent } from '../events';
import { inDirectory, roomDecider, type RoomCommand, type RoomState } from './room.decider';

const NOW = '2026-01-01T00:00:00.000Z';
const ROOM = 'r-1';
const ADMIN = 'apikey:k-1';
const { given } = deciderSpec<RoomCommand, RoomEvent, RoomState>(roomDecider);

const created = (createdBy = ADMIN, kind: 'group' | 'direct' = 'group', applicationId: string | null = null): RoomEvent => ({
  type: 'RoomCreated',
  data: { roomId: ROOM, kind, name: 'General', topic: null, avatarUrl: null, createdBy, permissions: DEFAULT_PERMISSIONS, historyVisibility: 'shared', applicationId, createdAt: NOW },
});
const added = (userId: string, by = ADMIN): RoomEvent => ({ type: 'MemberAdded', data: { roomId: ROOM, userId, role: 'member', addedBy: by, addedAt: NOW } });
const listing = (unlisted: boolean): RoomEvent => ({ type: 'RoomListingChanged', data: { roomId: ROOM, unlisted, changedBy: ADMIN, changedAt: NOW } });
const closed: RoomEvent = { type: 'RoomClosed', data: { roomId: ROOM, closedBy: ADMIN, closedAt: NOW } };
const noAdding: RoomEvent = {
  type: 'RoomPermissionsChanged',
  data: { roomId: ROOM, permissions: { ...DEFAULT_PERMISSIONS, addMembers: false }, changedBy: ADMIN, changedAt: NOW },
};
const join = (actor = 'u-9'): RoomCommand => ({ type: 'JoinRoom', actor, now: NOW });

describe('the room directory (DISABLE_LIST) and joining from it', () => {
  it('lists the organisation’s open group chats only', () => {
    const room = { kind: 'group', createdBy: ADMIN, applicationId: null, closed: false, unlisted: false } as const;
    expect(inDirectory(room)).toBe(true);
    expect(inDirectory({ ...room, unlisted: true })).toBe(false);
    expect(inDirectory({ ...room, closed: true })).toBe(false);
    expect(inDirectory({ ...room, createdBy: 'u-1' })).toBe(false);
    expect(inDirectory({ ...room, kind: 'direct' })).toBe(false);
    expect(inDirectory({ ...room, applicationId: 'app-1' })).toBe(false);
  });

  it('a user joins a listed room as a member, once', () => {
    given([created(), added('u-1')]).when(join()).then([added('u-9', 'u-9')]);
    given([created(), added('u-9', 'u-9')]).when(join()).then([]);
    // Listed again after DISABLE_LIST was lifted.
    given([created(), listing(true), listing(false)]).when(join()).then([added('u-9', 'u-9')]);
  });

  it('a room the directory does not list is not found: unlisted, a user’s own group, a direct room, an application’s room', () => {
    given([created(), listing(true)]).when(join()).thenThrows('ROOM.NOT_FOUND', 'not_found');
    given([created('u-1'), added('u-1', 'u-1')]).when(join()).thenThrows('ROOM.NOT_FOUND', 'not_found');
    given([created('u-1', 'direct')]).when(join()).thenThrows('ROOM.NOT_FOUND', 'not_found');
    given([created('application:app-1', 'group', 'app-1')]).when(join()).thenThrows('ROOM.NOT_FOUND', 'not_found');
    given([]).when(join()).thenThrows('ROOM.NOT_FOUND', 'not_found');
  });

  it('a deleted room takes nobody; a member of an unlisted room joining again changes nothing', () => {
    given([created(), closed]).when(join()).thenThrows('ROOM.CLOSED', 'conflict');
    given([created(), added('u-9'), listing(true)]).when(join()).then([]);
  });

  it('a room whose members may not add members (DISABLE_MEMBER_ADD) takes new members from its operators only', () => {
    given([created(), noAdding]).when(join()).thenThrows('ROOM.JOIN_NOT_ALLOWED', 'forbidden');
  });
});

import type { PresenceChanged, PresenceStatus } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  decidePresence,
  evolvePresence,
  initialPresenceState,
  PRESENCE_MESSAGE_MAX,
  type PresenceState,
  type SetPresence,
} from './presence.decider';

const USER = 'u-alice';
const at = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const PHONE = { name: 'Pixel', platform: 'android', version: '14' };

const { given, fold } = deciderSpec<SetPresence, PresenceChanged, PresenceState>({
  initialState: initialPresenceState,
  evolve: evolvePresence,
  decide: decidePresence,
});

const set = (status: string, over: Partial<SetPresence> = {}): SetPresence => ({
  type: 'SetPresence',
  userId: USER,
  account: 'registered',
  status,
  message: null,
  device: null,
  actor: USER,
  now: at(30),
  ...over,
});
const changed = (status: PresenceStatus, minute: number, over: Partial<PresenceChanged['data']> = {}): PresenceChanged => ({
  type: 'PresenceChanged',
  data: { userId: USER, status, message: null, device: null, changedBy: USER, changedAt: at(minute), ...over },
});

describe('presence decider', () => {
  describe('SetPresence', () => {
    it('sets status, message and device', () => {
      given([])
        .when(set('busy', { message: 'In a meeting', device: PHONE }))
        .then([changed('busy', 30, { message: 'In a meeting', device: PHONE })]);
    });

    it('replaces the whole presence: an update without message or device clears them', () => {
      given([changed('online', 1, { message: 'Hi', device: PHONE })])
        .when(set('away'))
        .then([changed('away', 30)]);
    });

    it('treats an empty message as none', () => {
      given([changed('online', 1, { message: 'Hi' })]).when(set('online', { message: '' })).then([changed('online', 30)]);
    });

    it('writes an identical update while connected: it is a heartbeat that moves last seen', () => {
      for (const status of ['online', 'away', 'busy'] as const) {
        given([changed(status, 1, { message: 'm' })])
          .when(set(status, { message: 'm' }))
          .then([changed(status, 30, { message: 'm' })]);
      }
    });

    it('writes nothing for an identical update while offline or invisible (nothing would change)', () => {
      given([]).when(set('offline')).then([]);
      given([changed('online', 1), changed('offline', 2)]).when(set('offline')).then([]);
      given([changed('invisible', 1, { device: PHONE })]).when(set('invisible', { device: PHONE })).then([]);
    });

    it('writes a change of message or device while invisible', () => {
      given([changed('invisible', 1)])
        .when(set('invisible', { message: 'shh' }))
        .then([changed('invisible', 30, { message: 'shh' })]);
      given([changed('invisible', 1, { device: PHONE })])
        .when(set('invisible', { device: { ...PHONE, version: '15' } }))
        .then([changed('invisible', 30, { device: { ...PHONE, version: '15' } })]);
    });

    it('records an administrator as the one who changed it', () => {
      given([]).when(set('away', { actor: 'apikey:admin' })).then([changed('away', 30, { changedBy: 'apikey:admin' })]);
    });

    it('refuses an unknown status, naming the field', () => {
      const error = given([]).when(set('sleeping')).thenThrows('PRESENCE.STATUS_INVALID', 'validation');
      expect(error.details).toEqual([{ field: 'status', reason: expect.stringContaining('online') }]);
    });

    it('refuses a message that is too long', () => {
      given([]).when(set('online', { message: 'x'.repeat(PRESENCE_MESSAGE_MAX) })).then([
        changed('online', 30, { message: 'x'.repeat(PRESENCE_MESSAGE_MAX) }),
      ]);
      const error = given([])
        .when(set('online', { message: 'x'.repeat(PRESENCE_MESSAGE_MAX + 1) }))
        .thenThrows('PRESENCE.MESSAGE_TOO_LONG', 'validation');
      expect(error.details?.[0]?.field).toBe('message');
    });

    it('refuses a device with a missing or blank field, naming each', () => {
      const error = given([])
        .when(set('online', { device: { name: ' ', platform: 'ios', version: '' } }))
        .thenThrows('PRESENCE.DEVICE_INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['device.name', 'device.version']);
      given([])
        .when(set('online', { device: { name: 'n'.repeat(101), platform: 'ios', version: '1' } }))
        .thenThrows('PRESENCE.DEVICE_INVALID', 'validation');
    });

    it('refuses unknown, removed and unverified accounts, each with its code', () => {
      given([]).when(set('online', { account: 'absent' })).thenThrows('PRESENCE.USER_NOT_FOUND', 'not_found');
      given([]).when(set('online', { account: 'removed' })).thenThrows('PRESENCE.USER_REMOVED', 'conflict');
      given([]).when(set('online', { account: 'pending' })).thenThrows('PRESENCE.USER_PENDING', 'conflict');
    });
  });

  describe('last seen', () => {
    it('is unknown before the user was ever connected', () => {
      expect(fold([]).lastSeenAt).toBeNull();
      expect(fold([changed('offline', 1), changed('invisible', 2), changed('offline', 3)]).lastSeenAt).toBeNull();
    });

    it('follows every update while connected', () => {
      expect(fold([changed('online', 1)]).lastSeenAt).toBe(at(1));
      expect(fold([changed('online', 1), changed('away', 2), changed('busy', 3), changed('online', 4)]).lastSeenAt).toBe(at(4));
    });

    it('is stamped by the update that leaves a connected state, then stays', () => {
      expect(fold([changed('online', 1), changed('offline', 5)]).lastSeenAt).toBe(at(5));
      expect(fold([changed('online', 1), changed('offline', 5), changed('offline', 9)]).lastSeenAt).toBe(at(5));
    });

    it('does not move while invisible, so invisible activity never shows', () => {
      const state = fold([changed('busy', 1), changed('invisible', 3), changed('invisible', 7, { message: 'x' }), changed('offline', 9)]);
      expect(state.lastSeenAt).toBe(at(3));
      expect(state).toMatchObject({ status: 'offline', changedAt: at(9) });
    });
  });
});

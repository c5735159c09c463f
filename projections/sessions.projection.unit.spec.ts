import type { ParleyEvent, TokenEvent } from '../libs/domain/events';
import { sessionsProjection } from './sessions.projection';
import { at } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const USER = 'u-alice';
const started = (familyId: string, minute = 0): TokenEvent => ({
  type: 'TokenFamilyStarted',
  data: { familyId, userId: USER, tokenId: `${familyId}-t1`, grant: 'password', client: 'ParleyApp/2.1 (phone)', expiresAt: at(50), startedAt: at(minute) },
});
const rotated = (familyId: string): TokenEvent => ({
  type: 'RefreshTokenRotated',
  data: { familyId, userId: USER, fromTokenId: `${familyId}-t1`, toTokenId: `${familyId}-t2`, expiresAt: at(59), rotatedAt: at(7) },
});
const revoked = (familyId: string): TokenEvent => ({
  type: 'TokenFamilyRevoked',
  data: { familyId, userId: USER, reason: 'session', tokenId: `${familyId}-t1`, revokedAt: at(8) },
});
const removed: ParleyEvent = {
  type: 'UserRemoved',
  data: { userId: USER, reason: 'self', feedback: null, removedBy: USER, removedAt: at(9) },
};

describe('sessions projection', () => {
  it('TokenFamilyStarted: a live sign-in with its client, start and expiry', async () => {
    const scenario = await given(sessionsProjection);
    const [stored] = await scenario.when(started('f1'));
    expect(await scenario.doc('sessions', 'f1')).toEqual({
      id: 'f1',
      userId: USER,
      active: true,
      grant: 'password',
      client: 'ParleyApp/2.1 (phone)',
      createdAt: at(0),
      lastUsedAt: at(0),
      expiresAt: at(50),
      _position: stored!.position.toString(),
    });
    expect(await scenario.doc('session_users', USER)).toMatchObject({ familyIds: ['f1'] });
    await thenReplayChangesNothing(scenario, 'TokenFamilyStarted');
  });

  it('RefreshTokenRotated: last used and the new expiry', async () => {
    const scenario = await given(sessionsProjection, [started('f1')]);
    await scenario.when(rotated('f1'));
    expect(await scenario.doc('sessions', 'f1')).toMatchObject({ lastUsedAt: at(7), expiresAt: at(59), createdAt: at(0) });
    await thenReplayChangesNothing(scenario, 'RefreshTokenRotated');
  });

  it('TokenFamilyRevoked: a tombstone without the client; the other sign-in is not updated', async () => {
    const scenario = await given(sessionsProjection, [started('f1'), started('f2', 1)]);
    const other = await scenario.doc('sessions', 'f2');
    await scenario.when(revoked('f1'));
    expect(await scenario.doc('sessions', 'f1')).toMatchObject({ id: 'f1', userId: USER, active: false });
    expect(await scenario.doc('sessions', 'f1')).not.toHaveProperty('client');
    expect(await scenario.doc('sessions', 'f2')).toEqual(other);
    expect(await scenario.doc('session_users', USER)).toMatchObject({ familyIds: ['f2'] });
    await thenReplayChangesNothing(scenario, 'TokenFamilyRevoked');
  });

  it('UserRemoved: every sign-in of the account becomes a tombstone', async () => {
    const scenario = await given(sessionsProjection, [started('f1'), started('f2', 1)]);
    await scenario.when(removed);
    expect(JSON.stringify(await scenario.docs('sessions'))).not.toContain('ParleyApp');
    expect(await scenario.doc('session_users', USER)).toMatchObject({ familyIds: [] });
    await thenReplayChangesNothing(scenario, 'UserRemoved');
  });
});

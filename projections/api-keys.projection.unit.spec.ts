import type { ApiKeyEvent } from '../libs/domain/events';
import { apiKeysProjection } from './api-keys.projection';
import { at } from './testing/parley-events';
import { given, type ProjectionScenario, thenReplayChangesNothing } from './testing/projection-harness';

const KEY = '0b8f2c1e-5d4a-4c3b-9a8e-7f6d5c4b3a29';
const OTHER = '1c9f3d2e-6e5b-4d4c-8b9f-8a7e6d5c4b3a';
const HASH = 'f'.repeat(64);

const created = (keyId = KEY, minute = 0): ApiKeyEvent => ({
  type: 'ApiKeyCreated',
  data: { keyId, name: 'Billing sync', scopes: ['admin:users', 'admin:export'], secretHash: HASH, bootstrap: false, createdBy: 'apikey:admin', createdAt: at(minute) },
});
const revoked = (keyId = KEY): ApiKeyEvent => ({ type: 'ApiKeyRevoked', data: { keyId, revokedBy: 'apikey:ops', revokedAt: at(9) } });

const keyDoc = (scenario: ProjectionScenario, id = KEY) => scenario.doc('api_keys', id);

describe('api-keys projection', () => {
  it('ApiKeyCreated: an active key with its name and scopes, never its hash', async () => {
    const scenario = await given(apiKeysProjection);
    const [stored] = await scenario.when(created());
    expect(await keyDoc(scenario)).toEqual({
      id: KEY,
      name: 'Billing sync',
      scopes: ['admin:users', 'admin:export'],
      bootstrap: false,
      status: 'active',
      createdBy: 'apikey:admin',
      createdAt: at(0),
      revokedBy: null,
      revokedAt: null,
      _position: stored!.position.toString(),
    });
    expect(JSON.stringify(await scenario.docs('api_keys'))).not.toContain(HASH);
    await thenReplayChangesNothing(scenario, 'ApiKeyCreated');
  });

  it('ApiKeyRevoked: revoked, by whom and when; a replay of the creation does not bring it back', async () => {
    const scenario = await given(apiKeysProjection, [created()]);
    await scenario.when(revoked());
    expect(await keyDoc(scenario)).toMatchObject({ status: 'revoked', revokedBy: 'apikey:ops', revokedAt: at(9), createdAt: at(0) });
    await thenReplayChangesNothing(scenario, 'ApiKeyRevoked');
  });

  it('then not updated: revoking one key leaves the other as it was', async () => {
    const scenario = await given(apiKeysProjection, [created(), created(OTHER, 1)]);
    const before = await keyDoc(scenario, OTHER);
    await scenario.when(revoked());
    expect(await keyDoc(scenario, OTHER)).toEqual(before);
    expect(await keyDoc(scenario)).toMatchObject({ status: 'revoked' });
  });
});

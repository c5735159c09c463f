import type { ApiKeyEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  API_KEY_SCOPES,
  decideApiKey,
  evolveApiKey,
  initialApiKeyState,
  type ApiKeyCommand,
  type ApiKeyState,
} from './api-key.decider';

const KEY = '0b8f2c1e-5d4a-4c3b-9a8e-7f6d5c4b3a29';
const HASH = 'a'.repeat(64);
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const ADMIN = 'apikey:admin';

const { given, fold } = deciderSpec<ApiKeyCommand, ApiKeyEvent, ApiKeyState>({
  initialState: initialApiKeyState,
  evolve: evolveApiKey,
  decide: decideApiKey,
});

const create = (over: Partial<Extract<ApiKeyCommand, { type: 'CreateApiKey' }>> = {}): ApiKeyCommand => ({
  type: 'CreateApiKey',
  keyId: KEY,
  name: 'Billing sync',
  scopes: ['admin:users'],
  secretHash: HASH,
  bootstrap: false,
  creatorScopes: [...API_KEY_SCOPES],
  actor: ADMIN,
  now: NOW,
  ...over,
});
const created: ApiKeyEvent = {
  type: 'ApiKeyCreated',
  data: { keyId: KEY, name: 'Billing sync', scopes: ['admin:users'], secretHash: HASH, bootstrap: false, createdBy: ADMIN, createdAt: T0 },
};
const revoked: ApiKeyEvent = { type: 'ApiKeyRevoked', data: { keyId: KEY, revokedBy: ADMIN, revokedAt: T0 } };
const revoke: ApiKeyCommand = { type: 'RevokeApiKey', actor: 'apikey:other', now: NOW };

describe('API key decider', () => {
  describe('CreateApiKey', () => {
    it('grants only scopes the creating key holds, naming each one it lacks (403)', () => {
      const refusal = given([])
        .when(create({ scopes: ['admin:keys', 'admin:export', 'admin:users'], creatorScopes: ['admin:keys'] }))
        .thenThrows('API_KEY.SCOPES_NOT_HELD', 'forbidden');
      expect(refusal.message).toContain('admin:users, admin:export');
      expect(refusal.details).toEqual([
        { field: 'scopes', reason: 'admin:users is not held by the calling key' },
        { field: 'scopes', reason: 'admin:export is not held by the calling key' },
      ]);
    });

    it('lets a key grant a subset of its own scopes', () => {
      given([])
        .when(create({ scopes: ['admin:audit'], creatorScopes: ['admin:keys', 'admin:audit'] }))
        .then([
          {
            type: 'ApiKeyCreated',
            data: { keyId: KEY, name: 'Billing sync', scopes: ['admin:audit'], secretHash: HASH, bootstrap: false, createdBy: ADMIN, createdAt: NOW },
          },
        ]);
    });

    it('checks the fields before the scopes held (400 before 403)', () => {
      given([]).when(create({ name: ' ', creatorScopes: [] })).thenThrows('API_KEY.INVALID', 'validation');
    });

    it('creates a key with its hash, scopes in canonical order without duplicates, the name trimmed', () => {
      given([])
        .when(create({ name: '  Ops  ', scopes: ['admin:keys', 'admin:users', 'admin:keys'] }))
        .then([
          {
            type: 'ApiKeyCreated',
            data: { keyId: KEY, name: 'Ops', scopes: ['admin:users', 'admin:keys'], secretHash: HASH, bootstrap: false, createdBy: ADMIN, createdAt: NOW },
          },
        ]);
    });

    it('creates the bootstrap key with every scope', () => {
      given([])
        .when(create({ name: 'bootstrap', scopes: [...API_KEY_SCOPES], bootstrap: true, actor: 'system' }))
        .then([
          {
            type: 'ApiKeyCreated',
            data: { keyId: KEY, name: 'bootstrap', scopes: [...API_KEY_SCOPES], secretHash: HASH, bootstrap: true, createdBy: 'system', createdAt: NOW },
          },
        ]);
    });

    it('refuses a second creation under the same id, even after revocation', () => {
      given([created]).when(create()).thenThrows('API_KEY.EXISTS', 'conflict');
      given([created, revoked]).when(create()).thenThrows('API_KEY.EXISTS', 'conflict');
    });

    it('refuses an empty, blank, too long or control-character name', () => {
      for (const name of ['', '   ', 'x'.repeat(101), 'line\nbreak']) {
        const error = given([]).when(create({ name })).thenThrows('API_KEY.INVALID', 'validation');
        expect(error.details?.map((d) => d.field)).toEqual(['name']);
      }
    });

    it('accepts a name of exactly 100 characters', () => {
      const name = 'n'.repeat(100);
      given([])
        .when(create({ name }))
        .then([{ ...created, data: { ...created.data, name, createdAt: NOW } } as ApiKeyEvent]);
    });

    it('refuses no scopes, and names each unknown scope', () => {
      const none = given([]).when(create({ scopes: [] })).thenThrows('API_KEY.INVALID', 'validation');
      expect(none.details).toEqual([{ field: 'scopes', reason: `must name at least one of ${API_KEY_SCOPES.join(', ')}` }]);
      const unknown = given([]).when(create({ scopes: ['admin:users', 'admin:everything', 'root'] })).thenThrows('API_KEY.INVALID', 'validation');
      expect(unknown.details?.map((d) => d.reason)).toEqual([
        expect.stringContaining('"admin:everything" is not a scope'),
        expect.stringContaining('"root" is not a scope'),
      ]);
    });

    it('names every bad field at once', () => {
      const error = given([]).when(create({ name: '', scopes: ['nope'] })).thenThrows('API_KEY.INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['name', 'scopes']);
    });

    it('refuses anything but a SHA-256 hex digest as the hash (a key in clear never gets into the log)', () => {
      for (const secretHash of ['', 'pk_0123_abc', 'A'.repeat(64), 'a'.repeat(63)]) {
        given([]).when(create({ secretHash })).thenThrows('API_KEY.INVALID', 'validation');
      }
    });
  });

  describe('RevokeApiKey', () => {
    it('revokes an active key', () => {
      given([created])
        .when(revoke)
        .then([{ type: 'ApiKeyRevoked', data: { keyId: KEY, revokedBy: 'apikey:other', revokedAt: NOW } }]);
    });

    it('changes nothing for a key already revoked', () => {
      given([created, revoked]).when(revoke).then([]);
    });

    it('answers 404 for a key that never existed', () => {
      given([]).when(revoke).thenThrows('API_KEY.NOT_FOUND', 'not_found');
    });
  });

  describe('evolve', () => {
    it('folds creation and revocation, keeping the hash to tell a revoked key from a wrong one', () => {
      expect(fold([created])).toMatchObject({ status: 'active', scopes: ['admin:users'], secretHash: HASH });
      expect(fold([created, revoked])).toMatchObject({ status: 'revoked', secretHash: HASH, revokedAt: T0, revokedBy: ADMIN });
    });

    it('grants nothing for scopes this build does not know', () => {
      const odd: ApiKeyEvent = { ...created, data: { ...created.data, scopes: ['admin:users', 'admin:future'] } } as ApiKeyEvent;
      expect(fold([odd])).toMatchObject({ scopes: ['admin:users'] });
    });
  });
});

import { createHash } from 'node:crypto';
import { apiKeyIdOf, hashApiKey, mintApiKey, sameDigest } from './api-key-secret';

const ID = '0b8f2c1e-5d4a-4c3b-9a8e-7f6d5c4b3a29';

describe('API key format', () => {
  it('mints pk_<id>_<43 base64url characters> and hands back its SHA-256', () => {
    const { key, secretHash } = mintApiKey(ID);
    expect(key).toMatch(/^pk_0b8f2c1e5d4a4c3b9a8e7f6d5c4b3a29_[A-Za-z0-9_-]{43}$/);
    expect(secretHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashApiKey(key)).toBe(secretHash);
    expect(mintApiKey(ID).key).not.toBe(key);
  });

  it('reads the key id back from a key, and nothing from what is not a key', () => {
    expect(apiKeyIdOf(mintApiKey(ID).key)).toBe(ID);
    for (const text of ['', 'pk_', `pk_${'0'.repeat(32)}`, `pk_${'0'.repeat(31)}_${'a'.repeat(43)}`, `xk_${'0'.repeat(32)}_${'a'.repeat(43)}`, `pk_${'0'.repeat(32)}_${'a'.repeat(42)}`, `pk_${'0'.repeat(32)}_${'a'.repeat(43)}!`]) {
      expect(apiKeyIdOf(text)).toBeNull();
    }
  });

  it('refuses to mint under an id that is not a UUID', () => {
    expect(() => mintApiKey('not-an-id')).toThrow(/must be a UUID/);
  });

  it('compares digests, and nothing that is not one', () => {
    const a = hashApiKey('a');
    expect(sameDigest(a, hashApiKey('a'))).toBe(true);
    expect(sameDigest(a, hashApiKey('b'))).toBe(false);
    expect(sameDigest(a, a.slice(0, 62))).toBe(false);
    expect(sameDigest('', '')).toBe(false);
  });
});

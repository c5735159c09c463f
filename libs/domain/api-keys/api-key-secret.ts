import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The key handed out: `pk_<key id, 32 hex>_<32 random bytes, base64url>`. The
 * id in the key makes authentication one read of one stream; only the SHA-256
 * of the whole key is stored, so the log cannot give a key away.
 */
export const API_KEY_PREFIX = 'pk_';
const FORMAT = /^pk_([0-9a-f]{32})_([A-Za-z0-9_-]{43,128})$/;

export interface MintedApiKey {
  readonly key: string;
  readonly secretHash: string;
}

export function mintApiKey(keyId: string): MintedApiKey {
  const compact = keyId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(compact)) throw new Error(`An API key id must be a UUID, got ${JSON.stringify(keyId)}`);
  const key = `${API_KEY_PREFIX}${compact}_${randomBytes(32).toString('base64url')}`;
  return { key, secretHash: hashApiKey(key) };
}

/** The key id a key names, or null when the text is not shaped like a Parley key. */
export function apiKeyIdOf(key: string): string | null {
  const hex = FORMAT.exec(key)?.[1];
  if (hex === undefined) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** SHA-256 (hex) of the whole key, as stored in ApiKeyCreated. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Compares two SHA-256 hex digests in constant time; false for anything not a digest. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}

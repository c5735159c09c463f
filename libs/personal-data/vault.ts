import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyStore, StoredKey } from './key-store.port';

/** What a personal field looks like in the log: `pii:v1:` and base64url(iv | tag | ciphertext). */
export const SEALED_PREFIX = 'pii:v1:';

/** A user's key as the vault knows it: usable, destroyed for good, or not created yet. */
export type OwnerKey = Buffer | 'destroyed' | 'none';

export interface VaultOptions {
  /** How long an active key is trusted from memory before the store is asked again (a removal elsewhere shows within it). */
  readonly cacheMs?: number;
  readonly cacheCapacity?: number;
}

const IV = 12;
const TAG = 16;

/**
 * Random IVs, drawn from the CSPRNG 4,096 at a time: a small `randomBytes`
 * call costs about a third of a whole seal. A 96-bit random IV per message
 * keeps GCM safe far beyond the number of fields one user's key will seal.
 */
class IvPool {
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(): Buffer {
    if (this.offset + IV > this.pool.length) {
      this.pool = randomBytes(IV * 4096);
      this.offset = 0;
    }
    const iv = this.pool.subarray(this.offset, this.offset + IV);
    this.offset += IV;
    return iv;
  }
}
const ivs = new IvPool();

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = ivs.next();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV + TAG) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
}

/**
 * Users' personal-data keys and the field cipher (AES-256-GCM). Each user has
 * a random 256-bit key, stored wrapped under the installation's master key;
 * each field is sealed with its owner and field name as associated data, so a
 * sealed value cannot be moved to another user or field. Destroying a key is
 * crypto-shredding: every field ever sealed with it becomes unreadable, in the
 * log, in exports and in every backup, without rewriting an event.
 */
export class PersonalDataVault {
  private readonly cache = new Map<string, { readonly key: Buffer | 'destroyed'; readonly until: number }>();
  private readonly cacheMs: number;
  private readonly capacity: number;

  constructor(
    private readonly store: KeyStore,
    private readonly masterKey: Buffer,
    options: VaultOptions = {},
  ) {
    if (masterKey.length !== 32) throw new Error('the personal-data master key must be 32 bytes');
    this.cacheMs = options.cacheMs ?? 30_000;
    this.capacity = options.cacheCapacity ?? 50_000;
  }

  /**
   * The owners' keys when memory knows them all, else null. Lets the common
   * case stay in the same event-loop turn: an extra await would split appends
   * that the SQLite adapter otherwise commits together.
   */
  cachedKeys(ownerIds: Iterable<string>): Map<string, OwnerKey> | null {
    const result = new Map<string, OwnerKey>();
    const now = Date.now();
    for (const owner of ownerIds) {
      const cached = this.cache.get(owner);
      if (!cached || (cached.key !== 'destroyed' && cached.until <= now)) return null;
      result.set(owner, cached.key);
    }
    return result;
  }

  /** The owners' keys; with `create`, owners without one get a new key first. */
  async keys(ownerIds: Iterable<string>, create: boolean): Promise<Map<string, OwnerKey>> {
    const result = new Map<string, OwnerKey>();
    const missing: string[] = [];
    const now = Date.now();
    for (const owner of ownerIds) {
      if (result.has(owner)) continue;
      const cached = this.cache.get(owner);
      if (cached && (cached.key === 'destroyed' || cached.until > now)) result.set(owner, cached.key);
      else {
        result.set(owner, 'none');
        missing.push(owner);
      }
    }
    if (missing.length === 0) return result;
    const stored = await this.store.getMany(missing);
    for (const owner of missing) {
      let key = stored.get(owner);
      if (!key && create) key = await this.store.putIfAbsent(owner, this.wrap(owner, randomBytes(32)));
      if (key) result.set(owner, this.remember(owner, key));
    }
    return result;
  }

  /** Crypto-shredding: the owner's key is gone for good, here at once and elsewhere within the cache time. */
  async destroy(ownerId: string, at: string = new Date().toISOString()): Promise<void> {
    await this.store.destroy(ownerId, at);
    this.cache.set(ownerId, { key: 'destroyed', until: Number.POSITIVE_INFINITY });
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Whether a wrapped key (from a backup) opens under this installation's master key for this owner. */
  unwraps(ownerId: string, wrapped: Buffer): boolean {
    try {
      return open(this.masterKey, wrapped, `parley-dek\u001f${ownerId}`).length === 32;
    } catch {
      return false;
    }
  }

  sealField(key: Buffer, ownerId: string, field: string, value: unknown): string {
    const sealed = seal(key, Buffer.from(JSON.stringify(value), 'utf8'), `${ownerId}\u001f${field}`);
    return SEALED_PREFIX + sealed.toString('base64url');
  }

  /** The value sealed in `text`; throws when it was not sealed with this key for this owner and field. */
  openField(key: Buffer, ownerId: string, field: string, text: string): unknown {
    const sealed = Buffer.from(text.slice(SEALED_PREFIX.length), 'base64url');
    return JSON.parse(open(key, sealed, `${ownerId}\u001f${field}`).toString('utf8')) as unknown;
  }

  private wrap(ownerId: string, key: Buffer): Buffer {
    return seal(this.masterKey, key, `parley-dek\u001f${ownerId}`);
  }

  private remember(ownerId: string, stored: StoredKey): Buffer | 'destroyed' {
    const key = stored.state === 'destroyed' ? 'destroyed' : open(this.masterKey, stored.wrapped, `parley-dek\u001f${ownerId}`);
    if (this.cache.size >= this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(ownerId, { key, until: key === 'destroyed' ? Number.POSITIVE_INFINITY : Date.now() + this.cacheMs });
    return key;
  }
}

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX);

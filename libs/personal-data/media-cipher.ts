import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BlobStore, ByteRange } from '../blob-store/blob-store.port';
import { LOOP_SLICE } from '../blob-store/chunked-hash';
import type { PersonalDataVault } from './vault';

const IV = 12;
const TAG = 16;
/** Bytes before the ciphertext in a sealed blob: the IV, then GCM's tag. */
export const SEALED_HEADER = IV + TAG;

/** The owner's media key, apart from the key of their personal fields (one key, one purpose). */
const mediaKey = (userKey: Buffer): Buffer => Buffer.from(hkdfSync('sha256', userKey, Buffer.alloc(0), 'parley-media-v1', 32));

/**
 * The owner's media, sealed with their personal-data key (decision
 * 0023-media-blob-store): AES-256-GCM, the owner as associated data, and
 * an IV derived from the owner's key and the SHA-256 of the bytes, so one
 * owner uploading the same bytes twice seals them the same way and the
 * content-addressed store keeps them once, while two owners never share a
 * blob (erasing one never touches the other's). Once the owner's key is
 * destroyed, every blob of theirs, in the store and in every backup of it,
 * is unreadable.
 *
 * Layout: IV (12) | tag (16) | ciphertext. GCM is counter mode underneath, so
 * a byte range is opened with AES-CTR from the right counter block; whole
 * reads check the tag.
 */
export class MediaCipher {
  constructor(private readonly vault: PersonalDataVault) {}

  /** The sealed bytes, or null when the owner's key is destroyed (the owner is erased). */
  async seal(ownerId: string, plain: Buffer, sha256: string): Promise<Buffer | null> {
    const key = await this.key(ownerId, true);
    if (key === null) return null;
    const iv = createHmac('sha256', key).update(`iv\u001f${sha256}`).digest().subarray(0, IV);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(ownerId));
    const parts: Buffer[] = [];
    // A megabyte per event-loop turn: a 25 MiB upload never holds the loop.
    for (let offset = 0; offset < plain.length; offset += LOOP_SLICE) {
      parts.push(cipher.update(plain.subarray(offset, offset + LOOP_SLICE)));
      if (offset + LOOP_SLICE < plain.length) await nextTurn();
    }
    parts.push(cipher.final());
    return Buffer.concat([iv, cipher.getAuthTag(), ...parts]);
  }

  /**
   * The plain bytes of a sealed blob (or of the inclusive range of them) as a
   * stream; null when the blob is gone or the owner's key is destroyed. A
   * whole read fails at its end if the bytes were tampered with.
   */
  async open(store: BlobStore, ownerId: string, address: string, range?: ByteRange): Promise<Readable | null> {
    const key = await this.key(ownerId, false);
    if (key === null) return null;
    const info = await store.stat(address);
    if (info === null || info.size < SEALED_HEADER) return null;
    const header = await readAll(await store.read(address, { start: 0, end: SEALED_HEADER - 1 }));
    if (header === null) return null;
    const iv = header.subarray(0, IV);
    const plainSize = info.size - SEALED_HEADER;
    if (plainSize === 0 || (range && range.end < range.start)) return emptyStream();
    if (!range) {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aad(ownerId));
      decipher.setAuthTag(header.subarray(IV, SEALED_HEADER));
      const body = await store.read(address, { start: SEALED_HEADER, end: info.size - 1 });
      if (body === null) return null;
      return pipe(body, decipher);
    }
    // GCM encrypts block i of the message with the counter IV || (i + 2).
    const firstBlock = Math.floor(range.start / 16);
    const counter = Buffer.concat([iv, Buffer.alloc(4)]);
    counter.writeUInt32BE((firstBlock + 2) >>> 0, IV);
    const decipher = createDecipheriv('aes-256-ctr', key, counter);
    const body = await store.read(address, { start: SEALED_HEADER + firstBlock * 16, end: SEALED_HEADER + range.end });
    if (body === null) return null;
    return pipe(body, decipher, range.start - firstBlock * 16);
  }

  private async key(ownerId: string, create: boolean): Promise<Buffer | null> {
    const key = (await this.vault.keys([ownerId], create)).get(ownerId);
    return Buffer.isBuffer(key) ? mediaKey(key) : null;
  }
}

const aad = (ownerId: string): Buffer => Buffer.from(`${ownerId}\u001fmedia`, 'utf8');

function emptyStream(): Readable {
  const out = new PassThrough();
  out.end();
  return out;
}

/** `source` through `transform`, the first `skip` bytes of the output dropped; errors reach the reader. */
function pipe(source: Readable, transform: NodeJS.ReadWriteStream, skip = 0): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  if (skip === 0) {
    pipeline(source, transform, out).catch((error: unknown) => out.destroy(error as Error));
    return out;
  }
  let toSkip = skip;
  const skipper = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (toSkip >= chunk.length) {
        toSkip -= chunk.length;
        done();
        return;
      }
      const rest = chunk.subarray(toSkip);
      toSkip = 0;
      done(null, rest);
    },
  });
  pipeline(source, transform, skipper, out).catch((error: unknown) => out.destroy(error as Error));
  return out;
}

async function readAll(stream: Readable | null): Promise<Buffer | null> {
  if (stream === null) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DiskBlobStore } from '../blob-store/disk-blob-store';
import { MediaCipher, SEALED_HEADER } from './media-cipher';
import { MemoryKeyStore } from './memory-key-store';
import { PersonalDataVault } from './vault';

async function bytesOf(stream: Readable | null): Promise<Buffer | null> {
  if (stream === null) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('MediaCipher: media sealed with the owner’s key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-media-cipher-'));
  const store = new DiskBlobStore(join(dir, 'media'));
  const vault = new PersonalDataVault(new MemoryKeyStore(), randomBytes(32));
  const cipher = new MediaCipher(vault);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const photo = Buffer.from(Array.from({ length: 200_077 }, (_, i) => (i * 7) % 256));

  it('stores no plain byte and gives the bytes back whole', async () => {
    const sealed = (await cipher.seal('alice', photo, sha(photo)))!;
    expect(sealed.length).toBe(photo.length + SEALED_HEADER);
    expect(sealed.includes(photo.subarray(1000, 1064))).toBe(false);
    const { address } = await store.put(sealed);
    expect(await bytesOf(await cipher.open(store, 'alice', address))).toEqual(photo);
  });

  it('opens any byte range, across blocks and at both ends', async () => {
    const { address } = await store.put((await cipher.seal('alice', photo, sha(photo)))!);
    for (const [start, end] of [
      [0, 0],
      [15, 16],
      [17, 150_000],
      [photo.length - 1, photo.length - 1],
      [0, photo.length - 1],
    ] as const) {
      expect(await bytesOf(await cipher.open(store, 'alice', address, { start, end }))).toEqual(photo.subarray(start, end + 1));
    }
  });

  it("seals one owner's same bytes the same way (stored once), another owner's differently", async () => {
    const a1 = await cipher.seal('alice', photo, sha(photo));
    const a2 = await cipher.seal('alice', Buffer.from(photo), sha(photo));
    const b = await cipher.seal('bob', photo, sha(photo));
    expect(a1!.equals(a2!)).toBe(true);
    expect(a1!.equals(b!)).toBe(false);
    expect(await cipher.open(store, 'bob', (await store.put(a1!)).address).then(bytesOf).catch(() => 'refused')).toBe('refused');
  });

  it('opens nothing once the owner’s key is destroyed', async () => {
    const { address } = await store.put((await cipher.seal('carol', photo, sha(photo)))!);
    await vault.destroy('carol');
    expect(await cipher.open(store, 'carol', address)).toBeNull();
    expect(await cipher.seal('carol', photo, sha(photo))).toBeNull();
  });

  it('holds an empty file', async () => {
    const empty = Buffer.alloc(0);
    const { address } = await store.put((await cipher.seal('dave', empty, sha(empty)))!);
    expect(await bytesOf(await cipher.open(store, 'dave', address))).toEqual(empty);
  });
});

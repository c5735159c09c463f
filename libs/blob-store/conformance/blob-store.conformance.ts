import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobStore } from '../blob-store.port';

async function bytesOf(stream: Readable | null): Promise<Buffer | null> {
  if (stream === null) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** What every blob store adapter promises (disk for the embedded profile, GridFS for production). */
export function blobStoreConformance(name: string, open: () => Promise<BlobStore>): void {
  describe(`${name} (blob store conformance)`, () => {
    let store: BlobStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores bytes under the SHA-256 of the bytes and gives them back whole', async () => {
      const bytes = Buffer.from('a photo of the harbour at dawn');
      const put = await store.put(bytes);
      expect(put).toEqual({ address: sha256(bytes), size: bytes.length, created: true });
      expect(await store.stat(put.address)).toEqual({ address: put.address, size: bytes.length });
      expect(await bytesOf(await store.read(put.address))).toEqual(bytes);
    });

    it('keeps the same bytes once: a second put writes nothing and the store lists one blob', async () => {
      const bytes = Buffer.from('uploaded twice');
      const first = await store.put(bytes);
      const second = await store.put(Buffer.from(bytes));
      expect(second).toEqual({ ...first, created: false });
      expect((await store.list(null, 100)).filter((blob) => blob.address === first.address)).toHaveLength(1);
    });

    it('reads an inclusive byte range, the first and the last byte included', async () => {
      const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
      const { address } = await store.put(bytes);
      expect(await bytesOf(await store.read(address, { start: 0, end: 0 }))).toEqual(bytes.subarray(0, 1));
      expect(await bytesOf(await store.read(address, { start: 1000, end: 270_000 }))).toEqual(bytes.subarray(1000, 270_001));
      expect(await bytesOf(await store.read(address, { start: bytes.length - 1, end: bytes.length - 1 }))).toEqual(bytes.subarray(-1));
      await expect(store.read(address, { start: 10, end: bytes.length })).rejects.toThrow(RangeError);
    });

    it('holds an empty blob', async () => {
      const put = await store.put(Buffer.alloc(0));
      expect(put.size).toBe(0);
      expect(await bytesOf(await store.read(put.address))).toEqual(Buffer.alloc(0));
    });

    it('answers null for an address it does not hold, and refuses what is not an address', async () => {
      const absent = sha256(Buffer.from('never stored'));
      expect(await store.stat(absent)).toBeNull();
      expect(await store.read(absent)).toBeNull();
      expect(await store.delete(absent)).toBe(false);
      await expect(store.stat('../../etc/passwd')).rejects.toThrow(/not a blob address/);
    });

    it('lists when each blob was last put: a put of the same bytes again moves it on', async () => {
      const bytes = Buffer.from(`stored when ${Math.random()}`);
      const { address } = await store.put(bytes);
      const first = (await store.list(null, 10_000)).find((blob) => blob.address === address)!;
      expect(first.storedAt).toBeGreaterThan(Date.now() - 60_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.put(bytes);
      const again = (await store.list(null, 10_000)).find((blob) => blob.address === address)!;
      expect(again.storedAt).toBeGreaterThan(first.storedAt);
    });

    it('deletes a blob for good; a put afterwards stores it again', async () => {
      const bytes = Buffer.from('to be deleted');
      const { address } = await store.put(bytes);
      expect(await store.delete(address)).toBe(true);
      expect(await store.stat(address)).toBeNull();
      expect(await store.read(address)).toBeNull();
      expect((await store.list(null, 100)).map((blob) => blob.address)).not.toContain(address);
      expect((await store.put(bytes)).created).toBe(true);
    });

    it('lists every blob in address order, a page at a time', async () => {
      const puts = await Promise.all(Array.from({ length: 7 }, (_, i) => store.put(Buffer.from(`listed blob ${i}`))));
      const expected = puts.map(({ address, size }) => ({ address, size })).sort((a, b) => (a.address < b.address ? -1 : 1));
      const seen: { address: string; size: number }[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await store.list(after, 3);
        if (page.length === 0) break;
        seen.push(...page);
        after = page.at(-1)!.address;
      }
      expect(seen.filter((blob) => expected.some((e) => e.address === blob.address)).map(({ address, size }) => ({ address, size }))).toEqual(expected);
      expect(seen.map((blob) => blob.address)).toEqual([...seen.map((blob) => blob.address)].sort());
    });
  });
}

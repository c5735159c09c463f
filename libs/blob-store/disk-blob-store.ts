import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { assertBlobAddress, type BlobInfo, type BlobStore, type ByteRange, type ListedBlob } from './blob-store.port';
import { sha256Of } from './chunked-hash';

/** fsync of a directory, so that a rename or a new entry in it survives a crash. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const missing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The embedded profile's blob store: one file per blob under
 * `<root>/<aa>/<bb>/<address>`. A put writes a temporary file, fsyncs it,
 * renames it into place and fsyncs the directory, so a blob is either whole
 * and durable or absent; a crash leaves at most a temporary file, removed at
 * the next start. All file work runs on libuv's thread pool, never the loop.
 */
export class DiskBlobStore implements BlobStore {
  private readonly temp: string;
  private ready: Promise<void> | null = null;

  constructor(private readonly root: string) {
    this.temp = join(root, 'tmp');
  }

  async put(bytes: Buffer): Promise<BlobInfo & { readonly created: boolean }> {
    await this.start();
    const address = await sha256Of(bytes);
    const info = { address, size: bytes.length };
    const final = this.pathOf(address);
    if (await this.exists(final)) {
      // Put again: the sweep's grace starts over (the upload reusing it is in flight).
      const now = new Date();
      await utimes(final, now, now).catch((error: unknown) => {
        if (!missing(error)) throw error;
      });
      if (await this.exists(final)) return { ...info, created: false };
    }
    const shard = join(this.root, address.slice(0, 2), address.slice(2, 4));
    await mkdir(shard, { recursive: true });
    const temp = join(this.temp, `${address}.${randomUUID()}`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, final);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    // The new entry, and the shard directories a first blob created, outlive a crash.
    await syncDirectory(shard);
    await syncDirectory(join(this.root, address.slice(0, 2)));
    await syncDirectory(this.root);
    return { ...info, created: true };
  }

  async stat(address: string): Promise<BlobInfo | null> {
    assertBlobAddress(address);
    try {
      const found = await stat(this.pathOf(address));
      return { address, size: found.size };
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  }

  async read(address: string, range?: ByteRange): Promise<Readable | null> {
    const found = await this.stat(address);
    if (!found) return null;
    if (range && (range.start < 0 || range.end < range.start || range.end >= found.size)) {
      throw new RangeError(`range ${range.start}-${range.end} is outside the blob's ${found.size} bytes`);
    }
    if (found.size === 0) return Readable.from([]);
    // A mebibyte a read: a download takes few event-loop turns (and few cipher calls) per megabyte.
    return createReadStream(this.pathOf(address), { highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async delete(address: string): Promise<boolean> {
    assertBlobAddress(address);
    try {
      await unlink(this.pathOf(address));
    } catch (error) {
      if (missing(error)) return false;
      throw error;
    }
    await syncDirectory(join(this.root, address.slice(0, 2), address.slice(2, 4)));
    return true;
  }

  async list(afterAddress: string | null, limit: number): Promise<ListedBlob[]> {
    await this.start();
    const found: ListedBlob[] = [];
    const after = afterAddress ?? '';
    for (const first of await this.shards(this.root, (name) => name >= after.slice(0, 2))) {
      for (const second of await this.shards(join(this.root, first), (name) => first + name >= after.slice(0, 4))) {
        const names = (await readdir(join(this.root, first, second))).filter((name) => /^[0-9a-f]{64}$/.test(name) && name > after).sort();
        for (const name of names) {
          const info = await stat(this.pathOf(name)).catch((error: unknown) => {
            if (missing(error)) return null;
            throw error;
          });
          if (info) found.push({ address: name, size: info.size, storedAt: info.mtimeMs });
          if (found.length >= limit) return found;
        }
      }
    }
    return found;
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  private pathOf(address: string): string {
    return join(this.root, address.slice(0, 2), address.slice(2, 4), address);
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if (missing(error)) return false;
      throw error;
    }
  }

  private async shards(path: string, keep: (name: string) => boolean): Promise<string[]> {
    try {
      return (await readdir(path)).filter((name) => /^[0-9a-f]{2}$/.test(name) && keep(name)).sort();
    } catch (error) {
      if (missing(error)) return [];
      throw error;
    }
  }

  /** Creates the root and clears temporary files a crash left behind (never renamed, so never acknowledged). */
  private start(): Promise<void> {
    this.ready ??= (async () => {
      await rm(this.temp, { recursive: true, force: true });
      await mkdir(this.temp, { recursive: true, mode: 0o700 });
    })();
    return this.ready;
  }
}

import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertJobFileName, type JobFileInfo, type JobFileStore, type JobFileWriter } from './job-file-store.port';

const missing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The embedded profile's job files: `<DATA_DIR>/<folder>/<file>`. A file is
 * written beside its final name, fsynced and renamed into place, so a reader
 * sees the old file or the new one whole, never a part.
 */
export class DiskJobFileStore implements JobFileStore {
  constructor(private readonly root: string) {}

  async create(name: string): Promise<JobFileWriter> {
    const final = this.pathOf(name);
    await mkdir(dirname(final), { recursive: true });
    const partial = `${final}.${randomUUID()}.part`;
    const handle: FileHandle = await open(partial, 'wx', 0o600);
    let size = 0;
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return {
      write: async (chunk) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        await handle.write(bytes);
        size += bytes.length;
      },
      finish: async () => {
        try {
          await handle.sync();
        } finally {
          await close();
        }
        await rename(partial, final);
        return { name, size };
      },
      abort: async () => {
        await close().catch(() => undefined);
        await unlink(partial).catch(() => undefined);
      },
    };
  }

  async put(name: string, bytes: Buffer): Promise<JobFileInfo> {
    const writer = await this.create(name);
    try {
      await writer.write(bytes);
      return await writer.finish();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  async stat(name: string): Promise<JobFileInfo | null> {
    try {
      return { name, size: (await stat(this.pathOf(name))).size };
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  }

  async read(name: string): Promise<{ size: number; stream: Readable } | null> {
    const path = this.pathOf(name);
    // Opened before answering: a file removed in between is absent, not a stream that fails later.
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
    const { size } = await handle.stat();
    return { size, stream: handle.createReadStream() };
  }

  async delete(name: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(name));
      return true;
    } catch (error) {
      if (missing(error)) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  private pathOf(name: string): string {
    assertJobFileName(name);
    return join(this.root, name);
  }
}

import { GridFSBucket, type Db, type GridFSBucketWriteStream } from 'mongodb';
import type { Readable } from 'node:stream';
import type { StoreLogger } from '../config/store-connection';
import { MongoConnection } from '../mongo/mongo-connection';
import { assertJobFileName, type JobFileInfo, type JobFileStore, type JobFileWriter } from './job-file-store.port';

/** `job_files.files` and `job_files.chunks`: not read models (a rebuild never drops them), not media (never in a media archive). */
export const JOB_FILES_BUCKET = 'job_files';

/**
 * The production profile's job files: MongoDB GridFS, so that the API
 * process that serves a download need not be the one whose job wrote it, and
 * a recreated container loses nothing. GridFS writes the chunks first and the
 * file document last (majority, journalled), so a file is visible only once
 * whole; a rewrite adds a newer file of the same name and then removes the
 * older ones, and reads take the newest.
 */
export class GridFsJobFileStore implements JobFileStore {
  private readonly mongo: MongoConnection;
  private readonly db: Db;
  private readonly bucket: GridFSBucket;

  constructor(options: {
    readonly url: string;
    readonly database?: string;
    readonly deadlineMs?: number;
    readonly logger?: StoreLogger;
  }) {
    this.mongo = new MongoConnection({
      url: options.url,
      database: options.database,
      store: 'MongoDB (job files)',
      appName: 'parley-job-files',
      deadlineMs: options.deadlineMs,
      logger: options.logger,
    });
    this.db = this.mongo.db;
    this.bucket = new GridFSBucket(this.db, { bucketName: JOB_FILES_BUCKET, writeConcern: { w: 'majority', journal: true } });
  }

  async create(name: string): Promise<JobFileWriter> {
    assertJobFileName(name);
    const upload: GridFSBucketWriteStream = this.bucket.openUploadStream(name);
    let size = 0;
    const failed = new Promise<never>((_resolve, reject) => upload.once('error', reject));
    failed.catch(() => undefined);
    return {
      write: async (chunk) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        size += bytes.length;
        // Waits for the driver to take the chunk when its buffer is full.
        if (!upload.write(bytes)) await this.mongo.guard(() => Promise.race([new Promise((resolve) => upload.once('drain', resolve)), failed]));
      },
      finish: async () => {
        await this.mongo.guard(() => Promise.race([new Promise<void>((resolve) => upload.end(() => resolve())), failed]));
        // Older files of this name go once the new one is whole.
        const older = await this.mongo.guard(() => this.bucket.find({ filename: name, _id: { $ne: upload.id } }).toArray());
        for (const file of older) await this.bucket.delete(file._id).catch(() => undefined);
        return { name, size };
      },
      abort: async () => {
        await upload.abort().catch(() => undefined);
      },
    };
  }

  async put(name: string, bytes: Buffer): Promise<JobFileInfo> {
    const writer = await this.create(name);
    try {
      for (let offset = 0; offset < bytes.length; offset += 255 * 1024) await writer.write(bytes.subarray(offset, offset + 255 * 1024));
      return await writer.finish();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  async stat(name: string): Promise<JobFileInfo | null> {
    assertJobFileName(name);
    const [file] = await this.newest(name);
    return file ? { name, size: file.length } : null;
  }

  async read(name: string): Promise<{ size: number; stream: Readable } | null> {
    assertJobFileName(name);
    const [file] = await this.newest(name);
    if (!file) return null;
    return { size: file.length, stream: this.mongo.download(() => this.bucket.openDownloadStream(file._id)) };
  }

  async delete(name: string): Promise<boolean> {
    assertJobFileName(name);
    const files = await this.mongo.guard(() => this.bucket.find({ filename: name }).toArray());
    for (const file of files) await this.mongo.guard(() => this.bucket.delete(file._id));
    return files.length > 0;
  }

  async close(): Promise<void> {
    await this.mongo.close();
  }

  private newest(name: string) {
    return this.mongo.guard(() => this.bucket.find({ filename: name }).sort({ uploadDate: -1 }).limit(1).toArray());
  }
}

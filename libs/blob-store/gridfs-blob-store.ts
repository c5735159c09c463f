import { GridFSBucket, type Db } from 'mongodb';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StoreLogger } from '../config/store-connection';
import { MongoConnection } from '../mongo/mongo-connection';
import { assertBlobAddress, type BlobInfo, type BlobStore, type ByteRange, type ListedBlob } from './blob-store.port';
import { sha256Of } from './chunked-hash';

/** The bucket's collections are `media.files` and `media.chunks`: not read models, so a rebuild never drops them. */
export const MEDIA_BUCKET = 'media';

/**
 * The production profile's blob store: MongoDB GridFS, one file per blob
 * named by its address. GridFS writes the chunks first and the file document
 * last, so a blob is visible only once whole; both with majority and journal
 * acknowledgement, so a put resolves once the blob is durable. Two puts of
 * the same new bytes racing may both write a file: reads take the newest,
 * a delete removes every one.
 */
export class GridFsBlobStore implements BlobStore {
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
      store: 'MongoDB (media)',
      appName: 'parley-media',
      deadlineMs: options.deadlineMs,
      logger: options.logger,
    });
    this.db = this.mongo.db;
    this.bucket = new GridFSBucket(this.db, { bucketName: MEDIA_BUCKET, writeConcern: { w: 'majority', journal: true } });
  }

  async put(bytes: Buffer): Promise<BlobInfo & { readonly created: boolean }> {
    const address = await sha256Of(bytes);
    if (await this.stat(address)) {
      // Put again: the sweep's grace starts over (the upload reusing it is in flight).
      await this.mongo.guard(() =>
        this.db
          .collection(`${MEDIA_BUCKET}.files`)
          .updateMany({ filename: address }, { $set: { 'metadata.storedAt': new Date() } }, { writeConcern: { w: 'majority', journal: true } }),
      );
      return { address, size: bytes.length, created: false };
    }
    // An upload of many megabytes rightly outlasts a deadline meant for one call.
    await this.mongo.guard(
      () => pipeline(Readable.from(chunksOf(bytes)), this.bucket.openUploadStream(address, { metadata: { sha256: address } })),
      { deadline: false },
    );
    return { address, size: bytes.length, created: true };
  }

  async stat(address: string): Promise<BlobInfo | null> {
    assertBlobAddress(address);
    const [file] = await this.mongo.guard(() => this.bucket.find({ filename: address }).sort({ uploadDate: -1 }).limit(1).toArray());
    return file ? { address, size: file.length } : null;
  }

  async read(address: string, range?: ByteRange): Promise<Readable | null> {
    const found = await this.stat(address);
    if (!found) return null;
    if (range && (range.start < 0 || range.end < range.start || range.end >= found.size)) {
      throw new RangeError(`range ${range.start}-${range.end} is outside the blob's ${found.size} bytes`);
    }
    // GridFS's `end` is exclusive; HTTP's and this port's are inclusive.
    return this.mongo.download(() => this.bucket.openDownloadStreamByName(address, range ? { start: range.start, end: range.end + 1 } : {}));
  }

  async delete(address: string): Promise<boolean> {
    assertBlobAddress(address);
    const files = await this.mongo.guard(() => this.bucket.find({ filename: address }).toArray());
    for (const file of files) await this.mongo.guard(() => this.bucket.delete(file._id));
    return files.length > 0;
  }

  async list(afterAddress: string | null, limit: number): Promise<ListedBlob[]> {
    const files = await this.mongo.guard(() =>
      this.bucket
        .find(afterAddress === null ? {} : { filename: { $gt: afterAddress } })
        .sort({ filename: 1, uploadDate: -1 })
        .limit(limit * 2)
        .toArray(),
    );
    const found: ListedBlob[] = [];
    for (const file of files) {
      if (found.at(-1)?.address === file.filename) continue;
      const putAgain = (file.metadata as { storedAt?: unknown } | undefined)?.storedAt;
      const storedAt = Math.max(file.uploadDate.getTime(), putAgain instanceof Date ? putAgain.getTime() : 0);
      found.push({ address: file.filename, size: file.length, storedAt });
      if (found.length >= limit) break;
    }
    return found;
  }

  async close(): Promise<void> {
    await this.mongo.close();
  }
}

/** GridFS takes a stream; one chunk of 255 KiB at a time keeps the driver's buffering small. */
function* chunksOf(bytes: Buffer): Generator<Buffer> {
  const size = 255 * 1024;
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

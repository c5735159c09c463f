import type { Readable } from 'node:stream';

/** Bytes as the blob store holds them: named by the SHA-256 (hex) of exactly those bytes. */
export interface BlobInfo {
  readonly address: string;
  readonly size: number;
}

/** A blob as a listing shows it: also when its bytes were last put (ms since the epoch), for the sweep's grace. */
export interface ListedBlob extends BlobInfo {
  readonly storedAt: number;
}

/** Inclusive byte range, as HTTP's `Range: bytes=start-end` names it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Media bytes beside the log (decision 0023-media-blob-store). Content
 * addressed: a blob's address is the SHA-256 of its bytes, so the same bytes
 * stored twice are kept once. `put` resolves only once the bytes are durable,
 * which is what lets a handler append the event that names them afterwards
 * (an acknowledged upload is never lost).
 */
export interface BlobStore {
  /**
   * Stores the bytes; `created` is false when they were already there
   * (nothing written but the time they were last put, which the sweep of
   * unnamed blobs reads: an upload reusing an old blob is in flight too).
   */
  put(bytes: Buffer): Promise<BlobInfo & { readonly created: boolean }>;
  /** The blob's size, or null when no blob has this address. */
  stat(address: string): Promise<BlobInfo | null>;
  /** The bytes (or the inclusive range of them), or null when no blob has this address. */
  read(address: string, range?: ByteRange): Promise<Readable | null>;
  /** Removes the blob; false when there was none. */
  delete(address: string): Promise<boolean>;
  /** Every blob in address order, a page at a time (a backup of the store, the sweep). */
  list(afterAddress: string | null, limit: number): Promise<ListedBlob[]>;
  close(): Promise<void>;
}

export const isBlobAddress = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);

/** Refuses what is not an address before it reaches a path or a query. */
export function assertBlobAddress(address: string): void {
  if (!isBlobAddress(address)) throw new Error(`not a blob address (64 lowercase hex digits): ${JSON.stringify(address)}`);
}

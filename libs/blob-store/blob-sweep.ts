import type { BlobStore } from './blob-store.port';

export interface SweepOptions {
  /** Whether any media (live, or deleted but with its bytes yet to go) names the blob, per the media read model. */
  readonly named: (address: string) => Promise<boolean>;
  /** Blobs put less than this long ago are never swept: their upload may still be appending its event. */
  readonly graceMs: number;
  readonly now: number;
  /** Asked between blobs: false stops the sweep (the lease is lost, the process stops). */
  readonly proceed?: () => boolean;
  /** Asked right before each deletion: false leaves the blob for a later sweep (an upload of this process is in flight). */
  readonly mayDelete?: () => boolean;
  readonly pageSize?: number;
}

export interface SweepResult {
  readonly examined: number;
  /** Unnamed and older than the grace: deleted. */
  readonly swept: number;
  readonly sweptBytes: number;
  /** Unnamed but within the grace (or an upload was in flight): left for a later sweep. */
  readonly young: number;
  /** Stopped before the end (proceed() answered false). */
  readonly stopped: boolean;
}

/**
 * Deletes the blobs no media names (decision 0023: an upload stores its
 * bytes before appending `MediaUploaded`, so a failed append leaves them
 * behind). A blob put within the grace period is left alone, whatever the
 * read model says, so an upload in flight never loses its bytes; the caller
 * makes sure the read model has passed the log's head before sweeping.
 */
export async function sweepUnnamedBlobs(blobs: BlobStore, options: SweepOptions): Promise<SweepResult> {
  const proceed = options.proceed ?? (() => true);
  const result = { examined: 0, swept: 0, sweptBytes: 0, young: 0, stopped: false };
  let after: string | null = null;
  for (;;) {
    const page = await blobs.list(after, options.pageSize ?? 500);
    if (page.length === 0) return result;
    for (const blob of page) {
      if (!proceed()) return { ...result, stopped: true };
      result.examined++;
      if (await options.named(blob.address)) continue;
      if (options.now - blob.storedAt < options.graceMs || (options.mayDelete && !options.mayDelete())) {
        result.young++;
        continue;
      }
      if (await blobs.delete(blob.address)) {
        result.swept++;
        result.sweptBytes += blob.size;
      }
    }
    after = page.at(-1)!.address;
  }
}

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { EventStore, Position, StoredEvent } from '../event-store/event-store.port';
import { canImport, restoresPositions, type ImportOutcome } from '../event-store/import-events';
import { LogMigration, StreamDigests, movedEvent } from './log-migration';
import type { PositionMap } from './position-map';
import { GENESIS_HASH, LogEncoder, LogFormatError, verifyLog, type VerifyResult } from './log-codec';

export interface ExportOptions {
  /** Exclusive start position; 0 for the whole log. */
  readonly from?: Position;
  /** The hash of the last line a client already holds, to continue its chain. */
  readonly prevHash?: string;
  readonly batchSize?: number;
  /** Keep following new events instead of ending at the head (no trailer then). */
  readonly follow?: boolean;
  readonly filter?: (event: StoredEvent) => boolean;
  /** Stop after this many events (the trailer still closes the export). */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  /** Called after each batch with the last position written and the count. */
  readonly onProgress?: (position: Position, count: number) => void;
}

/**
 * Characters of lines yielded together. A chunk above V8's regular object size
 * (128 KiB) would be flattened into the large-object space, where it stays
 * until a full collection: a batch of 2,000 lines (about 1.3 MB) per chunk
 * let the export's peak memory grow with the log. Below it, a chunk dies young.
 */
const CHUNK_CHARS = 64 * 1024;

/**
 * The log as chained NDJSON lines, read in batches so memory stays flat
 * whatever the log's size. Without `follow` it ends at the head with a trailer.
 */
export async function* exportLog(store: EventStore, options: ExportOptions = {}): AsyncGenerator<string> {
  const encoder = new LogEncoder(options.from ?? 0n, options.prevHash ?? GENESIS_HASH);
  const batchSize = options.batchSize ?? 2000;
  yield encoder.header();
  let after = options.from && options.from > 0n ? options.from : undefined;
  let count = 0;
  for (;;) {
    if (options.signal?.aborted) return;
    const events = await store.readAll({ after, maxCount: batchSize });
    if (events.length === 0) {
      if (!options.follow) break;
      await waitForMore(store, after, options.signal);
      continue;
    }
    let chunk = '';
    let full = false;
    for (const event of events) {
      after = event.position;
      if (options.filter && !options.filter(event)) continue;
      chunk += encoder.line(event);
      count++;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
      if (options.limit !== undefined && count >= options.limit) {
        full = true;
        break;
      }
    }
    if (chunk) yield chunk;
    options.onProgress?.(after!, count);
    if (full) break;
  }
  yield encoder.trailer();
}

/** Resolves when the log grows past `after` (or the signal aborts). */
function waitForMore(store: EventStore, after: Position | undefined, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const subscription = store.subscribe({
      after,
      batchSize: 1,
      onBatch: async () => {
        if (done) return;
        done = true;
        resolve();
        void subscription.close();
      },
    });
    signal?.addEventListener(
      'abort',
      () => {
        if (done) return;
        done = true;
        resolve();
        void subscription.close();
      },
      { once: true },
    );
  });
}

/** Lines of a file, gunzipped when it ends in `.gz`; a truncated gzip rejects. */
export async function* fileLines(file: string): AsyncGenerator<string> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (error) => input.destroy(error));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let count = 0;
  try {
    for await (const line of lines) {
      count++;
      yield line;
    }
  } catch (error) {
    // A truncated gzip or an unreadable file is a format error at the line it stopped.
    throw new LogFormatError(count + 1, `cannot be read: ${(error as Error).message}`);
  }
}

export interface ImportLogResult extends ImportOutcome {
  readonly verify: VerifyResult;
  /** Set when the store gave the events positions of its own: what each stream must read back as. */
  readonly moved?: StreamDigests;
}

/**
 * Restores an export: the whole file is verified first (schema of every
 * line, hash chain, trailer) and nothing is written unless all of it holds;
 * then events go in batches with their original ids, positions and times.
 * Events already present are skipped, so importing twice adds nothing and an
 * import killed half-way resumes where it stopped.
 */
export async function importLog(
  store: EventStore,
  open: () => AsyncIterable<string>,
  options: {
    batchSize?: number;
    onProgress?: (position: Position, done: number) => void;
    /** Where the pairs (old, new) go when the store assigns positions of its own; required then. */
    positionMap?: PositionMap;
    /** Called once the whole file is proven, before the first write; not for a refused file. */
    onVerified?: () => void;
  } = {},
): Promise<ImportLogResult> {
  const keep = canImport(store) && restoresPositions(store) ? store : null;
  const map = options.positionMap;
  if (keep === null && map === undefined) {
    throw new Error('This event store assigns its own positions: the import needs a position map (the read store) to record old -> new');
  }
  const verify = await verifyLog(open());
  if (!verify.ok) return { verify, imported: 0, skipped: 0 };
  options.onVerified?.();
  const migration = keep === null ? new LogMigration(store, map!) : null;
  const moved = migration === null ? undefined : new StreamDigests();
  const batchSize = options.batchSize ?? 1000;
  let imported = 0;
  let skipped = 0;
  let batch: StoredEvent[] = [];
  // One batch is written while the next is read and checked: a batch goes to the store only once the one
  // before it is in, so a conflict still stops the import at that batch, with nothing after it written.
  let writing: Promise<void> | null = null;
  const write = async (events: StoredEvent[]) => {
    const outcome = keep !== null ? await keep.importEvents(events) : await migration!.apply(events);
    imported += outcome.imported;
    skipped += outcome.skipped;
    options.onProgress?.(events[events.length - 1]!.position, imported + skipped);
  };
  const flush = async () => {
    if (writing !== null) await writing;
    writing = null;
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    writing = write(events);
    // Awaited by the next flush or at the end; a rejection meanwhile is not unhandled.
    writing.catch(() => undefined);
  };
  // Second pass: the file was proven whole above; a file changed in between
  // fails this pass's own verification and stops at the batch it reached.
  const second = await verifyLog(open(), async (event) => {
    moved?.add(movedEvent(event));
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  });
  if (second.ok) await flush();
  if (writing !== null) await writing;
  return { verify: second, imported, skipped, ...(moved === undefined ? {} : { moved }) };
}

import { once } from 'node:events';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { startWorker } from '../threads/start-worker';
import { chainHash, parseHeader, parseTrailer, positionAfter, verifyLog, type VerifyResult } from './log-codec';
import { fileLines } from './log-transfer';

/** One byte range of event lines, each ending with a newline. */
export interface VerifyChunk {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export type ChunkReport =
  | {
      readonly kind: 'checked';
      readonly count: number;
      readonly first: { readonly body: string; readonly hash: string; readonly position: string };
      readonly lastHash: string;
      readonly lastPosition: string;
    }
  | { readonly kind: 'irregular' };

/** Below this, starting threads costs more than it saves. */
const MIN_PARALLEL_BYTES = 4 * 1024 * 1024;
const MAX_THREADS = 8;
/** How far the header and the trailer are looked for at the file's two ends. */
const FRAME_WINDOW = 64 * 1024;

export interface VerifyFileOptions {
  /** Threads that check lines; 1 verifies in order on the calling thread. Default: the machine's cores, at most 8. */
  readonly threads?: number;
  /** Files smaller than this are verified in order. */
  readonly minParallelBytes?: number;
}

/**
 * `verify` for a file: the same result as `verifyLog` in integrity-only mode,
 * with the event lines checked in parallel where that pays. Each line names
 * its own hash and the line before names the hash it chains from, so a line
 * can be checked without the ones before it: threads check byte ranges, and
 * this thread checks the links between ranges, the header and the trailer.
 * A gzip file, a small one, or one with anything irregular (a broken link, an
 * empty line, a trailer not at the end) is verified in order, so a broken file
 * is always named at the same line and for the same reason as before.
 */
export async function verifyLogFile(file: string, options: VerifyFileOptions = {}): Promise<VerifyResult> {
  const inOrder = () => verifyLog(fileLines(file), undefined, { integrityOnly: true });
  const threads = Math.min(options.threads ?? Math.min(availableParallelism(), MAX_THREADS), MAX_THREADS);
  if (file.endsWith('.gz') || threads < 2) return inOrder();
  const { size } = await stat(file);
  if (size < (options.minParallelBytes ?? MIN_PARALLEL_BYTES)) return inOrder();
  const frame = await readFrame(file, size);
  if (frame === null) return inOrder();
  const outcome = await checkInParallel(file, frame, threads);
  return outcome ?? inOrder();
}

interface Frame {
  readonly header: string;
  readonly trailer: string;
  /** Byte offsets of the event lines: after the header's newline, up to the trailer's first byte. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

async function readFrame(file: string, size: number): Promise<Frame | null> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(FRAME_WINDOW, size));
    await handle.read(head, 0, head.length, 0);
    const headerEnd = head.indexOf(0x0a);
    if (headerEnd <= 0) return null;
    const tailStart = Math.max(0, size - FRAME_WINDOW);
    const tail = Buffer.alloc(size - tailStart);
    await handle.read(tail, 0, tail.length, tailStart);
    // Trailing newlines are allowed after the trailer (empty lines there are not an error).
    let last = tail.length;
    while (last > 0 && tail[last - 1] === 0x0a) last--;
    const trailerStart = tail.lastIndexOf(0x0a, last - 1) + 1;
    if (trailerStart === 0) return null;
    const trailer = tail.toString('utf8', trailerStart, last);
    const bodyStart = headerEnd + 1;
    const bodyEnd = tailStart + trailerStart;
    if (!trailer.startsWith('{"kind":"trailer"') || bodyEnd <= bodyStart) return null;
    return { header: head.toString('utf8', 0, headerEnd), trailer, bodyStart, bodyEnd };
  } finally {
    await handle.close();
  }
}

async function checkInParallel(file: string, frame: Frame, threads: number): Promise<VerifyResult | null> {
  let prevHash: string;
  try {
    prevHash = parseHeader(frame.header, 1).prevHash;
  } catch {
    return null;
  }
  const chunks = await splitAtLines(file, frame.bodyStart, frame.bodyEnd, threads);
  const reports = await Promise.all(chunks.map((chunk) => runChunk(chunk)));
  let hash = prevHash;
  let count = 0;
  let firstPosition: string | null = null;
  let lastPosition: string | null = null;
  for (const report of reports) {
    if (report.kind !== 'checked') return null;
    if (report.first.hash !== chainHash(hash, report.first.body)) return null;
    if (lastPosition !== null && !positionAfter(report.first.position, lastPosition)) return null;
    firstPosition ??= report.first.position;
    hash = report.lastHash;
    lastPosition = report.lastPosition;
    count += report.count;
  }
  try {
    const trailer = parseTrailer(frame.trailer, 0);
    if (trailer.count !== count || trailer.finalHash !== hash || trailer.lastPosition !== lastPosition) return null;
  } catch {
    return null;
  }
  return { ok: true, count, firstPosition, lastPosition, finalHash: hash };
}

/** Ranges of about equal size, each cut just after a newline. */
async function splitAtLines(file: string, start: number, end: number, parts: number): Promise<VerifyChunk[]> {
  const handle = await open(file, 'r');
  try {
    const cuts = [start];
    const probe = Buffer.alloc(FRAME_WINDOW);
    for (let i = 1; i < parts; i++) {
      let at = Math.max(start + Math.floor(((end - start) * i) / parts), cuts[cuts.length - 1]!);
      // Walk to the next newline; a line longer than the probe is walked in steps.
      for (;;) {
        const { bytesRead } = await handle.read(probe, 0, Math.min(probe.length, end - at), at);
        const newline = probe.subarray(0, bytesRead).indexOf(0x0a);
        if (newline !== -1) {
          at += newline + 1;
          break;
        }
        at += bytesRead;
        if (bytesRead === 0 || at >= end) break;
      }
      if (at < end && at > cuts[cuts.length - 1]!) cuts.push(at);
    }
    return cuts.map((from, i) => ({ file, start: from, end: cuts[i + 1] ?? end }));
  } finally {
    await handle.close();
  }
}

async function runChunk(chunk: VerifyChunk): Promise<ChunkReport> {
  const worker = startWorker(__dirname, 'log-verify.worker', chunk);
  try {
    const [report] = (await once(worker, 'message')) as [ChunkReport];
    return report;
  } catch {
    return { kind: 'irregular' };
  } finally {
    await worker.terminate();
  }
}

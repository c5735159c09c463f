import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { chainHash, positionAfter, splitEventLine } from './log-codec';
import type { ChunkReport, VerifyChunk } from './parallel-verify';

/**
 * Checks one byte range of an export's event lines: each line's hash against
 * the hash the line before it claims, and the order of positions. The first
 * line's link to the range before is left to the caller, who knows that hash.
 * Anything irregular (an empty line, a line that is not an event line, a
 * broken link) ends the range: the caller then verifies the file in order, so
 * the line it names and the reason are exactly the sequential ones.
 */
async function verifyChunk({ file, start, end }: VerifyChunk): Promise<ChunkReport> {
  let carry: Buffer | null = null;
  let count = 0;
  let first: { body: string; hash: string; position: string } | null = null;
  let lastHash = '';
  let lastPosition = '';
  const check = (text: string): boolean => {
    if (text === '' || text.endsWith('\r')) return false;
    let line: ReturnType<typeof splitEventLine>;
    try {
      line = splitEventLine(text, 0);
    } catch {
      return false;
    }
    if (first === null) first = line;
    else if (line.hash !== chainHash(lastHash, line.body) || !positionAfter(line.position, lastPosition)) return false;
    lastHash = line.hash;
    lastPosition = line.position;
    count++;
    return true;
  };
  // Lines are found in bytes and decoded one by one: scanning a joined string
  // instead makes V8 copy it at every search.
  const input = createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 });
  try {
    for await (const piece of input as AsyncIterable<Buffer>) {
      const bytes: Buffer = carry === null ? piece : Buffer.concat([carry, piece]);
      let from = 0;
      for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, from)) {
        if (!check(bytes.toString('utf8', from, newline))) return { kind: 'irregular' };
        from = newline + 1;
      }
      carry = from < bytes.length ? bytes.subarray(from) : null;
    }
  } finally {
    input.destroy();
  }
  // The range ends at a line end, so nothing may be left over.
  if (carry !== null) return { kind: 'irregular' };
  return first === null ? { kind: 'irregular' } : { kind: 'checked', count, first, lastHash, lastPosition };
}

verifyChunk(workerData as VerifyChunk).then(
  (report) => parentPort!.postMessage(report),
  () => parentPort!.postMessage({ kind: 'irregular' } satisfies ChunkReport),
);

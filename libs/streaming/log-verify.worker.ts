import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
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
  let count = 0;
  let first: { body: string; hash: string; position: string } | null = null;
  let lastHash = '';
  let lastPosition = '';
  const check = (text: string): boolean => {
    if (text === '') return false;
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
  // The same line reader as verifying in order (readline over a stream), which
  // V8 handles best: one decoded string a piece, lines sliced from it.
  const input = createReadStream(file, { start, end: end - 1 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of lines) if (!check(text)) return { kind: 'irregular' };
  } finally {
    lines.close();
    input.destroy();
  }
  return first === null ? { kind: 'irregular' } : { kind: 'checked', count, first, lastHash, lastPosition };
}

verifyChunk(workerData as VerifyChunk).then(
  (report) => parentPort!.postMessage(report),
  () => parentPort!.postMessage({ kind: 'irregular' } satisfies ChunkReport),
);

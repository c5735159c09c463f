import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How much of a buffer one event-loop turn hashes or ciphers before letting requests in. */
export const LOOP_SLICE = 1024 * 1024;

/**
 * SHA-256 (hex) of a buffer, a megabyte per event-loop turn: hashing a 25 MiB
 * upload at once would hold the loop for tens of milliseconds.
 */
export async function sha256Of(bytes: Buffer): Promise<string> {
  const hash = createHash('sha256');
  for (let offset = 0; offset < bytes.length; offset += LOOP_SLICE) {
    hash.update(bytes.subarray(offset, offset + LOOP_SLICE));
    if (offset + LOOP_SLICE < bytes.length) await nextTurn();
  }
  return hash.digest('hex');
}

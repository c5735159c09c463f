import { createInflateRaw } from 'node:zlib';
import { validationError } from '../../../libs/domain/errors';
import { inspectZip, zipExpansionBudget, type ZipEntry } from '../../../libs/domain/media/zip-inspection';

/** Archives inside archives deeper than this are a recursive zip bomb's. */
const MAX_NESTING = 2;
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

const zipBomb = (field: string, reason: string) =>
  validationError('MEDIA.ZIP_BOMB', `${field} is a zip bomb: ${reason}`, [{ field, reason: `a zip bomb: ${reason} (MEDIA_MAX_ZIP_RATIO)` }]);
const archiveInvalid = (field: string, reason: string) =>
  validationError('MEDIA.ARCHIVE_INVALID', `${field} is not a whole zip archive: ${reason}`, [{ field, reason }]);

/**
 * Inflates one deflated entry, counting what comes out and keeping it only
 * when it is itself an archive (to be checked in turn): stops as soon as the
 * entry yields more than it declared. zlib works on libuv's thread pool.
 */
function inflateEntry(archive: Buffer, entry: ZipEntry): Promise<{ size: number; bytes: Buffer | null; lied: boolean; broken: string | null }> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw({ chunkSize: 256 * 1024 });
    const kept: Buffer[] = [];
    let keep: boolean | null = null;
    let size = 0;
    let done = false;
    const finish = (result: { size: number; bytes: Buffer | null; lied: boolean; broken: string | null }) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > entry.uncompressedSize) {
        inflate.destroy();
        finish({ size, bytes: null, lied: true, broken: null });
        return;
      }
      keep ??= ZIP_SIGNATURE.every((byte, i) => chunk[i] === byte);
      if (keep) kept.push(chunk);
    });
    inflate.on('error', (error) => finish({ size, bytes: null, lied: false, broken: error.message }));
    inflate.on('end', () => finish({ size, bytes: keep === true ? Buffer.concat(kept) : null, lied: false, broken: null }));
    inflate.end(archive.subarray(entry.dataStart, entry.dataEnd));
  });
}

/**
 * Refuses a zip bomb (400 `MEDIA.ZIP_BOMB` naming `field`) before anything
 * is stored: the central directory's declared sizes against the budget
 * (MEDIA_MAX_ZIP_RATIO times the archive's size), overlapping entries, then
 * every deflated entry inflated to check it yields what it declares, and
 * archives inside it checked the same way, against the same budget, at most
 * two levels deep. A damaged archive is 400 `MEDIA.ARCHIVE_INVALID`.
 */
export async function refuseZipBomb(bytes: Buffer, field: string, maxRatio: number, maxBytes: number): Promise<void> {
  const budget = { left: zipExpansionBudget(bytes.length, maxRatio) };
  await checkArchive(bytes, field, budget, 0, maxBytes);
}

async function checkArchive(bytes: Buffer, field: string, budget: { left: number }, depth: number, maxBytes: number): Promise<void> {
  const inspection = inspectZip(bytes, budget.left);
  if (!inspection.ok) throw inspection.bomb ? zipBomb(field, inspection.reason) : archiveInvalid(field, inspection.reason);
  budget.left -= inspection.expanded;
  for (const entry of inspection.entries) {
    let content: Buffer | null = null;
    if (entry.method === 8) {
      const inflated = await inflateEntry(bytes, entry);
      if (inflated.lied) throw zipBomb(field, `entry "${entry.name}" inflates beyond the ${entry.uncompressedSize} bytes it declares`);
      if (inflated.broken !== null) throw archiveInvalid(field, `entry "${entry.name}" does not inflate: ${inflated.broken}`);
      content = inflated.bytes;
    } else if (entry.method === 0) {
      content = bytes.subarray(entry.dataStart, entry.dataEnd);
    }
    if (content !== null && ZIP_SIGNATURE.every((byte, i) => content![i] === byte)) {
      if (depth + 1 > MAX_NESTING) throw zipBomb(field, `archives nested more than ${MAX_NESTING} deep`);
      // Held whole to be read: an archive inside may be no larger than an upload.
      if (content.length > maxBytes) throw zipBomb(field, `entry "${entry.name}" is an archive of more than ${maxBytes} bytes`);
      await checkArchive(content, field, budget, depth + 1, maxBytes);
    }
  }
}

/**
 * What a zip archive declares, read from its central directory without
 * inflating anything, and the zip-bomb tricks visible there: entries that
 * expand beyond a budget, more entries than any archive needs, and entries
 * whose bytes overlap (the non-recursive bomb reuses one compressed stream
 * for every entry). Whether an entry really inflates to what it declares is
 * checked by whoever inflates it (apps/api/media/archive-check.ts).
 */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; other methods are taken at their declared size. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Where the entry's compressed bytes start and end (exclusive) in the archive. */
  readonly dataStart: number;
  readonly dataEnd: number;
}

export type ZipInspection =
  | { readonly ok: true; readonly entries: readonly ZipEntry[]; readonly expanded: number }
  | { readonly ok: false; readonly bomb: boolean; readonly reason: string };

/** More entries than this in one archive is a bomb's, not a document's. */
export const ZIP_MAX_ENTRIES = 65_535;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const FULL32 = 0xffffffff;

const invalid = (reason: string): ZipInspection => ({ ok: false, bomb: false, reason });
const bomb = (reason: string): ZipInspection => ({ ok: false, bomb: true, reason });

class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  has(at: number, length: number): boolean {
    return at >= 0 && at + length <= this.bytes.length;
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  /** A 64-bit size or offset; beyond 2^53 nothing in an upload can be, so it reads as Infinity. */
  u64(at: number): number {
    const value = this.view.getBigUint64(at, true);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(value);
  }
}

function findEndOfDirectory(r: Reader): number | null {
  const last = r.bytes.length - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (r.u32(at) === EOCD) return at;
  }
  return null;
}

/**
 * Reads the central directory of `bytes` and checks it against
 * `maxExpanded`, the most bytes all entries together may declare.
 */
export function inspectZip(bytes: Uint8Array, maxExpanded: number): ZipInspection {
  const r = new Reader(bytes);
  const eocd = findEndOfDirectory(r);
  if (eocd === null) return invalid('has no end of central directory (not a whole zip archive)');
  let count = r.u16(eocd + 10);
  let directorySize = r.u32(eocd + 12);
  let directoryAt = r.u32(eocd + 16);
  if (count === 0xffff || directorySize === FULL32 || directoryAt === FULL32) {
    const locator = eocd - 20;
    if (!r.has(locator, 20) || r.u32(locator) !== ZIP64_LOCATOR) return invalid('declares ZIP64 sizes without a ZIP64 locator');
    const end64 = r.u64(locator + 8);
    if (!r.has(end64, 56) || r.u32(end64) !== ZIP64_EOCD) return invalid('has a ZIP64 locator pointing nowhere');
    count = r.u64(end64 + 32);
    directorySize = r.u64(end64 + 40);
    directoryAt = r.u64(end64 + 48);
  }
  if (count > ZIP_MAX_ENTRIES) return bomb(`declares ${count} entries (at most ${ZIP_MAX_ENTRIES})`);
  if (!r.has(directoryAt, directorySize)) return invalid('has a central directory beyond its end (truncated)');

  const entries: ZipEntry[] = [];
  let expanded = 0;
  let at = directoryAt;
  for (let i = 0; i < count; i++) {
    if (!r.has(at, 46) || r.u32(at) !== CENTRAL) return invalid(`entry ${i} of the central directory is damaged`);
    const method = r.u16(at + 10);
    let compressedSize = r.u32(at + 20);
    let uncompressedSize = r.u32(at + 24);
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    let localAt = r.u32(at + 42);
    if (!r.has(at + 46, nameLength + extraLength + commentLength)) return invalid(`entry ${i} of the central directory is truncated`);
    const name = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (uncompressedSize === FULL32 || compressedSize === FULL32 || localAt === FULL32) {
      // ZIP64 extra field (0x0001): the 64-bit values of the fields set to all ones, in this order.
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      let found = false;
      while (extra + 4 <= extraEnd) {
        const id = r.u16(extra);
        const size = r.u16(extra + 2);
        if (id === 0x0001) {
          let field = extra + 4;
          const take = (): number => {
            if (field + 8 > extra + 4 + size) return NaN;
            const value = r.u64(field);
            field += 8;
            return value;
          };
          if (uncompressedSize === FULL32) uncompressedSize = take();
          if (compressedSize === FULL32) compressedSize = take();
          if (localAt === FULL32) localAt = take();
          found = true;
          break;
        }
        extra += 4 + size;
      }
      if (!found || [uncompressedSize, compressedSize, localAt].some(Number.isNaN)) return invalid(`entry ${i} declares ZIP64 sizes it does not give`);
    }
    if (!r.has(localAt, 30) || r.u32(localAt) !== LOCAL) return invalid(`entry ${i} ("${name}") points to no local header`);
    const dataStart = localAt + 30 + r.u16(localAt + 26) + r.u16(localAt + 28);
    const dataEnd = dataStart + compressedSize;
    if (dataEnd > bytes.length) return invalid(`entry ${i} ("${name}") runs beyond the archive (truncated)`);
    if (method === 0 && compressedSize !== uncompressedSize) return invalid(`stored entry ${i} ("${name}") declares two sizes`);
    expanded += uncompressedSize;
    if (expanded > maxExpanded) return bomb(`expands to more than ${maxExpanded} bytes`);
    entries.push({ name, method, compressedSize, uncompressedSize, dataStart: localAt, dataEnd });
    at += 46 + nameLength + extraLength + commentLength;
  }
  // Entries share no bytes: each local header and its data end before the next begins.
  const ordered = [...entries].sort((a, b) => a.dataStart - b.dataStart);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.dataStart < ordered[i - 1]!.dataEnd) return bomb(`entries "${ordered[i - 1]!.name}" and "${ordered[i]!.name}" overlap`);
  }
  return {
    ok: true,
    expanded,
    entries: entries.map((entry) => {
      const localAt = entry.dataStart;
      const dataStart = localAt + 30 + r.u16(localAt + 26) + r.u16(localAt + 28);
      return { ...entry, dataStart, dataEnd: dataStart + entry.compressedSize };
    }),
  };
}

/** The budget of an archive of `size` bytes: `ratio` times its size, or times a mebibyte if that is more. */
export const zipExpansionBudget = (size: number, ratio: number): number => ratio * Math.max(size, 1024 * 1024);

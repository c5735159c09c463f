import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { assertBlobAddress, isBlobAddress, type BlobStore } from './blob-store.port';

/** The manifest of a media archive: one line per blob, `<sha256>  <size>  blobs/<address>`, then `# count <n> sha256 <digest of the lines>`. */
export const MANIFEST = 'MANIFEST.sha256';

export type ArchiveCheck =
  | { readonly ok: true; readonly count: number; readonly bytes: number }
  | { readonly ok: false; readonly line: number; readonly reason: string };

const PAGE = 500;

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Backs up the blob store into a directory: every blob as it is stored
 * (sealed: an archive reveals no one's media, and erased owners' blobs stay
 * unreadable in it) and a manifest of SHA-256 sums, written last, so a
 * directory with a manifest is a whole archive. The event log's own export
 * stays free of bytes; the two together restore an installation.
 */
export async function exportMedia(store: BlobStore, dir: string, onBlob?: (done: number) => void): Promise<{ count: number; bytes: number }> {
  await mkdir(join(dir, 'blobs'), { recursive: true });
  const lines: string[] = [];
  let bytes = 0;
  let after: string | null = null;
  for (;;) {
    const page = await store.list(after, PAGE);
    if (page.length === 0) break;
    for (const blob of page) {
      const stream = await store.read(blob.address);
      if (stream === null) continue; // deleted meanwhile
      const target = join(dir, 'blobs', blob.address);
      const handle = await open(`${target}.part`, 'w', 0o600);
      await pipeline(stream, handle.createWriteStream());
      await rename(`${target}.part`, target);
      const sum = await sha256OfFile(target);
      if (sum !== blob.address) throw new Error(`blob ${blob.address} read back with SHA-256 ${sum}: the store is damaged`);
      lines.push(`${sum}  ${blob.size}  blobs/${blob.address}`);
      bytes += blob.size;
      onBlob?.(lines.length);
    }
    after = page[page.length - 1]!.address;
  }
  const digest = createHash('sha256').update(lines.join('\n')).digest('hex');
  await writeFile(join(dir, MANIFEST), [...lines, `# count ${lines.length} sha256 ${digest}`].join('\n') + '\n', { mode: 0o600 });
  return { count: lines.length, bytes };
}

/** Checks an archive: the manifest's own sum, then every blob's presence, size and SHA-256 (which is also its name). */
export async function verifyMediaArchive(dir: string): Promise<ArchiveCheck> {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return { ok: false, line: 0, reason: `no ${MANIFEST}: not a whole media archive` };
  const all = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
  const trailer = all.at(-1) ?? '';
  const lines = all.slice(0, -1);
  const match = /^# count (\d+) sha256 ([0-9a-f]{64})$/.exec(trailer);
  if (match === null) return { ok: false, line: all.length, reason: 'the manifest has no trailer: it was cut short' };
  if (Number(match[1]) !== lines.length) return { ok: false, line: all.length, reason: `the trailer counts ${match[1]} blobs, the manifest lists ${lines.length}` };
  if (createHash('sha256').update(lines.join('\n')).digest('hex') !== match[2]) {
    return { ok: false, line: all.length, reason: 'the manifest does not match its own SHA-256: it was changed' };
  }
  let bytes = 0;
  for (const [index, line] of lines.entries()) {
    const parts = /^([0-9a-f]{64}) {2}(\d+) {2}blobs\/([0-9a-f]{64})$/.exec(line);
    if (parts === null || parts[1] !== parts[3]) return { ok: false, line: index + 1, reason: 'not a manifest line' };
    const file = join(dir, 'blobs', parts[3]!);
    const found = await stat(file).catch(() => null);
    if (found === null) return { ok: false, line: index + 1, reason: `blobs/${parts[3]} is missing` };
    if (found.size !== Number(parts[2])) return { ok: false, line: index + 1, reason: `blobs/${parts[3]} has ${found.size} bytes, not ${parts[2]}` };
    if ((await sha256OfFile(file)) !== parts[1]) return { ok: false, line: index + 1, reason: `blobs/${parts[3]} does not match its SHA-256` };
    bytes += found.size;
  }
  return { ok: true, count: lines.length, bytes };
}

/** Verifies the whole archive first, then stores every blob; blobs already there are kept once (content addressing). */
export async function importMedia(store: BlobStore, dir: string, onBlob?: (done: number) => void): Promise<ArchiveCheck & { imported?: number; present?: number }> {
  const check = await verifyMediaArchive(dir);
  if (!check.ok) return check;
  const lines = (await readFile(join(dir, MANIFEST), 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  let imported = 0;
  let present = 0;
  for (const line of lines) {
    const address = line.slice(0, 64);
    assertBlobAddress(address);
    if (!isBlobAddress(address)) continue;
    const put = await store.put(await readFile(join(dir, 'blobs', address)));
    if (put.address !== address) throw new Error(`blobs/${address} changed after it was verified`);
    if (put.created) imported++;
    else present++;
    onBlob?.(imported + present);
  }
  return { ...check, imported, present };
}

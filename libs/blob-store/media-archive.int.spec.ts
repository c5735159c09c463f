import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskBlobStore } from './disk-blob-store';
import { exportMedia, importMedia, MANIFEST, verifyMediaArchive } from './media-archive';

describe('media archives: export, verify and import of the blob store with a SHA-256 manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-media-archive-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports every blob, verifies, and imports into an empty store; a second import stores nothing new', async () => {
    const source = new DiskBlobStore(join(dir, 'source'));
    const blobs = await Promise.all(['one', 'two', 'three'].map((text) => source.put(Buffer.from(`sealed bytes ${text}`))));
    const archive = join(dir, 'archive');
    expect(await exportMedia(source, archive)).toEqual({ count: 3, bytes: blobs.reduce((sum, b) => sum + b.size, 0) });
    expect(await verifyMediaArchive(archive)).toMatchObject({ ok: true, count: 3 });

    const target = new DiskBlobStore(join(dir, 'target'));
    expect(await importMedia(target, archive)).toMatchObject({ ok: true, imported: 3, present: 0 });
    for (const blob of blobs) expect(await target.stat(blob.address)).toEqual({ address: blob.address, size: blob.size });
    expect(await importMedia(target, archive)).toMatchObject({ ok: true, imported: 0, present: 3 });
  });

  it('names what is wrong: a changed blob, a missing one, a changed manifest; and imports nothing then', async () => {
    const source = new DiskBlobStore(join(dir, 'source2'));
    const { address } = await source.put(Buffer.from('to be damaged'));
    const archive = join(dir, 'archive2');
    await exportMedia(source, archive);
    writeFileSync(join(archive, 'blobs', address), 'tampered!!!!!');
    expect(await verifyMediaArchive(archive)).toEqual({ ok: false, line: 1, reason: `blobs/${address} does not match its SHA-256` });
    const target = new DiskBlobStore(join(dir, 'target2'));
    expect((await importMedia(target, archive)).ok).toBe(false);
    expect(await target.list(null, 10)).toEqual([]);

    rmSync(join(archive, 'blobs', address));
    expect(await verifyMediaArchive(archive)).toMatchObject({ ok: false, reason: `blobs/${address} is missing` });
    const manifest = readFileSync(join(archive, MANIFEST), 'utf8');
    writeFileSync(join(archive, MANIFEST), manifest.replace(/^[0-9a-f]/, (c) => (c === 'a' ? 'b' : 'a')));
    expect((await verifyMediaArchive(archive)).ok).toBe(false);
    appendFileSync(join(archive, MANIFEST), 'extra\n');
    expect(await verifyMediaArchive(archive)).toMatchObject({ ok: false, reason: expect.stringMatching(/trailer/) });
  });
});

import { zipArchive } from '../../../test/support/zip';
import { inspectZip, zipExpansionBudget } from '../../../libs/domain/media/zip-inspection';
import { refuseZipBomb } from './archive-check';

const MiB = 1024 * 1024;

describe('zip archives: what the central directory declares', () => {
  it('reads the entries of a plain archive, stored and deflated', () => {
    const archive = zipArchive([
      { name: 'a.txt', data: Buffer.from('hello world\n') },
      { name: 'b.bin', data: Buffer.from([1, 2, 3]), deflate: false },
    ]);
    const inspection = inspectZip(archive, 1000);
    expect(inspection).toMatchObject({ ok: true, expanded: 15, entries: [{ name: 'a.txt', method: 8, uncompressedSize: 12 }, { name: 'b.bin', method: 0, compressedSize: 3 }] });
  });

  it('calls a declared expansion beyond the budget a bomb, and overlapping entries too', () => {
    const big = zipArchive([{ name: 'zeros', data: Buffer.alloc(2 * MiB) }]);
    expect(inspectZip(big, MiB)).toMatchObject({ ok: false, bomb: true, reason: expect.stringContaining('expands to more than') });
    const overlapping = zipArchive(
      [
        { name: 'one', data: Buffer.alloc(1000) },
        { name: 'two', data: Buffer.alloc(1000) },
      ],
      { overlapping: true },
    );
    expect(inspectZip(overlapping, 10 * MiB)).toMatchObject({ ok: false, bomb: true, reason: expect.stringContaining('overlap') });
  });

  it('calls a truncated archive invalid, not a bomb', () => {
    const archive = zipArchive([{ name: 'a.txt', data: Buffer.from('hello world\n') }]);
    expect(inspectZip(archive.subarray(0, archive.length - 5), 1000)).toMatchObject({ ok: false, bomb: false });
    expect(inspectZip(archive.subarray(10), 1000)).toMatchObject({ ok: false, bomb: false });
  });

  it('budgets ratio times the archive, or times a mebibyte for small ones', () => {
    expect(zipExpansionBudget(10, 100)).toBe(100 * MiB);
    expect(zipExpansionBudget(4 * MiB, 100)).toBe(400 * MiB);
  });
});

describe('refuseZipBomb: inflating what the directory declares', () => {
  const refusal = async (bytes: Buffer, ratio = 100) => {
    try {
      await refuseZipBomb(bytes, 'file', ratio, 25 * MiB);
      return null;
    } catch (error) {
      return error as { code: string; details: { field: string }[] };
    }
  };

  it('lets a plain archive through', async () => {
    expect(await refusal(zipArchive([{ name: 'notes.txt', data: Buffer.from('Sales goals\n'.repeat(100)) }]))).toBeNull();
  });

  it('refuses an entry that inflates beyond the size it declares (a lying header)', async () => {
    const error = await refusal(zipArchive([{ name: 'small.txt', data: Buffer.alloc(4 * MiB), declaredSize: 1000 }]));
    expect(error).toMatchObject({ code: 'MEDIA.ZIP_BOMB', details: [{ field: 'file' }] });
  });

  it('refuses an archive whose entries expand beyond the ratio', async () => {
    expect(await refusal(zipArchive([{ name: 'zeros', data: Buffer.alloc(3 * MiB) }]), 2)).toMatchObject({ code: 'MEDIA.ZIP_BOMB' });
  });

  it('counts nested archives against the same budget and refuses nesting deeper than two', async () => {
    const inner = zipArchive([{ name: 'zeros', data: Buffer.alloc(3 * MiB) }]);
    const outer = zipArchive([{ name: 'inner.zip', data: inner, deflate: false }]);
    // The outer archive declares little; what its archive holds goes over the budget.
    expect(await refusal(outer, 2)).toMatchObject({ code: 'MEDIA.ZIP_BOMB' });
    const deep = zipArchive([{ name: 'l1.zip', data: zipArchive([{ name: 'l2.zip', data: zipArchive([{ name: 'l3.zip', data: zipArchive([{ name: 'x', data: Buffer.from('x') }]) }]) }]) }]);
    expect(await refusal(deep)).toMatchObject({ code: 'MEDIA.ZIP_BOMB' });
    expect(await refusal(zipArchive([{ name: 'l1.zip', data: zipArchive([{ name: 'x', data: Buffer.from('x') }]) }]))).toBeNull();
  });

  it('refuses a damaged entry as an invalid archive', async () => {
    const archive = zipArchive([{ name: 'a.txt', data: Buffer.from('hello world, hello world, hello world\n') }]);
    // Garbles the deflated bytes (after the 30-byte header and the 5-byte name).
    archive.fill(0xff, 35, 40);
    expect(await refusal(archive)).toMatchObject({ code: 'MEDIA.ARCHIVE_INVALID' });
  });
});

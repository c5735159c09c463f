import { isStorageFull, StorageFullError } from './storage-full';

describe('isStorageFull', () => {
  it('recognises SQLite, the disk and a quota being full, also wrapped as a cause', () => {
    for (const code of ['SQLITE_FULL', 'ENOSPC', 'EDQUOT']) expect(isStorageFull(Object.assign(new Error(code), { code }))).toBe(true);
    expect(isStorageFull(new StorageFullError())).toBe(true);
    expect(isStorageFull(new Error('append failed', { cause: Object.assign(new Error('disk'), { code: 'ENOSPC' }) }))).toBe(true);
    // As it arrives from a worker thread: a plain object with the code.
    expect(isStorageFull({ name: 'SqliteError', message: 'database or disk is full', code: 'SQLITE_FULL' })).toBe(true);
  });

  it('leaves every other failure alone', () => {
    for (const error of [new Error('boom'), Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }), null, 'ENOSPC', { code: 42 }]) {
      expect(isStorageFull(error)).toBe(false);
    }
  });
});

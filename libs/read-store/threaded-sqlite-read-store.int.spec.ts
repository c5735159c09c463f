import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStoreConformance } from './conformance/read-store.conformance';
import { SqliteReadStore } from './sqlite-read-store';
import { ThreadedSqliteReadStore } from './threaded-sqlite-read-store';

const dir = mkdtempSync(join(tmpdir(), 'parley-threaded-read-store-'));
let files = 0;
const nextFile = () => join(dir, `store-${++files}.db`);
const opened: ThreadedSqliteReadStore[] = [];

afterAll(async () => {
  for (const store of opened) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

readStoreConformance('ThreadedSqliteReadStore', async () => {
  const store = new ThreadedSqliteReadStore({ file: nextFile() });
  opened.push(store);
  return store;
});

describe('ThreadedSqliteReadStore', () => {
  it('writes the same file SqliteReadStore reads, and refuses calls once closed', async () => {
    const file = nextFile();
    const threaded = new ThreadedSqliteReadStore({ file });
    await threaded.ensureCollections([{ name: 'things', indexes: [{ fields: ['n'] }] }]);
    await threaded.commit([{ kind: 'put', collection: 'things', doc: { id: 't1', n: 1 } }], [{ name: 'things@v1', position: '7' }]);
    await threaded.close();
    const direct = new SqliteReadStore({ file });
    expect(await direct.get('things', 't1')).toEqual({ id: 't1', n: 1 });
    expect(await direct.getCheckpoint('things@v1')).toBe('7');
    await direct.close();
    await expect(threaded.get('things', 't1')).rejects.toThrow(/closed/);
  });

  it('refuses an in-memory database, which one thread cannot share with another', () => {
    expect(() => new ThreadedSqliteReadStore({ file: ':memory:' })).toThrow(/needs a file/);
  });
});

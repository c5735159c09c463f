import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStoreConformance } from './conformance/read-store.conformance';
import { SqliteReadStore } from './sqlite-read-store';

const dir = mkdtempSync(join(tmpdir(), 'parley-read-store-'));
let files = 0;
const nextFile = () => join(dir, `store-${++files}.db`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

readStoreConformance('SqliteReadStore (file)', async () => new SqliteReadStore({ file: nextFile() }));
readStoreConformance('SqliteReadStore (:memory:)', async () => new SqliteReadStore({ file: ':memory:' }));

describe('SqliteReadStore', () => {
  const rooms = { name: 'rooms', indexes: [{ fields: ['lastActivity'] }, { fields: ['slug'], unique: true }] };

  it('creates the parent directory of the database file', async () => {
    const file = join(dir, 'nested', 'deeper', 'read.db');
    const store = new SqliteReadStore({ file });
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('keeps documents, indexes and checkpoints across close and reopen', async () => {
    const file = nextFile();
    const first = new SqliteReadStore({ file });
    await first.ensureCollections([rooms]);
    await first.commit(
      [
        { kind: 'put', collection: 'rooms', doc: { id: 'r1', slug: 'general', lastActivity: 3, tags: ['a'] } },
        { kind: 'put', collection: 'rooms', doc: { id: 'r2', slug: 'random', lastActivity: 9 } },
      ],
      [{ name: 'rooms@v1', position: '17' }],
    );
    await first.close();

    const second = new SqliteReadStore({ file });
    try {
      // Readable before ensureCollections: the tables are found on open.
      expect(await second.get('rooms', 'r1')).toEqual({ id: 'r1', slug: 'general', lastActivity: 3, tags: ['a'] });
      expect(await second.getCheckpoint('rooms@v1')).toBe('17');
      await second.ensureCollections([rooms]);
      const sort = [{ field: 'lastActivity', direction: 'desc' }] as const;
      expect((await second.find('rooms', { sort })).map((doc) => doc.id)).toEqual(['r2', 'r1']);
      await expect(
        second.commit([{ kind: 'put', collection: 'rooms', doc: { id: 'r3', slug: 'general' } }], []),
      ).rejects.toThrow(/UNIQUE/);
    } finally {
      await second.close();
    }
  });

  it('answers an equality filter on an indexed field from the index', async () => {
    const store = new SqliteReadStore({ file: ':memory:' });
    try {
      await store.ensureCollections([rooms]);
      const plan = store.explainFind('rooms', { filter: { lastActivity: 5 } }).join('\n');
      expect(plan).toMatch(/USING INDEX "?ix_rooms__lastActivity"?/);
      const unique = store.explainFind('rooms', { filter: { slug: { $in: ['a', 'b'] } } }).join('\n');
      expect(unique).toMatch(/USING INDEX "?ux_rooms__slug"?/);
      const byId = store.explainFind('rooms', { filter: { id: 'r1' } }).join('\n');
      expect(byId).toMatch(/USING (INDEX sqlite_autoindex_rooms_1|INTEGER PRIMARY KEY|PRIMARY KEY)/);
    } finally {
      await store.close();
    }
  });

  it('drops a collection’s non-unique indexes for a bulk load, answers the same meanwhile, and ensureCollections builds them again', async () => {
    const store = new SqliteReadStore({ file: ':memory:' });
    try {
      await store.ensureCollections([rooms]);
      await store.commit([1, 2, 3].map((n) => ({ kind: 'put' as const, collection: 'rooms', doc: { id: `r${n}`, slug: `s${n}`, lastActivity: n } })), []);
      await store.dropSecondaryIndexes(['rooms', 'not_a_collection_yet']);
      expect(store.explainFind('rooms', { filter: { lastActivity: 2 } }).join('\n')).not.toMatch(/ix_rooms__lastActivity/);
      expect((await store.find('rooms', { filter: { lastActivity: 2 } })).map((doc) => doc.id)).toEqual(['r2']);
      // The unique index stays, and keeps guarding.
      await expect(store.commit([{ kind: 'put', collection: 'rooms', doc: { id: 'r9', slug: 's1' } }], [])).rejects.toThrow(/UNIQUE/);
      await store.ensureCollections([rooms]);
      expect(store.explainFind('rooms', { filter: { lastActivity: 2 } }).join('\n')).toMatch(/USING INDEX "?ix_rooms__lastActivity"?/);
      expect((await store.find('rooms', { filter: { lastActivity: 2 } })).map((doc) => doc.id)).toEqual(['r2']);
    } finally {
      await store.close();
    }
  });

  it('while loading without indexes, still refuses the shallowest document SQLite cannot read, and takes one level less', async () => {
    const feed = { name: 'feed', indexes: [{ fields: ['at'] }] };
    // A document nests one level, its value `levels` more: SQLite reads 1000 in all.
    const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as unknown[];
    const store = new SqliteReadStore({ file: ':memory:' });
    try {
      await store.ensureCollections([feed]);
      await store.dropSecondaryIndexes(['feed']);
      await expect(store.commit([{ kind: 'put', collection: 'feed', doc: { id: 'deep', at: 1, v: nested(1000) } }], [])).rejects.toThrow(
        /malformed JSON: document deep of feed/,
      );
      await store.commit([{ kind: 'put', collection: 'feed', doc: { id: 'fine', at: 2, v: nested(999) } }], []);
      await store.ensureCollections([feed]);
      expect((await store.find('feed', { filter: { at: 2 } })).map((doc) => doc.id)).toEqual(['fine']);
      expect(await store.get('feed', 'deep')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('rejects collection names that would be spliced into SQL unsafely', async () => {
    const store = new SqliteReadStore({ file: ':memory:' });
    try {
      await expect(store.ensureCollections([{ name: 'rooms"; DROP TABLE checkpoints; --', indexes: [] }])).rejects.toThrow();
      expect(await store.getCheckpoint('anything')).toBeNull();
    } finally {
      await store.close();
    }
  });
});

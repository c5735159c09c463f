import { FencedOutError, withIdTieBreaker } from '../read-store.port';
import { INDEXED_QUERIES } from './indexed-queries';
import type { CollectionSpec, Doc, Filter, FindOptions, ReadStore, Scalar, SortKey, WriteOp } from '../read-store.port';

/**
 * The behaviour every ReadStore adapter must share. Queries written against
 * one adapter must answer identically on another, so ordering and matching are
 * pinned down to SQLite's rules for `json_extract` values: missing ≡ null,
 * NULL < numbers < strings, strings in UTF-8 byte (code point) order, NULL
 * first ascending and last descending, `id` as the final tie-breaker in the
 * direction of the last sort key (ascending when there is none).
 */
/**
 * Query plans, for an adapter whose server can explain them (MongoDB): the
 * read models' collection specs and how to ask for a query's plan stages.
 */
export interface PlanInspection<S extends ReadStore> {
  readonly specs: readonly CollectionSpec[];
  planStages(store: S, collection: string, options: FindOptions): Promise<{ stages: string[]; indexes: string[] }>;
}

export function readStoreConformance<S extends ReadStore>(
  name: string,
  create: () => Promise<S>,
  plans?: PlanInspection<S>,
): void {
  if (plans) indexedQueryPlans(name, create, plans);
  describe(`ReadStore conformance: ${name}`, () => {
    const SPECS: readonly CollectionSpec[] = [
      {
        name: 'rooms',
        indexes: [{ fields: ['lastActivity'] }, { fields: ['slug'], unique: true }, { fields: ['group', 'score'] }],
      },
      { name: 'members', indexes: [{ fields: ['roomId', 'userId'], unique: true }] },
      { name: 'things', indexes: [] },
    ];

    let store: ReadStore;

    beforeEach(async () => {
      store = await create();
      await store.ensureCollections(SPECS);
    });

    afterEach(async () => {
      await store.close();
    });

    const put = (collection: string, doc: Doc): WriteOp => ({ kind: 'put', collection, doc });
    const del = (collection: string, id: string): WriteOp => ({ kind: 'delete', collection, id });
    const putAll = (collection: string, docs: readonly Doc[]) =>
      store.commit(
        docs.map((doc) => put(collection, doc)),
        [],
      );
    const ids = (docs: readonly Doc[]) => docs.map((doc) => doc.id);
    const findIds = async (collection: string, options?: FindOptions) => ids(await store.find(collection, options));

    describe('collections', () => {
      it('ensureCollections is idempotent and keeps documents and indexes', async () => {
        await putAll('rooms', [{ id: 'r1', slug: 'general' }]);
        await store.ensureCollections(SPECS);
        await store.ensureCollections(SPECS);
        expect(await store.get('rooms', 'r1')).toEqual({ id: 'r1', slug: 'general' });
        expect(await store.count('rooms')).toBe(1);
        await expect(putAll('rooms', [{ id: 'r2', slug: 'general' }])).rejects.toThrow();
      });

      it('ensureCollections adds indexes declared later to an existing collection', async () => {
        await putAll('things', [{ id: 't1', code: 'a' }]);
        await store.ensureCollections([{ name: 'things', indexes: [{ fields: ['code'], unique: true }] }]);
        await expect(putAll('things', [{ id: 't2', code: 'a' }])).rejects.toThrow();
        await putAll('things', [{ id: 't2', code: 'b' }]);
        expect(await store.count('things')).toBe(2);
      });

      it('rejects names that are not identifiers, and reserved collection names', async () => {
        await expect(store.ensureCollections([{ name: 'bad-name', indexes: [] }])).rejects.toThrow(/name/i);
        await expect(store.ensureCollections([{ name: 'x"; DROP TABLE rooms; --', indexes: [] }])).rejects.toThrow();
        await expect(store.ensureCollections([{ name: 'ok', indexes: [{ fields: ["a')"] }] }])).rejects.toThrow();
        await expect(store.ensureCollections([{ name: 'checkpoints', indexes: [] }])).rejects.toThrow(/reserved/);
        await expect(store.find('rooms', { filter: { 'a.b': 1 } })).rejects.toThrow(/field/i);
        await expect(store.find('rooms', { sort: [{ field: "x'", direction: 'asc' }] })).rejects.toThrow(/field/i);
        await expect(store.count('rooms', { "1'": 1 })).rejects.toThrow(/field/i);
        await expect(store.get('rooms; --', 'x')).rejects.toThrow(/name/i);
      });
    });

    describe('geo: map areas (member search)', () => {
      const PLACES = 'places';
      const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
      const place = (id: string, lat: number | null, lon: number | null): Doc => ({
        id,
        findable: lat !== null,
        lat,
        lon,
        location: lat === null || lon === null ? null : point(lon, lat),
      });

      it('takes a geo index beside an ordered one, holds GeoJSON points (and null), and answers a box by ranges in latitude order', async () => {
        await store.ensureCollections([{ name: PLACES, indexes: [{ fields: ['findable', 'lat', 'id'] }, { fields: ['location'], kind: 'geo' }] }]);
        // Again: idempotent, as at every start.
        await store.ensureCollections([{ name: PLACES, indexes: [{ fields: ['findable', 'lat', 'id'] }, { fields: ['location'], kind: 'geo' }] }]);
        await putAll(PLACES, [
          place('lyon', 45.764, 4.8357),
          place('villeurbanne', 45.7719, 4.8902),
          place('paris', 48.8566, 2.3522),
          place('nowhere', null, null),
          place('south', -33.9, 151.2),
        ]);
        expect(await store.get(PLACES, 'lyon')).toMatchObject({ location: point(4.8357, 45.764) });
        const box = { findable: true, lat: { $gte: 45.6, $lte: 45.9 }, lon: { $gte: 4.7, $lte: 5 } } as const;
        expect(await findIds(PLACES, { filter: box, sort: [{ field: 'lat', direction: 'asc' }] })).toEqual(['lyon', 'villeurbanne']);
        expect(await store.count(PLACES, box)).toBe(2);
        const southern = { findable: true, lat: { $gte: -90, $lte: 0 }, lon: { $gte: -180, $lte: 180 } } as const;
        expect(await store.find(PLACES, { filter: southern, sort: [{ field: 'lat', direction: 'asc' }], fields: ['lat', 'lon'] })).toEqual([
          { id: 'south', lat: -33.9, lon: 151.2 },
        ]);
      });

      it('refuses a geo index over several fields or a unique one', async () => {
        await expect(store.ensureCollections([{ name: PLACES, indexes: [{ fields: ['lat', 'lon'], kind: 'geo' }] }])).rejects.toThrow(/geo index/);
        await expect(store.ensureCollections([{ name: PLACES, indexes: [{ fields: ['location'], kind: 'geo', unique: true }] }])).rejects.toThrow(/geo index/);
      });
    });

    describe('documents', () => {
      it('get returns null for a missing id', async () => {
        expect(await store.get('rooms', 'nope')).toBeNull();
      });

      it('round-trips documents as JSON', async () => {
        const doc: Doc = {
          id: 'r1',
          _position: '42',
          title: 'Ünïcødé "quotes" \\ and 😀',
          empty: '',
          nested: { a: { b: [1, 'two', null, { c: false }] }, list: [] },
          nothing: null,
          numbers: [0, -1.5, 0.1, 1e21, 2 ** 53 + 2, -(2 ** 60)],
          yes: true,
          no: false,
        };
        await putAll('rooms', [doc]);
        expect(await store.get('rooms', 'r1')).toEqual(doc);
        expect(await store.getMany('rooms', ['r1'])).toEqual([doc]);
        expect(await store.find('rooms')).toEqual([doc]);
      });

      it('put replaces the whole document', async () => {
        await putAll('rooms', [{ id: 'r1', a: 1, b: { c: 2 } }]);
        await putAll('rooms', [{ id: 'r1', a: 3 }]);
        expect(await store.get('rooms', 'r1')).toEqual({ id: 'r1', a: 3 });
        expect(await store.count('rooms')).toBe(1);
      });

      it('delete removes; deleting a missing id is a no-op', async () => {
        await putAll('rooms', [{ id: 'r1' }, { id: 'r2' }]);
        await store.commit([del('rooms', 'r1'), del('rooms', 'never')], []);
        expect(await store.get('rooms', 'r1')).toBeNull();
        expect(await findIds('rooms')).toEqual(['r2']);
      });

      it('hands out copies: mutating documents read or written does not change the store', async () => {
        const written = { id: 'r1', tags: ['a'], meta: { n: 1 } };
        await putAll('rooms', [written]);
        written.tags.push('mutated');
        written.meta.n = 2;
        const read = (await store.get('rooms', 'r1')) as { tags: string[]; meta: { n: number } } | null;
        expect(read).toEqual({ id: 'r1', tags: ['a'], meta: { n: 1 } });
        read!.tags.push('mutated');
        read!.meta.n = 3;
        expect(await store.get('rooms', 'r1')).toEqual({ id: 'r1', tags: ['a'], meta: { n: 1 } });
        expect(await store.find('rooms', { filter: { id: 'r1' } })).toEqual([{ id: 'r1', tags: ['a'], meta: { n: 1 } }]);
      });

      it('getMany returns documents in the order requested, skipping missing ids', async () => {
        await putAll('rooms', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
        expect(ids(await store.getMany('rooms', ['c', 'missing', 'a']))).toEqual(['c', 'a']);
        expect(ids(await store.getMany('rooms', ['b']))).toEqual(['b']);
        expect(await store.getMany('rooms', [])).toEqual([]);
      });
    });

    describe('insertAbsent: ids claimed once', () => {
      it('writes the ids not held, answers those held, and leaves held documents as they were', async () => {
        await putAll('things', [{ id: 'held', v: 'old' }]);
        expect(await store.insertAbsent('things', [{ id: 'new', v: 1 }, { id: 'held', v: 'new' }])).toEqual(['held']);
        expect(await store.get('things', 'held')).toEqual({ id: 'held', v: 'old' });
        expect(await store.get('things', 'new')).toEqual({ id: 'new', v: 1 });
        expect(await store.insertAbsent('things', [{ id: 'new', v: 2 }])).toEqual(['new']);
        expect(await store.get('things', 'new')).toEqual({ id: 'new', v: 1 });
        expect(await store.insertAbsent('things', [])).toEqual([]);
      });

      it('takes an id given twice in one batch once, and each id once among racing batches', async () => {
        expect(await store.insertAbsent('things', [{ id: 'twice', n: 1 }, { id: 'twice', n: 2 }])).toEqual(['twice']);
        expect(await store.get('things', 'twice')).toEqual({ id: 'twice', n: 1 });
        const batches = Array.from({ length: 4 }, (_, b) => Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, by: b })));
        const held = await Promise.all(batches.map((batch) => store.insertAbsent('things', batch)));
        // Every id was written by exactly one batch: held by the three others.
        for (let i = 0; i < 20; i++) expect(held.filter((ids) => ids.includes(`c${i}`))).toHaveLength(3);
        expect(await store.count('things')).toBe(21);
      });

      it('refuses an unknown collection and a document without an id, writing nothing', async () => {
        await expect(store.insertAbsent('nowhere', [{ id: 'a' }])).rejects.toThrow(/Unknown collection|ensureCollections/);
        await expect(store.insertAbsent('things', [{ id: 'ok' }, { id: '' }])).rejects.toThrow(/id/);
        expect(await store.get('things', 'ok')).toBeNull();
      });
    });

    describe('find: filters', () => {
      // Chosen so that each wrong comparison rule (lexicographic numbers,
      // case-folding, UTF-16 instead of UTF-8 order, null ≠ missing) changes an answer.
      const THINGS: readonly Doc[] = [
        { id: 't1', n: 1, s: 'a', flag: true, tag: 'x' },
        { id: 't2', n: 2, s: 'B', flag: false, tag: null },
        { id: 't3', n: 10, s: 'b', tag: 'y', big: 2 ** 60 },
        { id: 't4', n: 9.5, s: 'é', flag: true },
        { id: 't5', s: 'aa', tag: 'x' },
        { id: 't6', n: null, s: '\uff5e' },
        { id: 't7', n: -3, s: '😀' },
      ];

      beforeEach(async () => {
        await putAll('things', THINGS);
      });

      const cases: readonly [string, Filter, readonly string[]][] = [
        ['no filter', {}, ['t1', 't2', 't3', 't4', 't5', 't6', 't7']],
        ['number equality', { n: 2 }, ['t2']],
        ['fractional number equality', { n: 9.5 }, ['t4']],
        ['integers beyond 2^53 compare as written', { big: 2 ** 60 }, ['t3']],
        ['integers beyond 2^53 in $in', { big: { $in: [2 ** 60, 1] } }, ['t3']],
        ['string equality is case-sensitive', { s: 'B' }, ['t2']],
        ['boolean true', { flag: true }, ['t1', 't4']],
        ['boolean false', { flag: false }, ['t2']],
        ['null matches null and missing', { tag: null }, ['t2', 't4', 't6', 't7']],
        ['null on a number field', { n: null }, ['t5', 't6']],
        ['$in', { tag: { $in: ['x', 'y'] } }, ['t1', 't3', 't5']],
        ['$in with null', { tag: { $in: ['y', null] } }, ['t2', 't3', 't4', 't6', 't7']],
        ['empty $in matches nothing', { tag: { $in: [] } }, []],
        ['$gt and $lte combine', { n: { $gt: 1, $lte: 10 } }, ['t2', 't3', 't4']],
        ['$gte and $lt combine', { n: { $gte: 2, $lt: 10 } }, ['t2', 't4']],
        ['numbers compare numerically', { n: { $gt: 9 } }, ['t3', 't4']],
        ['missing and null never match a range', { n: { $lt: 2 } }, ['t1', 't7']],
        ['a null bound matches nothing', { n: { $gte: null } }, []],
        ['strings compare by code unit: uppercase first', { s: { $lt: 'a' } }, ['t2']],
        ['strings above a bound', { s: { $gt: 'a' } }, ['t3', 't4', 't5', 't6', 't7']],
        ['astral characters sort after U+FF5E (UTF-8 order)', { s: { $gt: '\uff5e' } }, ['t7']],
        ['$ne matches missing and null', { tag: { $ne: 'x' } }, ['t2', 't3', 't4', 't6', 't7']],
        ['$ne null matches present values', { tag: { $ne: null } }, ['t1', 't3', 't5']],
        ['conjunction', { tag: 'x', n: { $gte: 1 } }, ['t1']],
        ['range on id', { id: { $gte: 't3', $lt: 't5' } }, ['t3', 't4']],
        ['$in on id', { id: { $in: ['t2', 't9', 't6'] } }, ['t2', 't6']],
      ];

      it.each(cases)('%s', async (_label, filter, expected) => {
        expect(await findIds('things', { filter })).toEqual(expected);
        expect(await store.count('things', filter)).toBe(expected.length);
      });

      it('count without a filter counts everything', async () => {
        expect(await store.count('things')).toBe(THINGS.length);
      });

      it('rejects malformed conditions', async () => {
        await expect(store.find('things', { filter: { n: {} as Filter[string] } })).rejects.toThrow();
        await expect(store.find('things', { filter: { n: { $in: [1], $gt: 0 } as Filter[string] } })).rejects.toThrow();
        await expect(store.find('things', { filter: { n: { $regex: 'x' } as unknown as Filter[string] } })).rejects.toThrow();
        await expect(store.find('things', { filter: { n: undefined as unknown as Filter[string] } })).rejects.toThrow();
      });
    });

    describe('find: $contains (keyword search)', () => {
      const DOCS: readonly Doc[] = [
        { id: 'k1', key: 'alice\nalice liddell', n: 1 },
        { id: 'k2', key: 'bob\nbobby tables', n: 2 },
        { id: 'k3', key: 'ALICE\nupper case' },
        { id: 'k4', key: 'a.b*c[1]', n: 3 },
        { id: 'k5', key: null },
        { id: 'k6' },
        { id: 'k7', key: 123 },
        { id: 'k8', key: ['alice'] },
        { id: 'k9', key: { name: 'alice' } },
        { id: 'k10', key: 'zoë 😀 ünïcode' },
      ];

      beforeEach(async () => {
        await putAll('things', DOCS);
      });

      const cases: readonly [string, Filter, readonly string[]][] = [
        ['a substring anywhere, case-sensitive', { key: { $contains: 'lic' } }, ['k1']],
        ['across the parts of a joined key', { key: { $contains: 'bob\nbob' } }, ['k2']],
        ['upper case matches only upper case', { key: { $contains: 'ALI' } }, ['k3']],
        ['regular-expression characters are literal', { key: { $contains: '*c[1' } }, ['k4']],
        ['a dot is not a wildcard', { key: { $contains: 'a.b' } }, ['k4']],
        ['numbers, arrays and objects never match', { key: { $contains: '12' } }, []],
        ['not inside arrays or objects', { key: { $contains: 'alice' } }, ['k1']],
        ['non-ASCII and astral characters', { key: { $contains: 'ë 😀 ü' } }, ['k10']],
        ['the empty string matches every string', { key: { $contains: '' } }, ['k1', 'k10', 'k2', 'k3', 'k4']],
        ['combines with other conditions', { key: { $contains: 'b' }, n: { $gte: 2 } }, ['k2', 'k4']],
        ['on id', { id: { $contains: '1' } }, ['k1', 'k10']],
      ];

      it.each(cases)('%s', async (_label, filter, expected) => {
        expect(await findIds('things', { filter })).toEqual(expected);
        expect(await store.count('things', filter)).toBe(expected.length);
      });

      it('rejects a non-string needle or a $contains mixed with other operators', async () => {
        await expect(store.find('things', { filter: { key: { $contains: 1 } as unknown as Filter[string] } })).rejects.toThrow();
        await expect(
          store.find('things', { filter: { key: { $contains: 'a', $ne: 'b' } as unknown as Filter[string] } }),
        ).rejects.toThrow();
      });
    });

    describe('find: offset', () => {
      beforeEach(async () => {
        await putAll(
          'things',
          Array.from({ length: 7 }, (_, i) => ({ id: `o${i}`, n: i % 3 })),
        );
      });

      it('skips documents in the sort order, before the limit applies', async () => {
        const sort: SortKey[] = [{ field: 'n', direction: 'desc' }];
        const all = await findIds('things', { sort });
        expect(all).toEqual(['o5', 'o2', 'o4', 'o1', 'o6', 'o3', 'o0']);
        expect(await findIds('things', { sort, offset: 2, limit: 3 })).toEqual(['o4', 'o1', 'o6']);
        expect(await findIds('things', { sort, offset: 5 })).toEqual(['o3', 'o0']);
        expect(await findIds('things', { sort, offset: 7, limit: 3 })).toEqual([]);
        expect(await findIds('things', { sort, offset: 0, limit: 2 })).toEqual(['o5', 'o2']);
      });

      it('applies after the filter and a cursor', async () => {
        expect(await findIds('things', { filter: { n: 1 }, offset: 1 })).toEqual(['o4']);
        expect(await findIds('things', { after: ['o1'], offset: 2, limit: 2 })).toEqual(['o4', 'o5']);
      });

      it('rejects a negative or fractional offset', async () => {
        await expect(store.find('things', { offset: -1 })).rejects.toThrow(/offset/);
        await expect(store.find('things', { offset: 1.5 })).rejects.toThrow(/offset/);
      });
    });

    describe('find: sort, cursor, limit', () => {
      it('sorts numbers descending with null and missing last, id breaking ties in the same direction', async () => {
        await putAll('things', [
          { id: 'd', n: 2 },
          { id: 'b', n: null },
          { id: 'c', n: 10 },
          { id: 'a' },
          { id: 'e', n: 2 },
          { id: 'f', n: -1 },
        ]);
        expect(await findIds('things', { sort: [{ field: 'n', direction: 'desc' }] })).toEqual(['c', 'e', 'd', 'f', 'b', 'a']);
        expect(await findIds('things', { sort: [{ field: 'n', direction: 'asc' }] })).toEqual(['a', 'b', 'f', 'd', 'e', 'c']);
      });

      it('sorts strings in UTF-8 byte order', async () => {
        await putAll('things', [
          { id: '1', s: 'a' },
          { id: '2', s: 'B' },
          { id: '3', s: '😀' },
          { id: '4', s: '\uff5e' },
          { id: '5', s: 'é' },
          { id: '6', s: 'aa' },
        ]);
        expect(await findIds('things', { sort: [{ field: 's', direction: 'asc' }] })).toEqual(['2', '1', '6', '5', '4', '3']);
      });

      it('orders mixed types NULL < numbers (booleans as 0/1) < strings', async () => {
        await putAll('things', [
          { id: 'm1', v: 'z' },
          { id: 'm2', v: 5 },
          { id: 'm3', v: null },
          { id: 'm4' },
          { id: 'm5', v: -1 },
          { id: 'm6', v: 'A' },
          { id: 'm7', v: true },
          { id: 'm8', v: 0.5 },
        ]);
        expect(await findIds('things', { sort: [{ field: 'v', direction: 'asc' }] })).toEqual([
          'm3',
          'm4',
          'm5',
          'm8',
          'm7',
          'm2',
          'm6',
          'm1',
        ]);
      });

      it('returns only the fields asked for, with id, whatever their types; missing ones as null', async () => {
        await putAll('things', [
          { id: 'f1', name: 'one', flag: true, nested: { a: [1, 'x', null] }, n: 3, big: 'x'.repeat(500) },
          { id: 'f2', name: 'two', flag: false, n: 2.5 },
        ]);
        const found = await store.find('things', {
          fields: ['name', 'flag', 'nested', 'n'],
          sort: [{ field: 'name', direction: 'asc' }],
        });
        expect(found).toEqual([
          { id: 'f1', name: 'one', flag: true, nested: { a: [1, 'x', null] }, n: 3 },
          { id: 'f2', name: 'two', flag: false, nested: null, n: 2.5 },
        ]);
        expect(await store.find('things', { filter: { n: { $gt: 2.6 } }, fields: [] })).toEqual([{ id: 'f1' }]);
        await expect(store.find('things', { fields: ['a.b'] })).rejects.toThrow(/field/i);
      });

      it('breaks ties of a descending key by id descending (one index serves the query both ways)', async () => {
        await putAll('rooms', [
          { id: 'r1', lastActivity: 5 },
          { id: 'r2', lastActivity: 7 },
          { id: 'r3', lastActivity: 5 },
          { id: 'r4', lastActivity: 7 },
          { id: 'r0', lastActivity: 5 },
        ]);
        const sort: SortKey[] = [{ field: 'lastActivity', direction: 'desc' }];
        expect(await findIds('rooms', { sort })).toEqual(['r4', 'r2', 'r3', 'r1', 'r0']);
        expect(await findIds('rooms', { sort, after: [7, 'r2'] })).toEqual(['r3', 'r1', 'r0']);
        expect(await findIds('rooms', { sort, after: [5, 'r3'], limit: 1 })).toEqual(['r1']);
        expect(await findIds('rooms', { sort, after: [7, 'r4'], limit: 2 })).toEqual(['r2', 'r3']);
        expect(await findIds('rooms', { sort, after: [5, 'r0'] })).toEqual([]);
        // An explicit id key keeps its own direction.
        const mixed: SortKey[] = [...sort, { field: 'id', direction: 'asc' }];
        expect(await findIds('rooms', { sort: mixed })).toEqual(['r2', 'r4', 'r0', 'r1', 'r3']);
        expect(await findIds('rooms', { sort: mixed, after: [7, 'r4'] })).toEqual(['r0', 'r1', 'r3']);
      });

      it('mixes directions across two fields with id explicitly descending', async () => {
        await putAll('rooms', [
          { id: 'a', group: 'x', score: 1 },
          { id: 'b', group: 'y', score: 2 },
          { id: 'c', group: 'x', score: 2 },
          { id: 'd', group: 'x', score: 2 },
          { id: 'e', group: 'y', score: 1 },
        ]);
        const sort: SortKey[] = [
          { field: 'group', direction: 'asc' },
          { field: 'score', direction: 'desc' },
          { field: 'id', direction: 'desc' },
        ];
        expect(await findIds('rooms', { sort })).toEqual(['d', 'c', 'a', 'b', 'e']);
        expect(await findIds('rooms', { sort, after: ['x', 2, 'd'] })).toEqual(['c', 'a', 'b', 'e']);
        expect(await findIds('rooms', { sort, after: ['x', 1, 'a'] })).toEqual(['b', 'e']);
      });

      it('sorts by id alone in either direction', async () => {
        await putAll('things', [{ id: 'b' }, { id: 'a' }, { id: 'c' }]);
        expect(await findIds('things')).toEqual(['a', 'b', 'c']);
        expect(await findIds('things', { sort: [{ field: 'id', direction: 'desc' }] })).toEqual(['c', 'b', 'a']);
        expect(await findIds('things', { sort: [{ field: 'id', direction: 'desc' }], after: ['b'] })).toEqual(['a']);
        expect(await findIds('things', { after: ['a'] })).toEqual(['b', 'c']);
      });

      it('limit', async () => {
        await putAll('things', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
        expect(await findIds('things', { limit: 2 })).toEqual(['a', 'b']);
        expect(await findIds('things', { limit: 10 })).toEqual(['a', 'b', 'c']);
        expect(await findIds('things', { limit: 0 })).toEqual([]);
        await expect(store.find('things', { limit: -1 })).rejects.toThrow();
      });

      it('rejects a cursor whose length differs from the sort keys plus id', async () => {
        await expect(
          store.find('rooms', { sort: [{ field: 'lastActivity', direction: 'desc' }], after: [3] }),
        ).rejects.toThrow(/cursor/i);
        await expect(store.find('rooms', { after: [] })).rejects.toThrow(/cursor/i);
      });

      describe('keyset paging visits every document once, in the unpaged order', () => {
        const ROOMS: Doc[] = Array.from({ length: 60 }, (_, i) => {
          const doc: Record<string, unknown> = {
            id: `r${String((i * 37) % 60).padStart(2, '0')}`,
            group: ['a', 'b', 'C'][i % 3],
            score: (i * 5) % 4,
            flag: i % 4 === 0,
          };
          if (i % 17 !== 0) doc.lastActivity = i % 11 === 0 ? null : (i * 7) % 13;
          return doc as Doc;
        });

        const SORTS: readonly (readonly SortKey[])[] = [
          [],
          [{ field: 'id', direction: 'desc' }],
          [{ field: 'lastActivity', direction: 'desc' }],
          [{ field: 'lastActivity', direction: 'asc' }],
          [
            { field: 'group', direction: 'asc' },
            { field: 'lastActivity', direction: 'desc' },
          ],
          [
            { field: 'group', direction: 'desc' },
            { field: 'score', direction: 'asc' },
            { field: 'lastActivity', direction: 'desc' },
          ],
          [
            { field: 'score', direction: 'desc' },
            { field: 'id', direction: 'desc' },
          ],
          [
            { field: 'flag', direction: 'asc' },
            { field: 'lastActivity', direction: 'asc' },
            { field: 'id', direction: 'desc' },
          ],
        ];
        const FILTERS: readonly (Filter | undefined)[] = [undefined, { group: { $ne: 'b' }, score: { $gte: 1 } }];

        const withId = withIdTieBreaker;

        // Reference order for the fixture's value types only (null, small numbers,
        // ASCII strings, booleans as 0/1), independent of either adapter.
        const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === 'string' ? 2 : 1);
        const num = (v: unknown) => (typeof v === 'boolean' ? Number(v) : (v as number));
        const referenceOrder = (docs: readonly Doc[], sort: readonly SortKey[]) =>
          [...docs].sort((a, b) => {
            for (const key of withId(sort)) {
              const x = a[key.field];
              const y = b[key.field];
              let c = rank(x) - rank(y);
              if (c === 0 && rank(x) === 1) c = num(x) - num(y);
              if (c === 0 && rank(x) === 2) c = (x as string) < (y as string) ? -1 : (x as string) > (y as string) ? 1 : 0;
              if (c !== 0) return key.direction === 'asc' ? c : -c;
            }
            return 0;
          });

        for (const sort of SORTS) {
          for (const filter of FILTERS) {
            const label = `${sort.map((k) => `${k.field} ${k.direction}`).join(', ') || '(id)'}${filter ? ', filtered' : ''}`;
            it(label, async () => {
              await putAll('rooms', ROOMS);
              const all = await findIds('rooms', { filter, sort });
              const matching = await store.count('rooms', filter);
              expect(all).toHaveLength(matching);
              const expected = referenceOrder(
                await store.getMany('rooms', all),
                sort,
              ).map((doc) => doc.id);
              expect(all).toEqual(expected);

              for (const pageSize of [1, 7]) {
                const seen: string[] = [];
                let after: Scalar[] | undefined;
                for (let guard = 0; guard <= all.length + 1; guard++) {
                  const page = await store.find('rooms', { filter, sort, after, limit: pageSize });
                  seen.push(...ids(page));
                  if (page.length < pageSize) break;
                  const last = page[page.length - 1]!;
                  after = withId(sort).map((key) => (last[key.field] ?? null) as Scalar);
                }
                expect(seen).toEqual(all);
              }
            });
          }
        }
      });
    });

    describe('commit and checkpoints', () => {
      it('getCheckpoint is null until committed, then the stored string', async () => {
        expect(await store.getCheckpoint('p@v1')).toBeNull();
        await store.commit([put('rooms', { id: 'r1' })], [{ name: 'p@v1', position: '10' }]);
        expect(await store.getCheckpoint('p@v1')).toBe('10');
        await store.commit([], [{ name: 'p@v1', position: '18446744073709551615' }, { name: 'q@v1', position: '3' }]);
        expect(await store.getCheckpoint('p@v1')).toBe('18446744073709551615');
        expect(await store.getCheckpoint('q@v1')).toBe('3');
        await store.commit([], [{ name: 'q@v1', position: null }]);
        expect(await store.getCheckpoint('q@v1')).toBeNull();
      });

      it('applies ops in order: the last write to an id wins', async () => {
        await store.commit(
          [put('rooms', { id: 'r1', v: 1 }), put('rooms', { id: 'r1', v: 2 }), put('rooms', { id: 'r2' }), del('rooms', 'r2')],
          [],
        );
        expect(await store.find('rooms')).toEqual([{ id: 'r1', v: 2 }]);
      });

      it('applies nothing when an op targets an unknown collection', async () => {
        await store.commit([put('rooms', { id: 'r0', v: 0 })], [{ name: 'p', position: '1' }]);
        await expect(
          store.commit(
            [put('rooms', { id: 'r1' }), put('rooms', { id: 'r0', v: 1 }), put('ghost', { id: 'g1' })],
            [{ name: 'p', position: '2' }],
          ),
        ).rejects.toThrow(/ghost/);
        expect(await store.get('rooms', 'r1')).toBeNull();
        expect(await store.get('rooms', 'r0')).toEqual({ id: 'r0', v: 0 });
        expect(await store.getCheckpoint('p')).toBe('1');
      });

      it('applies nothing when a unique index is violated midway', async () => {
        await store.commit([put('rooms', { id: 'r1', slug: 'general' })], [{ name: 'p', position: '1' }]);
        await expect(
          store.commit(
            [
              put('rooms', { id: 'r2', slug: 'random' }),
              del('rooms', 'r1'),
              put('rooms', { id: 'r1', slug: 'x' }),
              put('rooms', { id: 'r3', slug: 'random' }),
              put('rooms', { id: 'r4', slug: 'later' }),
            ],
            [{ name: 'p', position: '2' }, { name: 'other', position: '9' }],
          ),
        ).rejects.toThrow();
        expect(await store.find('rooms')).toEqual([{ id: 'r1', slug: 'general' }]);
        expect(await store.getCheckpoint('p')).toBe('1');
        expect(await store.getCheckpoint('other')).toBeNull();
        // The unique index itself must be intact after the rollback.
        await expect(putAll('rooms', [{ id: 'r9', slug: 'general' }])).rejects.toThrow();
        await putAll('rooms', [{ id: 'r9', slug: 'random' }]);
      });

      it('unique indexes allow many null or missing values and check ops one at a time', async () => {
        await putAll('rooms', [{ id: 'r1' }, { id: 'r2', slug: null }, { id: 'r3', slug: null }, { id: 'r4', slug: 'a' }]);
        // Moving a value within one commit works when the earlier op frees it first.
        await store.commit([put('rooms', { id: 'r4', slug: 'b' }), put('rooms', { id: 'r1', slug: 'a' })], []);
        await store.commit([del('rooms', 'r1'), put('rooms', { id: 'r5', slug: 'a' })], []);
        expect(await findIds('rooms', { filter: { slug: 'a' } })).toEqual(['r5']);
        // Updating a document without changing its unique value is not a conflict.
        await putAll('rooms', [{ id: 'r5', slug: 'a', title: 'renamed' }]);
      });

      it('enforces compound unique indexes on the whole tuple', async () => {
        await putAll('members', [
          { id: 'm1', roomId: 'r1', userId: 'u1' },
          { id: 'm2', roomId: 'r1', userId: 'u2' },
          { id: 'm3', roomId: 'r2', userId: 'u1' },
        ]);
        await expect(putAll('members', [{ id: 'm4', roomId: 'r1', userId: 'u1' }])).rejects.toThrow();
        expect(await store.count('members')).toBe(3);
      });

      it('commits 10,000 puts in one go', async () => {
        const docs = Array.from({ length: 10_000 }, (_, i) => ({
          id: `r${String(i).padStart(5, '0')}`,
          lastActivity: i % 100,
          slug: `room-${i}`,
          title: `Room ${i}`,
          members: [`u${i % 7}`, `u${i % 11}`],
        }));
        const started = Date.now();
        await store.commit(
          docs.map((doc) => put('rooms', doc)),
          [{ name: 'rooms@v1', position: '10000' }],
        );
        const elapsed = Date.now() - started;
        expect(await store.count('rooms')).toBe(10_000);
        expect(await store.count('rooms', { lastActivity: 42 })).toBe(100);
        expect(await store.get('rooms', 'r09999')).toEqual(docs[9999]);
        expect(await store.getCheckpoint('rooms@v1')).toBe('10000');
        // Generous: a commit per put, or none at all, is far slower than this on any machine.
        expect(elapsed).toBeLessThan(5000);
      });
    });

    describe('reset', () => {
      it('empties the named collections and drops the named checkpoints only', async () => {
        await store.commit(
          [put('rooms', { id: 'r1', slug: 'a' }), put('things', { id: 't1' })],
          [
            { name: 'p1', position: '5' },
            { name: 'p2', position: '6' },
          ],
        );
        await store.reset(['rooms'], ['p1']);
        expect(await store.count('rooms')).toBe(0);
        expect(await store.get('rooms', 'r1')).toBeNull();
        expect(await store.get('things', 't1')).toEqual({ id: 't1' });
        expect(await store.getCheckpoint('p1')).toBeNull();
        expect(await store.getCheckpoint('p2')).toBe('6');
      });

      it('keeps the collection usable with its indexes', async () => {
        await putAll('rooms', [{ id: 'r1', slug: 'a' }]);
        await store.reset(['rooms'], []);
        await putAll('rooms', [{ id: 'r2', slug: 'a' }]);
        await expect(putAll('rooms', [{ id: 'r3', slug: 'a' }])).rejects.toThrow();
        expect(await findIds('rooms')).toEqual(['r2']);
      });

      it('ignores collections that were never ensured', async () => {
        await expect(store.reset(['neverEnsured'], ['nothing'])).resolves.toBeUndefined();
      });
    });

    describe('leases and fencing tokens', () => {
      const TTL = 10_000;
      const T0 = 1_000_000;

      it('gives a free lease to one holder, renews it with the same token, and refuses another holder while it runs', async () => {
        const first = await store.acquireLease('projector', 'a', TTL, T0);
        expect(first).toEqual({ name: 'projector', holder: 'a', token: 1, expiresAt: T0 + TTL });
        expect(await store.acquireLease('projector', 'b', TTL, T0 + 1)).toBeNull();
        expect(await store.acquireLease('projector', 'a', TTL, T0 + 5_000)).toEqual({ name: 'projector', holder: 'a', token: 1, expiresAt: T0 + 5_000 + TTL });
        expect(await store.acquireLease('projector', 'b', TTL, T0 + TTL + 1)).toBeNull();
        expect(await store.getLease('projector')).toMatchObject({ holder: 'a', token: 1 });
        // Leases are per name: the webhook worker's is another.
        expect(await store.acquireLease('webhooks', 'b', TTL, T0)).toMatchObject({ holder: 'b', token: 1 });
      });

      it('hands an expired or released lease to the next holder with a greater token; the old holder cannot renew it', async () => {
        await store.acquireLease('projector', 'a', TTL, T0);
        const taken = await store.acquireLease('projector', 'b', TTL, T0 + TTL);
        expect(taken).toMatchObject({ holder: 'b', token: 2 });
        expect(await store.acquireLease('projector', 'a', TTL, T0 + TTL + 1)).toBeNull();
        await store.releaseLease('projector', 'a', 1);
        expect(await store.getLease('projector')).toMatchObject({ holder: 'b', token: 2 });
        await store.releaseLease('projector', 'b', 2);
        expect(await store.acquireLease('projector', 'a', TTL, T0 + TTL + 2)).toMatchObject({ holder: 'a', token: 3 });
      });

      it('two projectors at once: exactly one holds the lease and writes; the other\'s writes are refused by the token', async () => {
        const [a, b] = await Promise.all([store.acquireLease('projector', 'a', TTL, T0), store.acquireLease('projector', 'b', TTL, T0)]);
        expect([a, b].filter((lease) => lease !== null)).toHaveLength(1);
        const winner = (a ?? b)!;
        const loserToken = winner.token - 1;
        await store.commit([put('things', { id: 'w', by: winner.holder })], [{ name: 'p', position: '10' }], { lease: 'projector', token: winner.token });
        const refused = await store
          .commit([put('things', { id: 'w', by: 'loser' }), put('things', { id: 'l' })], [{ name: 'p', position: '3' }], { lease: 'projector', token: loserToken })
          .then(() => null, (error: unknown) => error);
        expect(refused).toBeInstanceOf(FencedOutError);
        expect(await store.get('things', 'w')).toEqual({ id: 'w', by: winner.holder });
        expect(await store.get('things', 'l')).toBeNull();
        expect(await store.getCheckpoint('p')).toBe('10');
        await expect(store.reset(['things'], ['p'], { lease: 'projector', token: loserToken })).rejects.toBeInstanceOf(FencedOutError);
        expect(await store.count('things')).toBe(1);
      });

      it('lease loss mid-batch: the first half commits, the rest is refused whole once another took the lease', async () => {
        const lease = (await store.acquireLease('projector', 'a', TTL, T0))!;
        const fence = { lease: 'projector', token: lease.token };
        await store.commit([put('things', { id: 'e1' })], [{ name: 'p', position: '1' }], fence);
        const next = (await store.acquireLease('projector', 'b', TTL, T0 + TTL))!;
        await expect(store.commit([put('things', { id: 'e2' })], [{ name: 'p', position: '2' }], fence)).rejects.toBeInstanceOf(FencedOutError);
        expect(await findIds('things')).toEqual(['e1']);
        expect(await store.getCheckpoint('p')).toBe('1');
        await store.commit([put('things', { id: 'e2' })], [{ name: 'p', position: '2' }], { lease: 'projector', token: next.token });
        expect(await findIds('things')).toEqual(['e1', 'e2']);
      });

      it('refuses a fenced write under a lease never taken; unfenced writes are not checked', async () => {
        await expect(store.commit([put('things', { id: 'x' })], [], { lease: 'nobody', token: 1 })).rejects.toBeInstanceOf(FencedOutError);
        await store.commit([put('things', { id: 'x' })], []);
        expect(await findIds('things')).toEqual(['x']);
      });
    });

    describe('unknown collections', () => {
      it('read as empty', async () => {
        expect(await store.find('ghost')).toEqual([]);
        expect(await store.find('ghost', { filter: { a: 1 }, sort: [{ field: 'a', direction: 'desc' }], limit: 3 })).toEqual([]);
        expect(await store.get('ghost', 'x')).toBeNull();
        expect(await store.getMany('ghost', ['x'])).toEqual([]);
        expect(await store.count('ghost')).toBe(0);
        expect(await store.count('ghost', { a: { $gt: 1 } })).toBe(0);
      });

      it('reject writes with a clear error', async () => {
        await expect(store.commit([put('ghost', { id: 'x' })], [])).rejects.toThrow(/unknown collection "ghost"/i);
        await expect(store.commit([del('ghost', 'x')], [])).rejects.toThrow(/unknown collection "ghost"/i);
      });
    });

    it('rejects calls after close', async () => {
      await store.close();
      await expect(store.get('rooms', 'r1')).rejects.toThrow();
      await expect(store.commit([], [])).rejects.toThrow();
    });
  });
}

/**
 * The timeline, room list and contact queries are answered from an index in
 * their sort order: no SORT stage (a sort in memory over everything matched)
 * and no COLLSCAN, with enough documents that the planner has a choice.
 */
function indexedQueryPlans<S extends ReadStore>(name: string, create: () => Promise<S>, plans: PlanInspection<S>): void {
  describe(`ReadStore conformance: ${name}: hot queries use indexes`, () => {
    let store: S;

    beforeAll(async () => {
      store = await create();
      await store.ensureCollections(plans.specs);
      const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
      const ops: WriteOp[] = [];
      for (const room of ['r1', 'r2', 'r3']) {
        for (let ord = 1; ord <= 200; ord++) {
          ops.push({
            kind: 'put',
            collection: 'timeline',
            doc: { id: `${room}:${ord}`, roomId: room, ord, seq: ord, createdAt: at(ord), senderId: 'u1', text: 'hello' },
          });
        }
      }
      for (const user of ['u1', 'u2']) {
        for (let i = 0; i < 60; i++) {
          ops.push({
            kind: 'put',
            collection: 'memberships',
            doc: { id: `${user}:r${i}`, userId: user, roomId: `r${i}`, active: i % 7 !== 0, lastActivityAt: at(i), joinedAt: at(i) },
          });
          const contact = `c${String(i).padStart(3, '0')}`;
          ops.push({
            kind: 'put',
            collection: 'contacts',
            doc: { id: `${user}:${contact}`, ownerId: user, contactId: contact, userId: i % 2 === 0 ? `u${i}` : null },
          });
        }
      }
      await store.commit(ops, []);
    });

    afterAll(async () => {
      await store.close();
    });

    it.each(INDEXED_QUERIES.map((query) => [query.label, query] as const))('%s: no SORT, no COLLSCAN', async (_label, query) => {
      const { stages, indexes } = await plans.planStages(store, query.collection, query.options);
      expect(stages).not.toContain('SORT');
      expect(stages).not.toContain('COLLSCAN');
      expect(indexes.length).toBeGreaterThan(0);
      // And the answer is the one the query asks for.
      expect((await store.find(query.collection, query.options)).length).toBeGreaterThan(0);
    });
  });
}

import { MongoClient } from 'mongodb';
import { databaseFromUrl } from '../mongo/mongo-connection';
import { startMongoReplicaSet, type StartedServer } from '../../test/support/production-containers';
import { StoreUnavailableError, type StoreLogger } from '../config/store-connection';
import { readStoreConformance } from './conformance/read-store.conformance';
import {
  MongoReadStore,
  buildFilter,
  buildFind,
  fromStored,
  planStages,
  positionKey,
  toStored,
} from './mongo-read-store';
import { parleyProjections } from '../../projections';
import type { Doc } from './read-store.port';

/*
 * MongoDB runs here through testcontainers where a container runtime exists
 * (test/global-setup.ts probes once); elsewhere the server suites skip with one
 * line saying why. What needs no server runs everywhere.
 */
const runtime = process.env['PARLEY_CONTAINER_RUNTIME'] === 'yes';
const withServer = runtime ? describe : describe.skip;
if (!runtime) {
  console.log(
    `[parley] MongoDB conformance skipped: no container runtime (${process.env['PARLEY_CONTAINER_RUNTIME_REASON'] || 'not probed'})`,
  );
}

describe('MongoReadStore without a server', () => {
  it('stores top-level nulls as absent and booleans as 1/0, and reads them back as written', () => {
    const doc: Doc = {
      id: 'r1',
      _position: '42',
      flag: true,
      off: false,
      none: null,
      nested: { keep: null, yes: true, list: [null, false] },
      gone: undefined,
      n: -0,
    };
    const stored = toStored(doc);
    expect(stored).toEqual({
      _id: 'r1',
      _position: '42',
      _positionKey: '42'.padStart(40, '0'),
      flag: 1,
      off: 0,
      nested: { keep: null, yes: true, list: [null, false] },
      n: 0,
      _nulls: ['none'],
      _bools: ['flag', 'off'],
    });
    expect(Object.is(stored['n'], 0)).toBe(true);
    // What SQLite would give back: JSON's view of the document.
    expect(fromStored(stored)).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('rejects documents without an id or using a reserved field name', () => {
    expect(() => toStored({ id: '' })).toThrow(/id/);
    expect(() => toStored({ id: 'x', _positionKey: 'y' })).toThrow(/reserved/);
    expect(() => toStored({ id: 'x', _position: 'not a number' })).toThrow(/_position/);
  });

  it('pads positions so that string order is numeric order beyond 2^64', () => {
    const positions = ['0', '9', '10', '18446744073709551615', '18446744073709551616', ((1n << 128n) - 1n).toString()];
    const keys = positions.map(positionKey);
    expect([...keys].sort()).toEqual(keys);
    expect(() => positionKey('1'.repeat(41))).toThrow();
  });

  it('translates filters to stored fields and values', () => {
    expect(buildFilter({ id: 'a', flag: true, tag: null })).toEqual({ $and: [{ _id: 'a' }, { flag: 1 }, { tag: null }] });
    expect(buildFilter({ tag: { $in: [] } })).toEqual({ _id: { $in: [] } });
    expect(buildFilter({ n: { $gte: null } })).toEqual({ _id: { $in: [] } });
    // Every string sorts above every number, as in SQLite: a numeric lower bound admits strings.
    expect(buildFilter({ n: { $gt: 1 } })).toEqual({ $or: [{ n: { $gt: 1 } }, { n: { $type: 'string' } }] });
    expect(() => buildFilter({ 'a.b': 1 })).toThrow(/field/i);
    // $contains: a literal, case-sensitive regular expression over strings only (arrays excluded, as in SQLite).
    expect(buildFilter({ key: { $contains: 'a.b*(c)' } })).toEqual({
      key: { $regex: 'a\\.b\\*\\(c\\)', $not: { $type: 'array' } },
    });
    expect(buildFind({ offset: 3, limit: 2 })).toMatchObject({ offset: 3, limit: 2 });
    expect(() => buildFind({ offset: -1 })).toThrow(/offset/);
    expect(() => buildFilter({ id: 3 })).toThrow(/id/);
    const query = buildFind({ sort: [{ field: 'lastActivity', direction: 'desc' }], after: [5, 'r0'], limit: 2 });
    // The tie-breaker follows the last key's direction, so one ascending index serves the sort backwards.
    expect(query.sort).toEqual({ lastActivity: -1, _id: -1 });
    // A loose bound on the first key gives the index scan its start; the $or is exact.
    expect(query.filter).toEqual({
      $and: [
        { lastActivity: { $not: { $gt: 5 } } },
        { $or: [{ $or: [{ lastActivity: { $lt: 5 } }, { lastActivity: null }] }, { $and: [{ lastActivity: 5 }, { _id: { $lt: 'r0' } }] }] },
      ],
    });
    expect(buildFind({ sort: [{ field: 'name', direction: 'asc' }], after: ['m', 'x'] }).filter).toEqual({
      $and: [{ name: { $not: { $lt: 'm' } } }, { $or: [{ name: { $gt: 'm' } }, { $and: [{ name: 'm' }, { _id: { $gt: 'x' } }] }] }],
    });
  });

  it('reads the stage and index names of a winning plan, classic or slot-based', () => {
    const ixscan = { stage: 'IXSCAN', indexName: 'ix__roomId__ord__id', direction: 'backward' };
    const classic = { queryPlanner: { winningPlan: { stage: 'LIMIT', inputStage: { stage: 'FETCH', inputStage: ixscan } } } };
    expect(planStages(classic)).toEqual({ stages: ['LIMIT', 'FETCH', 'IXSCAN'], indexes: ['ix__roomId__ord__id'] });
    const slotBased = {
      queryPlanner: { winningPlan: { queryPlan: { stage: 'SORT', inputStage: { stage: 'COLLSCAN' } }, slotBasedPlan: {} } },
    };
    expect(planStages(slotBased)).toEqual({ stages: ['SORT', 'COLLSCAN'], indexes: [] });
    const or = { queryPlanner: { winningPlan: { stage: 'SORT_MERGE', inputStages: [ixscan, { stage: 'IXSCAN', indexName: 'b' }] } } };
    expect(planStages(or).stages).toEqual(['SORT_MERGE', 'IXSCAN', 'IXSCAN']);
  });

  it('takes the database from the URL, else none', () => {
    expect(databaseFromUrl('mongodb://mongo:27017/parley?replicaSet=rs0')).toBe('parley');
    expect(databaseFromUrl('mongodb://a:1,b:2/app')).toBe('app');
    expect(databaseFromUrl('mongodb://mongo:27017/?replicaSet=rs0')).toBeNull();
    expect(databaseFromUrl('mongodb://mongo:27017')).toBeNull();
  });

  describe('with the server unreachable', () => {
    const url = 'mongodb://parley:secret@127.0.0.1:1/parley?serverSelectionTimeoutMS=300';
    const shown = 'mongodb://parley:***@127.0.0.1:1/parley?serverSelectionTimeoutMS=300';
    let store: MongoReadStore;
    let warnings: string[];

    beforeEach(() => {
      warnings = [];
      const logger: StoreLogger = { log: () => undefined, warn: (message) => warnings.push(message) };
      store = new MongoReadStore({ url, logger });
    });

    afterEach(async () => {
      await store.close();
    });

    it('fails calls with an error naming the URL without its password, logs one line, and reports itself down', async () => {
      for (let i = 0; i < 2; i++) {
        const error: unknown = await store.get('rooms', 'r1').catch((rejection: unknown) => rejection);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toContain(shown);
        expect((error as Error).message).not.toContain('secret');
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`MongoDB at ${shown} is unreachable`);
      expect(store.connectionStatus()).toMatchObject({ store: 'MongoDB', url: shown, state: 'down' });
    });

    it('makes ensureCollections wait for the server instead of failing, until closed', async () => {
      let settled = false;
      const waiting = store.ensureCollections([{ name: 'rooms', indexes: [] }]).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(settled).toBe(false);
      expect(warnings).toHaveLength(1);
      await store.close();
      await expect(waiting).rejects.toThrow(/closed/);
    });
  });
});

withServer('MongoReadStore on MongoDB 7 (testcontainers)', () => {
  let container: StartedServer | undefined;
  let url = '';
  let databases = 0;
  const fresh = (): MongoReadStore => new MongoReadStore({ url, database: `parley_test_${++databases}` });

  beforeAll(async () => {
    container = await startMongoReplicaSet();
    url = container.url;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  readStoreConformance('MongoReadStore', async () => fresh(), {
    specs: parleyProjections.flatMap((projection) => projection.collections),
    planStages: (store, collection, options) => store.planStages(collection, options),
  });

  describe('adapter specifics', () => {
    let store: MongoReadStore;
    let raw: MongoClient;
    let database: string;

    beforeEach(async () => {
      database = `parley_specific_${++databases}`;
      store = new MongoReadStore({ url, database });
      raw = new MongoClient(url);
      await store.ensureCollections([{ name: 'users', indexes: [{ fields: ['usernameKey'], unique: true }] }]);
    });

    afterEach(async () => {
      await store.close();
      await raw.close();
    });

    const put = (doc: Doc) => store.commit([{ kind: 'put', collection: 'users', doc }], []);

    it('guards every put by position: a redelivered older write changes nothing', async () => {
      await put({ id: 'u1', _position: '5', v: 'five' });
      await put({ id: 'u1', _position: '3', v: 'three' });
      expect(await store.get('users', 'u1')).toEqual({ id: 'u1', _position: '5', v: 'five' });
      // Positions beyond 2^64 (EventStoreDB's packed ones) compare as numbers, not as text.
      await put({ id: 'u1', _position: '18446744073709551616', v: 'big' });
      await put({ id: 'u1', _position: '9', v: 'nine' });
      expect(await store.get('users', 'u1')).toEqual({ id: 'u1', _position: '18446744073709551616', v: 'big' });
    });

    it('stores booleans as 1/0 and omits nulls, and says so in internal fields it never returns', async () => {
      await put({ id: 'u1', _position: '7', admin: true, nick: null });
      const stored = await raw.db(database).collection('users').findOne({ _id: 'u1' as never });
      expect(stored).toMatchObject({ admin: 1, _bools: ['admin'], _nulls: ['nick'], _positionKey: '7'.padStart(40, '0') });
      expect(stored).not.toHaveProperty('nick');
      expect(await store.get('users', 'u1')).toEqual({ id: 'u1', _position: '7', admin: true, nick: null });
    });

    it('answers an equality query on a unique field from its partial index', async () => {
      await store.commit(
        Array.from({ length: 50 }, (_, i) => ({ kind: 'put' as const, collection: 'users', doc: { id: `u${i}`, usernameKey: `name${i}` } })),
        [],
      );
      const plan = await raw.db(database).collection('users').find({ usernameKey: 'name7' }).explain('queryPlanner');
      expect(JSON.stringify(plan)).toContain('ux__usernameKey');
    });

    it('writes checkpoints in the same transaction as the documents', async () => {
      await expect(
        store.commit(
          [
            { kind: 'put', collection: 'users', doc: { id: 'a', usernameKey: 'same' } },
            { kind: 'put', collection: 'users', doc: { id: 'b', usernameKey: 'same' } },
          ],
          [{ name: 'users@v1', position: '3' }],
        ),
      ).rejects.toThrow(/rolled back/);
      expect(await store.getCheckpoint('users@v1')).toBeNull();
      expect(await store.count('users')).toBe(0);
    });
  });
});

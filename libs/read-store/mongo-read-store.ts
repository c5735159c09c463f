import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
  type Filter as MongoFilter,
  type IndexDescription,
  type Sort,
} from 'mongodb';
import {
  StoreUnavailableError,
  describeError,
  type ConnectionMonitor,
  type MonitoredStore,
  type StoreLogger,
  type StoreStatus,
} from '../config/store-connection';
import { MongoConnection, type GuardOptions } from '../mongo/mongo-connection';
import { assertCollectionName, assertField, assertIndex } from './names';
import { CommitTooLargeError, FencedOutError, pickFields, withIdTieBreaker } from './read-store.port';
import type {
  Checkpoint,
  CollectionSpec,
  Doc,
  Fence,
  Lease,
  FieldCondition,
  Filter,
  FindOptions,
  IndexSpec,
  ReadStore,
  Scalar,
  SortKey,
  WriteOp,
} from './read-store.port';

/*
 * ReadStore on MongoDB (official driver): one collection per read-store
 * collection, `_id` = the document's id.
 *
 * Same answers as SQLite. The conformance suite pins queries to SQLite's rules
 * for json_extract values: missing ≡ null, booleans are 1 and 0, NULL <
 * numbers < strings, strings in UTF-8 byte order, NULL first ascending. Three
 * storage rules make MongoDB's native comparisons (and so its indexes) give
 * those answers on the top-level fields that filters and sorts can name:
 * - a top-level null is not stored (its name goes to `_nulls`), so null and
 *   missing are one thing to every query and every index;
 * - a top-level boolean is stored as 1 or 0 (its name goes to `_bools`), so it
 *   compares and sorts as SQLite's integer does;
 * - documents go through JSON first, exactly as SQLite stores them.
 * Reads undo the first two. Ranges and cursors spell out the cross-type cases
 * MongoDB's type bracketing would drop (a number bound below strings, NULL
 * after everything descending). Not mirrored: objects and arrays, which SQLite
 * compares as JSON text and MongoDB by structure; no projection filters or
 * sorts on those.
 *
 * Unique indexes are partial (`$exists` on each field): with nulls unstored,
 * documents with a null or missing value never collide, as in SQLite.
 *
 * Writes. `commit` runs as one transaction where the deployment has them (a
 * replica set or sharded cluster, which the production profile is): ordered
 * bulk writes per collection, then the checkpoints. Every put that carries a
 * `_position` is guarded: it replaces the stored document only when that has
 * no `_positionKey` (the position zero-padded to 40 digits, so that string
 * order is numeric order for positions beyond 2^64) or one not greater than
 * its own, so a redelivered batch changes nothing that a later one wrote.
 *
 * A standalone server has no transactions, and position guards do not make a
 * partial multi-document commit harmless (a timeline's order counter ends up
 * duplicated or skipped after a crash part-way). So the store refuses to write
 * on one (decision 0022) unless the operator opts in (`allowStandalone`,
 * MONGODB_ALLOW_STANDALONE=true); then the same writes run in order without a
 * transaction, checkpoints last.
 */

export interface MongoReadStoreOptions {
  /** `mongodb://host:27017/parley?replicaSet=rs0`; the database is the URL's, else `parley`. */
  readonly url: string;
  /** Overrides the URL's database (the conformance suite uses one per test). */
  readonly database?: string;
  readonly logger?: StoreLogger;
  /** The longest one call may take (MONGODB_DEADLINE_MS); default 10 s. */
  readonly deadlineMs?: number;
  /**
   * Write on a standalone server (no transactions) although a commit that
   * stops part-way leaves some of its documents written. Off by default.
   */
  readonly allowStandalone?: boolean;
  /** Most writes (documents and checkpoints) in one commit's transaction; default 10,000. */
  readonly maxCommitOps?: number;
  /** Most bytes of stored documents in one commit's transaction; default 16 MiB. */
  readonly maxCommitBytes?: number;
}

/** MongoDB's largest document (BSON), as JSON bytes: a document beyond it is refused before sending. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/**
 * Whether a commit fits one transaction. MongoDB advises keeping transactions
 * small (the whole transaction is held in the cache, must finish within
 * transactionLifetimeLimitSeconds, 60 s by default) and stores no document
 * beyond 16 MiB; sizes are the documents' JSON bytes, close to their BSON.
 * Throws CommitTooLargeError, which the projector answers by splitting its
 * batch rather than retrying it.
 */
export function assertCommitFits(
  docBytes: readonly number[],
  writes: number,
  limits: { readonly maxOps: number; readonly maxBytes: number },
): void {
  const bytes = docBytes.reduce((sum, size) => sum + size, 0);
  const largest = docBytes.reduce((max, size) => Math.max(max, size), 0);
  if (largest > MAX_DOCUMENT_BYTES) {
    throw new CommitTooLargeError(writes, bytes, `a document of ${largest} bytes exceeds MongoDB's 16 MiB document limit`);
  }
  if (writes > limits.maxOps) {
    throw new CommitTooLargeError(writes, bytes, `more than ${limits.maxOps} writes in one transaction`);
  }
  if (bytes > limits.maxBytes) {
    throw new CommitTooLargeError(writes, bytes, `more than ${limits.maxBytes} bytes of documents in one transaction`);
  }
}

/** What a server's `hello` answer says about transactions. */
export type MongoTopology = 'replica-set' | 'sharded' | 'standalone';

export function topologyOf(hello: Readonly<Record<string, unknown>>): MongoTopology {
  if (typeof hello['setName'] === 'string' && hello['setName'] !== '') return 'replica-set';
  if (hello['msg'] === 'isdbgrid') return 'sharded';
  return 'standalone';
}

/** The server cannot give Parley's read store what it needs; not worth retrying. */
export class MongoStandaloneError extends Error {
  constructor(readonly url: string) {
    super(
      `MongoDB at ${url} is a standalone server: it has no transactions, so a projector batch that stops ` +
        'part-way would leave some of its read-model documents written and others not (a room timeline\'s ' +
        'order counter duplicated or skipped). Run MongoDB as a replica set (one member is enough: start mongod ' +
        'with --replSet rs0, run rs.initiate() once, add ?replicaSet=rs0 to READ_STORE_URL), or set ' +
        'MONGODB_ALLOW_STANDALONE=true to accept that risk.',
    );
    this.name = 'MongoStandaloneError';
  }
}

/**
 * Whether commits run in a transaction: yes on a replica set or a sharded
 * cluster; on a standalone server only with the operator's opt-in, without.
 */
export function commitMode(
  hello: Readonly<Record<string, unknown>>,
  allowStandalone: boolean,
  url: string,
): 'transaction' | 'no-transaction' {
  if (topologyOf(hello) !== 'standalone') return 'transaction';
  if (allowStandalone) return 'no-transaction';
  throw new MongoStandaloneError(url);
}

const CHECKPOINTS = 'checkpoints';
const POSITION_KEY = '_positionKey';
const NULLS = '_nulls';
const BOOLS = '_bools';
const INTERNAL = new Set(['_id', POSITION_KEY, NULLS, BOOLS]);
const POSITION_DIGITS = 40;
const RANGE_OPS = ['$gt', '$gte', '$lt', '$lte'] as const;
type RangeOp = (typeof RANGE_OPS)[number];
/** A condition no document satisfies (every document has an `_id`). */
const NOTHING: Query = { _id: { $in: [] } };

/** A document as MongoDB stores it. */
type StoredDoc = Document & { _id: string };
type Query = MongoFilter<StoredDoc>;
interface StoredCheckpoint {
  _id: string;
  position: string | null;
}

/** A lease: `commits` is bumped by every fenced commit, inside its transaction, so a takeover conflicts with it. */
interface StoredLease {
  _id: string;
  holder: string;
  token: number;
  expiresAt: number;
  commits?: number;
}

const LEASES = 'leases';
const DUPLICATE_KEY = 11000;

const toLease = (stored: StoredLease): Lease => ({ name: stored._id, holder: stored.holder, token: stored.token, expiresAt: stored.expiresAt });

export class MongoReadStore implements ReadStore, MonitoredStore {
  readonly monitor: ConnectionMonitor;
  private readonly mongo: MongoConnection;
  private readonly db: Db;
  /** Collections known to exist: lower-cased name (SQLite's table names are case-insensitive) → name. */
  private readonly known = new Map<string, string>();
  private readonly specs = new Map<string, CollectionSpec>();
  private transactions: Promise<boolean> | null = null;
  private closed = false;
  private readonly allowStandalone: boolean;
  private readonly commitLimits: { readonly maxOps: number; readonly maxBytes: number };
  /** The URL without its password, for errors. */
  private readonly safeUrl: string;

  constructor(options: MongoReadStoreOptions) {
    this.mongo = new MongoConnection({
      url: options.url,
      database: options.database,
      store: 'MongoDB',
      appName: 'parley',
      deadlineMs: options.deadlineMs,
      logger: options.logger,
    });
    this.db = this.mongo.db;
    this.allowStandalone = options.allowStandalone ?? false;
    this.commitLimits = { maxOps: options.maxCommitOps ?? 10_000, maxBytes: options.maxCommitBytes ?? 16 * 1024 * 1024 };
    this.monitor = this.mongo.monitor;
    this.safeUrl = this.monitor.url;
  }

  connect(): Promise<void> {
    return this.monitor.connect();
  }

  connectionStatus(): StoreStatus {
    return this.monitor.status();
  }

  async ensureCollections(specs: readonly CollectionSpec[]): Promise<void> {
    this.assertOpen();
    for (const spec of specs) {
      assertCollectionName(spec.name);
      for (const index of spec.indexes) assertIndex(index);
    }
    // The projector starts here: wait for the server quietly (the monitor logs once).
    await this.connect();
    this.assertOpen();
    // Refused here, where the projector starts, rather than at its first batch.
    await this.supportsTransactions();
    // Index builds on a large collection rightly take longer than any deadline.
    await this.guard(async () => {
      const existing = new Set(await this.collectionNames(true));
      // Created up front: implicit creation inside a transaction is best avoided.
      if (!existing.has(CHECKPOINTS)) await this.createCollection(CHECKPOINTS);
      if (!existing.has(LEASES)) await this.createCollection(LEASES);
      for (const spec of specs) {
        const name = this.known.get(spec.name.toLowerCase()) ?? spec.name;
        if (!existing.has(name)) await this.createCollection(name);
        const indexes = spec.indexes.map(indexDescription).filter((index): index is IndexDescription => index !== null);
        if (indexes.length > 0) await this.db.collection(name).createIndexes(indexes);
        this.known.set(name.toLowerCase(), name);
        const previous = this.specs.get(name.toLowerCase());
        this.specs.set(name.toLowerCase(), {
          name,
          indexes: [...(previous?.indexes ?? []), ...spec.indexes],
        });
      }
    }, { deadline: false });
  }

  async get(collection: string, id: string): Promise<Doc | null> {
    this.assertOpen();
    const target = this.collection(collection);
    const stored = await this.guard(() => target.findOne({ _id: id }));
    return stored === null ? null : fromStored(stored);
  }

  async getMany(collection: string, ids: readonly string[]): Promise<Doc[]> {
    this.assertOpen();
    const target = this.collection(collection);
    if (ids.length === 0) return [];
    const found = await this.guard(() => target.find({ _id: { $in: [...new Set(ids)] } }).toArray());
    const byId = new Map(found.map((stored) => [stored._id, stored]));
    const result: Doc[] = [];
    for (const id of ids) {
      const stored = byId.get(id);
      if (stored !== undefined) result.push(fromStored(stored));
    }
    return result;
  }

  async find(collection: string, options: FindOptions = {}): Promise<Doc[]> {
    this.assertOpen();
    const query = buildFind(options);
    const target = this.collection(collection);
    if (query.limit === 0) return [];
    const cursor = target.find(query.filter).sort(query.sort);
    if (query.offset > 0) cursor.skip(query.offset);
    if (query.limit !== undefined) cursor.limit(query.limit);
    const fields = options.fields;
    if (fields) {
      for (const field of fields) assertField(field);
      cursor.project({ _id: 1, _nulls: 1, _bools: 1, ...Object.fromEntries(fields.map((field) => [field, 1])) });
    }
    const found = await this.guard(() => cursor.toArray());
    return fields ? found.map((doc) => pickFields(fromStored(doc), fields)) : found.map(fromStored);
  }

  /**
   * The stages of the plan MongoDB picks for `find(collection, options)`, outermost
   * first (`LIMIT`, `FETCH`, `IXSCAN`, ...): a `SORT` or `COLLSCAN` among them
   * means the query is not answered from an index in its order (decision 0022).
   */
  async planStages(collection: string, options: FindOptions = {}): Promise<{ stages: string[]; indexes: string[] }> {
    this.assertOpen();
    const query = buildFind(options);
    const cursor = this.collection(collection).find(query.filter).sort(query.sort);
    if (query.offset > 0) cursor.skip(query.offset);
    if (query.limit !== undefined && query.limit > 0) cursor.limit(query.limit);
    const explained = await this.guard(() => cursor.explain('queryPlanner'));
    return planStages(explained);
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    this.assertOpen();
    const query = buildFilter(filter);
    const target = this.collection(collection);
    return this.guard(() => target.countDocuments(query));
  }

  async commit(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[], fence?: Fence): Promise<void> {
    this.assertOpen();
    // Everything is checked, and every document converted, before anything is written.
    const groups = new Map<string, AnyBulkWriteOperation<StoredDoc>[]>();
    const pending: { op: WriteOp; name: string }[] = [];
    for (const op of ops) {
      if (op.kind !== 'put' && op.kind !== 'delete') {
        throw new Error(`Unknown write op kind ${JSON.stringify((op as { kind: unknown }).kind)}`);
      }
      assertCollectionName(op.collection);
      pending.push({ op, name: op.collection });
    }
    for (const checkpoint of checkpoints) assertCheckpoint(checkpoint);
    await this.guard(async () => {
      for (const entry of pending) {
        const name = await this.existing(entry.name);
        if (name === null) throw new Error(`Unknown collection "${entry.name}": call ensureCollections first`);
        let group = groups.get(name);
        if (group === undefined) {
          group = [];
          groups.set(name, group);
        }
        group.push(toWrite(entry.op));
      }
    });
    const docBytes = pending.flatMap(({ op }) => (op.kind === 'put' ? [Buffer.byteLength(JSON.stringify(op.doc))] : []));
    assertCommitFits(docBytes, pending.length + checkpoints.length, this.commitLimits);
    const checkpointWrites: AnyBulkWriteOperation<StoredCheckpoint>[] = checkpoints.map((checkpoint) => ({
      updateOne: {
        filter: { _id: checkpoint.name },
        update: { $set: { position: checkpoint.position } },
        upsert: true,
      },
    }));
    if (groups.size === 0 && checkpointWrites.length === 0) return;
    const write = async (session: ClientSession | undefined): Promise<void> => {
      // First, in the same transaction: a writer that lost the lease writes nothing, and a
      // takeover racing this commit conflicts on the lease document, so one of the two aborts.
      if (fence !== undefined) await this.touchFence(fence, session);
      // Ordered, so a unique value freed by an earlier op can be taken by a later one, as in SQLite.
      for (const [name, writes] of groups) {
        await this.db.collection<StoredDoc>(name).bulkWrite(writes, { ordered: true, session });
      }
      // After the documents: a checkpoint never runs ahead of what it vouches for.
      if (checkpointWrites.length > 0) {
        await this.db.collection<StoredCheckpoint>(CHECKPOINTS).bulkWrite(checkpointWrites, { ordered: true, session });
      }
    };
    // Outside the guard below: it guards its own call to the server.
    const transactional = await this.supportsTransactions();
    try {
      await this.guard(async () => {
        if (transactional) {
          const session = this.mongo.client.startSession();
          try {
            await session.withTransaction(() => write(session));
          } finally {
            await session.endSession();
          }
        } else {
          await write(undefined);
        }
      });
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof FencedOutError) throw error;
      throw new Error(`Read store commit rolled back: ${describeError(error)}`, { cause: error });
    }
  }

  async insertAbsent(collection: string, docs: readonly Doc[]): Promise<string[]> {
    this.assertOpen();
    assertCollectionName(collection);
    const stored = docs.map((doc) => toStored(doc));
    // An id given twice in the batch is taken by its first document, as SQLite and memory take it:
    // the server may apply an unordered batch in any order, so the later one is not sent.
    const first = new Map<string, number>();
    stored.forEach((doc, index) => {
      if (!first.has(doc._id)) first.set(doc._id, index);
    });
    const sent = [...first.values()];
    if (sent.length === 0) return [];
    return this.guard(async () => {
      const name = await this.existing(collection);
      if (name === null) throw new Error(`Unknown collection "${collection}": call ensureCollections first`);
      // An upsert that only inserts: a held id matches and changes nothing; of two racing inserts of one
      // id, the loser meets the _id index, and its duplicate-key error says the id was held.
      const writes: AnyBulkWriteOperation<StoredDoc>[] = sent.map((index) => {
        const { _id, ...fields } = stored[index]!;
        return { updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } };
      });
      let upserted: Set<number>;
      try {
        const result = await this.db.collection<StoredDoc>(name).bulkWrite(writes, { ordered: false });
        upserted = new Set(Object.keys(result.upsertedIds).map(Number));
      } catch (error) {
        if (!(error instanceof MongoBulkWriteError)) throw error;
        const failed = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        // Only a lost race on _id is an answer; any other refusal (another unique index) is the caller's error.
        if (failed.some((writeError) => writeError.code !== DUPLICATE_KEY || !/index: _id_ /.test(writeError.errmsg ?? ''))) throw error;
        upserted = new Set(Object.keys(error.result.upsertedIds).map(Number));
        for (const writeError of failed) upserted.delete(writeError.index);
      }
      const inserted = new Set(sent.filter((_, position) => upserted.has(position)));
      return stored.flatMap((doc, index) => (inserted.has(index) ? [] : [doc._id]));
    });
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: number = Date.now()): Promise<Lease | null> {
    this.assertOpen();
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new TypeError(`Lease ${name}: ttlMs must be a positive integer`);
    const leases = this.db.collection<StoredLease>(LEASES);
    return this.guard(async () => {
      const renewed = await leases.findOneAndUpdate(
        { _id: name, holder, expiresAt: { $gt: now } },
        { $set: { expiresAt: now + ttlMs } },
        { returnDocument: 'after' },
      );
      if (renewed !== null) return toLease(renewed);
      try {
        // Free or expired: taken with the next token. Held by another, the filter misses and
        // the upsert's insert collides with the existing document: not taken.
        const taken = await leases.findOneAndUpdate(
          { _id: name, expiresAt: { $lte: now } },
          { $set: { holder, expiresAt: now + ttlMs }, $inc: { token: 1 } },
          { upsert: true, returnDocument: 'after' },
        );
        return taken === null ? null : toLease(taken);
      } catch (error) {
        if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return null;
        throw error;
      }
    });
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    this.assertOpen();
    await this.guard(() => this.db.collection<StoredLease>(LEASES).updateOne({ _id: name, holder, token }, { $set: { expiresAt: 0 } }));
  }

  async getLease(name: string): Promise<Lease | null> {
    this.assertOpen();
    const stored = await this.guard(() => this.db.collection<StoredLease>(LEASES).findOne({ _id: name }));
    return stored === null ? null : toLease(stored);
  }

  private async touchFence(fence: Fence, session: ClientSession | undefined): Promise<void> {
    const leases = this.db.collection<StoredLease>(LEASES);
    const result = await leases.updateOne({ _id: fence.lease, token: fence.token }, { $inc: { commits: 1 } }, { session });
    if (result.matchedCount === 0) {
      const current = await leases.findOne({ _id: fence.lease }, { session });
      throw new FencedOutError(fence, current?.token ?? null);
    }
  }

  async getCheckpoint(name: string): Promise<string | null> {
    this.assertOpen();
    const stored = await this.guard(() => this.db.collection<StoredCheckpoint>(CHECKPOINTS).findOne({ _id: name }));
    return typeof stored?.position === 'string' ? stored.position : null;
  }

  async reset(collections: readonly string[], checkpointNames: readonly string[], fence?: Fence): Promise<void> {
    this.assertOpen();
    for (const name of collections) assertCollectionName(name);
    await this.guard(async () => {
      // Drops cannot run in a transaction: the token is checked first, and a holder that
      // loses the lease meanwhile is still stopped at its next commit.
      if (fence !== undefined) await this.touchFence(fence, undefined);
      // Checkpoints first: should this stop half-way, the projector finds no
      // checkpoint and resets again, rather than resuming over emptied collections.
      if (checkpointNames.length > 0) {
        await this.db.collection<StoredCheckpoint>(CHECKPOINTS).deleteMany({ _id: { $in: [...checkpointNames] } });
      }
      for (const requested of collections) {
        const name = await this.existing(requested);
        if (name === null) continue;
        const spec = this.specs.get(name.toLowerCase());
        if (spec !== undefined) {
          // Dropping is O(1) where deleting a large read model document by document is not.
          await this.db.collection(name).drop();
          await this.createCollection(name);
          const indexes = spec.indexes.map(indexDescription).filter((index): index is IndexDescription => index !== null);
          if (indexes.length > 0) await this.db.collection(name).createIndexes(indexes);
        } else {
          await this.db.collection(name).deleteMany({});
        }
      }
      // Rebuilding a collection's indexes takes as long as it takes.
    }, { deadline: false });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mongo.close();
  }

  // ---- helpers ---------------------------------------------------------------------

  private collection(name: string): Collection<StoredDoc> {
    assertCollectionName(name);
    return this.db.collection<StoredDoc>(this.known.get(name.toLowerCase()) ?? name);
  }

  /** The collection's stored name when it exists, else null. */
  private async existing(name: string): Promise<string | null> {
    const known = this.known.get(name.toLowerCase());
    if (known !== undefined) return known;
    const match = (await this.collectionNames()).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (match === undefined) return null;
    this.known.set(match.toLowerCase(), match);
    return match;
  }

  private async collectionNames(withCheckpoints = false): Promise<string[]> {
    const infos = await this.db.listCollections({}, { nameOnly: true }).toArray();
    return infos.map((info) => info.name).filter((name) => withCheckpoints || (name !== CHECKPOINTS && name !== LEASES));
  }

  private async createCollection(name: string): Promise<void> {
    try {
      await this.db.createCollection(name);
    } catch (error) {
      // Created meanwhile by another process (NamespaceExists).
      if (!(error instanceof MongoServerError && error.code === 48)) throw error;
    }
  }

  /**
   * Transactions need a replica set member or mongos; asked once. A
   * standalone server without the opt-in rejects with MongoStandaloneError
   * (and asks again next time, in case the server was restarted as a member).
   */
  private supportsTransactions(): Promise<boolean> {
    this.transactions ??= this.guard(() => this.db.admin().command({ hello: 1 }))
      .then((hello) => commitMode(hello, this.allowStandalone, this.safeUrl) === 'transaction')
      .catch((error: unknown) => {
        this.transactions = null;
        throw error;
      });
    return this.transactions;
  }

  /** One call to the server within the deadline, with the monitor informed (libs/mongo/mongo-connection.ts). */
  private guard<T>(call: () => Promise<T>, options?: GuardOptions): Promise<T> {
    return this.mongo.guard(call, options);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MongoReadStore is closed');
  }
}

function assertCheckpoint(checkpoint: Checkpoint): void {
  if (typeof checkpoint.name !== 'string') throw new Error('A checkpoint needs a string name');
  if (checkpoint.position !== null && typeof checkpoint.position !== 'string') {
    throw new Error(`Checkpoint ${checkpoint.name}: position must be a string or null`);
  }
}

function indexDescription(index: IndexSpec): IndexDescription | null {
  const fields = index.fields.map(storedField);
  // `_id` alone is indexed, and unique, already.
  if (fields.length === 1 && fields[0] === '_id') return null;
  if (index.kind === 'geo') return { key: { [fields[0]!]: '2dsphere' }, name: `geo__${index.fields[0]!}` };
  const key: Record<string, 1> = {};
  for (const field of fields) key[field] = 1;
  const name = `${index.unique ? 'ux' : 'ix'}__${index.fields.join('__')}`;
  if (!index.unique) return { key, name };
  const present: Record<string, { $exists: true }> = {};
  for (const field of fields) if (field !== '_id') present[field] = { $exists: true };
  return { key, name, unique: true, partialFilterExpression: present };
}

function storedField(field: string): string {
  assertField(field);
  return field === 'id' ? '_id' : field;
}

/** Every stage name and index name of an explain() answer's winning plan. */
export function planStages(explained: Document): { stages: string[]; indexes: string[] } {
  const planner = (explained['queryPlanner'] ?? {}) as Document;
  // Sharded answers nest the shards' plans; the slot-based engine wraps the classic plan in queryPlan.
  const root = (planner['winningPlan'] ?? {}) as Document;
  const stages: string[] = [];
  const indexes: string[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const stage = (node as Document)['stage'];
    if (typeof stage === 'string') stages.push(stage);
    const indexName = (node as Document)['indexName'];
    if (typeof indexName === 'string') indexes.push(indexName);
    for (const [key, value] of Object.entries(node as Document)) {
      if (key === 'inputStage' || key === 'inputStages' || key === 'queryPlan' || key === 'shards' || key === 'winningPlan') {
        visit(value);
      }
    }
  };
  visit(root);
  return { stages, indexes };
}

// ---- documents -------------------------------------------------------------------

/** The padded key that orders positions (decimal strings of up to 40 digits) as numbers. */
export function positionKey(position: string): string {
  if (!/^\d{1,40}$/.test(position)) throw new Error(`Invalid _position ${JSON.stringify(position)}`);
  return position.padStart(POSITION_DIGITS, '0');
}

export function toStored(doc: Doc): StoredDoc {
  if (typeof doc?.id !== 'string' || doc.id === '') throw new Error('A document needs a non-empty string id');
  // What SQLite stores: JSON.stringify drops undefined, turns -0 into 0, dates into strings.
  const plain = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  const stored: StoredDoc = { _id: doc.id };
  const nulls: string[] = [];
  const bools: string[] = [];
  for (const [field, value] of Object.entries(plain)) {
    if (field === 'id') continue;
    if (INTERNAL.has(field)) throw new Error(`Document ${doc.id}: the field name ${field} is reserved`);
    if (value === null) nulls.push(field);
    else if (typeof value === 'boolean') {
      bools.push(field);
      stored[field] = value ? 1 : 0;
    } else stored[field] = value;
  }
  if (nulls.length > 0) stored[NULLS] = nulls;
  if (bools.length > 0) stored[BOOLS] = bools;
  if (typeof plain['_position'] === 'string') stored[POSITION_KEY] = positionKey(plain['_position']);
  return stored;
}

export function fromStored(stored: Document): Doc {
  const doc: Record<string, unknown> = { id: stored['_id'] };
  const bools = new Set(Array.isArray(stored[BOOLS]) ? (stored[BOOLS] as string[]) : []);
  for (const [field, value] of Object.entries(stored)) {
    if (INTERNAL.has(field)) continue;
    doc[field] = bools.has(field) ? value === 1 : value;
  }
  if (Array.isArray(stored[NULLS])) for (const field of stored[NULLS] as string[]) doc[field] = null;
  return doc as Doc;
}

function toWrite(op: WriteOp): AnyBulkWriteOperation<StoredDoc> {
  if (op.kind === 'delete') {
    if (typeof op.id !== 'string') throw new Error('A delete needs a string id');
    return { deleteOne: { filter: { _id: op.id } } };
  }
  const stored = toStored(op.doc);
  const key = stored[POSITION_KEY] as string | undefined;
  if (key === undefined) return { replaceOne: { filter: { _id: stored._id }, replacement: stored, upsert: true } };
  // Replace unless the stored document already saw a later position; a pipeline
  // keeps this one upsert (a guard in the filter would make the upsert insert a duplicate _id).
  return {
    updateOne: {
      filter: { _id: stored._id },
      update: [
        {
          $replaceWith: {
            $cond: {
              if: { $lte: [{ $ifNull: [`$${POSITION_KEY}`, ''] }, key] },
              then: { $literal: stored },
              else: '$$ROOT',
            },
          },
        },
      ],
      upsert: true,
    },
  };
}

// ---- queries ---------------------------------------------------------------------

/** A condition value as stored: booleans are 1 and 0; null stays null. */
function argument(field: string, value: unknown): string | number | null {
  if (value === null) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`Field ${field}: ${value} cannot be compared (not representable in JSON)`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`Field ${field}: condition values must be string, number, boolean or null`);
  }
  if (field === 'id' && typeof value !== 'string') throw new Error('Conditions and cursors on id take strings');
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function badCondition(field: string): Error {
  return new Error(
    `Field ${field}: a condition is a scalar, {$in}, {$ne}, {$contains: string} or a combination of $gt/$gte/$lt/$lte`,
  );
}

/** A literal substring as a regular expression. */
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function equals(field: string, value: string | number | null): Query {
  return { [field]: value };
}

/**
 * `field op bound` with SQLite's cross-type order: NULL never matches a range;
 * every string is above every number.
 */
function range(field: string, op: RangeOp, bound: string | number | null): Query {
  if (bound === null) return NOTHING;
  const same = { [field]: { [op]: bound } };
  const above = op === '$gt' || op === '$gte';
  if (typeof bound === 'number' && above) return { $or: [same, { [field]: { $type: 'string' } }] };
  if (typeof bound === 'string' && !above) return { $or: [same, { [field]: { $type: 'number' } }] };
  return same;
}

export function buildFilter(filter: Filter | undefined): Query {
  const clauses: Query[] = [];
  for (const [field, condition] of Object.entries(filter ?? {})) clauses.push(...buildCondition(field, condition));
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? (clauses[0] as Query) : { $and: clauses };
}

function buildCondition(name: string, condition: FieldCondition): Query[] {
  const field = storedField(name);
  if (condition === null || typeof condition !== 'object') return [equals(field, argument(name, condition))];
  const ops = Object.keys(condition);
  if ('$contains' in condition) {
    const needle = condition.$contains;
    if (ops.length !== 1 || typeof needle !== 'string') throw badCondition(name);
    // $regex also matches strings inside arrays; SQLite's json_type(...) = 'text' does not.
    return [{ [field]: { $regex: escapeRegex(needle), $not: { $type: 'array' } } }];
  }
  if ('$in' in condition) {
    if (ops.length !== 1 || !Array.isArray(condition.$in)) throw badCondition(name);
    const values = condition.$in.map((value) => argument(name, value));
    // `{ $in: [..., null] }` matches missing fields too, as SQLite's IS NULL does.
    return [values.length === 0 ? NOTHING : { [field]: { $in: values } }];
  }
  if ('$ne' in condition) {
    if (ops.length !== 1) throw badCondition(name);
    // MongoDB's $ne, like SQLite's IS NOT, matches missing fields.
    return [{ [field]: { $ne: argument(name, condition.$ne) } }];
  }
  if (ops.length === 0 || !ops.every((op) => (RANGE_OPS as readonly string[]).includes(op))) throw badCondition(name);
  const bounds = condition as { readonly [K in RangeOp]?: Scalar };
  return ops.map((op) => range(field, op as RangeOp, argument(name, bounds[op as RangeOp])));
}

function effectiveSort(sort: readonly SortKey[] | undefined): readonly SortKey[] {
  const keys = sort ?? [];
  for (const key of keys) {
    assertField(key.field);
    if (key.direction !== 'asc' && key.direction !== 'desc') throw new Error(`Invalid sort direction for ${key.field}`);
  }
  return withIdTieBreaker(keys);
}

/** "Strictly after the cursor value" for one key, in SQLite's order. */
function beyond(field: string, direction: 'asc' | 'desc', value: string | number | null): Query | null {
  // Ids are always strings (argument() refuses others): no other type to let through.
  if (field === '_id') return { _id: { [direction === 'asc' ? '$gt' : '$lt']: value } };
  const missing = { [field]: null };
  if (direction === 'asc') {
    if (value === null) return { [field]: { $ne: null } };
    if (typeof value === 'number') return { $or: [{ [field]: { $gt: value } }, { [field]: { $type: 'string' } }] };
    return { [field]: { $gt: value } };
  }
  // Descending, NULL comes last and nothing comes after it.
  if (value === null) return null;
  if (typeof value === 'number') return { $or: [{ [field]: { $lt: value } }, missing] };
  return { $or: [{ [field]: { $lt: value } }, { [field]: { $type: 'number' } }, missing] };
}

/** (k1 ▷ c1) OR (k1 = c1 AND k2 ▷ c2) OR ...: mixed directions rule out a single range. */
function buildCursor(keys: readonly SortKey[], after: readonly Scalar[]): Query {
  if (after.length !== keys.length) {
    throw new Error(`Cursor has ${after.length} values; the sort (with id) has ${keys.length} keys`);
  }
  const values = keys.map((key, i) => argument(key.field, after[i]));
  const terms: Query[] = [];
  const equal: Query[] = [];
  keys.forEach((key, i) => {
    const field = storedField(key.field);
    const value = values[i] ?? null;
    const next = beyond(field, key.direction, value);
    if (next !== null) terms.push(equal.length === 0 ? next : { $and: [...equal, next] });
    equal.push(equals(field, value));
  });
  if (terms.length === 0) return NOTHING;
  const exact = terms.length === 1 ? (terms[0] as Query) : { $or: terms };
  // The $or alone gives the planner no bounds on the index's sort field: it
  // would scan from the start, or split the $or and sort in memory. A loose
  // bound on the first key (a superset of the exact condition, across types)
  // starts the scan at the cursor; the $or then filters the scanned entries.
  const first = keys[0]!;
  const loose = looseBound(storedField(first.field), first.direction, values[0] ?? null);
  return loose === null ? exact : { $and: [loose, exact] };
}

/**
 * Every document at or after the cursor's first value in the sort order,
 * and some before it of other types: `$not` of a type-bracketed range keeps
 * null, missing and other types, which the exact condition sorts out.
 */
function looseBound(field: string, direction: 'asc' | 'desc', value: string | number | null): Query | null {
  if (value === null) return direction === 'asc' ? null : { [field]: null };
  return { [field]: { $not: direction === 'asc' ? { $lt: value } : { $gt: value } } };
}

export function buildFind(options: FindOptions): { filter: Query; sort: Sort; limit: number | undefined; offset: number } {
  const where = buildFilter(options.filter);
  const keys = effectiveSort(options.sort);
  const cursor = options.after ? buildCursor(keys, options.after) : undefined;
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`Invalid limit ${limit}`);
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`Invalid offset ${offset}`);
  const parts = [where, cursor].filter((part): part is Query => part !== undefined && Object.keys(part).length > 0);
  const filter = parts.length === 0 ? {} : parts.length === 1 ? (parts[0] as Query) : { $and: parts };
  const sort: Record<string, 1 | -1> = {};
  for (const key of keys) sort[storedField(key.field)] = key.direction === 'asc' ? 1 : -1;
  return { filter, sort, limit, offset };
}

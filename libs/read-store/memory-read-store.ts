import type {
  Checkpoint,
  CollectionSpec,
  Doc,
  Fence,
  FieldCondition,
  Filter,
  FindOptions,
  IndexSpec,
  Lease,
  ReadStore,
  Scalar,
  SortKey,
  WriteOp,
} from './read-store.port';
import { assertCollectionName, assertField, assertIndex } from './names';
import { FencedOutError, nextLease, pickFields, withIdTieBreaker } from './read-store.port';

/**
 * In-process ReadStore for tests and single-process demos.
 *
 * Its comparison rules copy what SQLite does with `json_extract(doc, '$.f')`,
 * because the conformance suite holds both adapters to identical answers:
 * missing and null are NULL; booleans are the integers 1 and 0; objects and
 * arrays are their JSON text; the order is NULL < numbers < strings, and
 * strings compare by UTF-8 bytes (code point order, not JavaScript's UTF-16).
 */
export class MemoryReadStore implements ReadStore {
  // Keyed by lower-cased name: SQLite table names are case-insensitive.
  private readonly collections = new Map<string, Collection>();
  private readonly checkpoints = new Map<string, string | null>();
  private readonly leases = new Map<string, Lease>();
  private closed = false;

  async ensureCollections(specs: readonly CollectionSpec[]): Promise<void> {
    this.assertOpen();
    for (const spec of specs) {
      assertCollectionName(spec.name);
      for (const index of spec.indexes) assertIndex(index);
    }
    for (const spec of specs) {
      const key = spec.name.toLowerCase();
      let collection = this.collections.get(key);
      if (!collection) {
        collection = { name: spec.name, docs: new Map(), indexIds: new Set(), unique: [] };
        this.collections.set(key, collection);
      }
      for (const index of spec.indexes) addIndex(collection, index);
    }
  }

  async get(collection: string, id: string): Promise<Doc | null> {
    this.assertOpen();
    const entry = this.lookup(collection)?.docs.get(id);
    return entry ? parse(entry.json) : null;
  }

  async getMany(collection: string, ids: readonly string[]): Promise<Doc[]> {
    this.assertOpen();
    const docs = this.lookup(collection)?.docs;
    if (!docs) return [];
    const result: Doc[] = [];
    for (const id of ids) {
      const entry = docs.get(id);
      if (entry) result.push(parse(entry.json));
    }
    return result;
  }

  async find(collection: string, options: FindOptions = {}): Promise<Doc[]> {
    this.assertOpen();
    const predicate = compileFilter(options.filter);
    const keys = effectiveSort(options.sort);
    const cursor = options.after ? compileCursor(keys, options.after) : undefined;
    const limit = checkLimit(options.limit);
    const offset = checkOffset(options.offset);
    const docs = this.lookup(collection)?.docs;
    if (!docs || limit === 0) return [];

    const rows: { entry: Entry; key: SqlValue[] }[] = [];
    for (const entry of docs.values()) {
      if (!predicate(entry.doc)) continue;
      const key = keys.map((k) => project(entry.doc[k.field]));
      if (cursor && compareKeys(keys, key, cursor) <= 0) continue;
      rows.push({ entry, key });
    }
    rows.sort((a, b) => compareKeys(keys, a.key, b.key));
    const page = limit === undefined ? rows.slice(offset) : rows.slice(offset, offset + limit);
    const fields = options.fields;
    if (fields) {
      for (const field of fields) assertField(field);
      return page.map((row) => pickFields(parse(row.entry.json), fields));
    }
    return page.map((row) => parse(row.entry.json));
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    this.assertOpen();
    const predicate = compileFilter(filter);
    const docs = this.lookup(collection)?.docs;
    if (!docs) return 0;
    let n = 0;
    for (const entry of docs.values()) if (predicate(entry.doc)) n++;
    return n;
  }

  async insertAbsent(collectionName: string, docs: readonly Doc[]): Promise<string[]> {
    this.assertOpen();
    const collection = this.lookup(collectionName);
    if (!collection) throw unknownCollection(collectionName);
    for (const doc of docs) assertDoc(doc);
    const held: string[] = [];
    const written: string[] = [];
    try {
      for (const doc of docs) {
        if (collection.docs.has(doc.id)) {
          held.push(doc.id);
          continue;
        }
        const json = JSON.stringify(doc);
        write(collection, doc.id, { json, doc: JSON.parse(json) as Doc });
        written.push(doc.id);
      }
    } catch (err) {
      // A unique index refused one: none of the batch is written, as in SQLite's transaction.
      for (const id of written) write(collection, id, undefined);
      throw err;
    }
    return held;
  }

  async commit(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[], fence?: Fence): Promise<void> {
    this.assertOpen();
    for (const checkpoint of checkpoints) assertCheckpoint(checkpoint);
    this.checkFence(fence);
    // Applied one by one with an undo log so that a unique violation in op N
    // sees ops 0..N-1 exactly as SQLite's statement-level checks would.
    const undo: { collection: Collection; id: string; previous: Entry | undefined }[] = [];
    try {
      for (const op of ops) {
        const collection = this.lookup(op.collection);
        if (!collection) throw unknownCollection(op.collection);
        if (op.kind === 'put') {
          assertDoc(op.doc);
          const json = JSON.stringify(op.doc);
          const previous = collection.docs.get(op.doc.id);
          write(collection, op.doc.id, { json, doc: JSON.parse(json) as Doc });
          undo.push({ collection, id: op.doc.id, previous });
        } else if (op.kind === 'delete') {
          const previous = collection.docs.get(op.id);
          write(collection, op.id, undefined);
          undo.push({ collection, id: op.id, previous });
        } else {
          throw new Error(`Unknown write op kind ${JSON.stringify((op as { kind: unknown }).kind)}`);
        }
      }
    } catch (err) {
      for (let i = undo.length - 1; i >= 0; i--) {
        const step = undo[i]!;
        write(step.collection, step.id, step.previous);
      }
      throw err;
    }
    for (const checkpoint of checkpoints) this.checkpoints.set(checkpoint.name, checkpoint.position);
  }

  async getCheckpoint(name: string): Promise<string | null> {
    this.assertOpen();
    return this.checkpoints.get(name) ?? null;
  }

  async reset(collections: readonly string[], checkpointNames: readonly string[], fence?: Fence): Promise<void> {
    this.assertOpen();
    for (const name of collections) assertCollectionName(name);
    this.checkFence(fence);
    for (const name of collections) {
      const collection = this.lookup(name);
      if (!collection) continue;
      collection.docs.clear();
      for (const index of collection.unique) index.owners.clear();
    }
    for (const name of checkpointNames) this.checkpoints.delete(name);
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: number = Date.now()): Promise<Lease | null> {
    this.assertOpen();
    const next = nextLease(this.leases.get(name) ?? null, name, holder, ttlMs, now);
    if (next !== null) this.leases.set(name, next);
    return next;
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    this.assertOpen();
    const current = this.leases.get(name);
    if (current !== undefined && current.holder === holder && current.token === token) this.leases.set(name, { ...current, expiresAt: 0 });
  }

  async getLease(name: string): Promise<Lease | null> {
    this.assertOpen();
    return this.leases.get(name) ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkFence(fence: Fence | undefined): void {
    if (fence === undefined) return;
    const current = this.leases.get(fence.lease)?.token ?? null;
    if (current !== fence.token) throw new FencedOutError(fence, current);
  }

  private lookup(name: string): Collection | undefined {
    assertCollectionName(name);
    return this.collections.get(name.toLowerCase());
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryReadStore is closed');
  }
}

/** What SQLite's json_extract yields for a field: its value for comparisons. */
type SqlValue = null | number | string;

interface Entry {
  readonly json: string;
  /** Private parsed copy used for matching; callers always get a fresh parse of `json`. */
  readonly doc: Doc;
}

interface UniqueIndex {
  readonly fields: readonly string[];
  /** Index key → id of the document holding it. */
  readonly owners: Map<string, string>;
}

interface Collection {
  readonly name: string;
  readonly docs: Map<string, Entry>;
  readonly indexIds: Set<string>;
  readonly unique: UniqueIndex[];
}

const RANGE_OPS = ['$gt', '$gte', '$lt', '$lte'] as const;
type RangeOp = (typeof RANGE_OPS)[number];

function assertDoc(doc: Doc): void {
  if (typeof doc?.id !== 'string' || doc.id === '') throw new Error('A document needs a non-empty string id');
}

function assertCheckpoint(checkpoint: Checkpoint): void {
  if (typeof checkpoint.name !== 'string') throw new Error('A checkpoint needs a string name');
  if (checkpoint.position !== null && typeof checkpoint.position !== 'string') {
    throw new Error(`Checkpoint ${checkpoint.name}: position must be a string or null`);
  }
}

function unknownCollection(name: string): Error {
  return new Error(`Unknown collection "${name}": call ensureCollections first`);
}

function parse(json: string): Doc {
  return JSON.parse(json) as Doc;
}

function addIndex(collection: Collection, index: IndexSpec): void {
  const id = `${index.unique ? 'u' : 'i'}:${index.fields.join(',')}`;
  if (collection.indexIds.has(id)) return;
  if (index.unique) {
    const unique: UniqueIndex = { fields: [...index.fields], owners: new Map() };
    for (const [docId, entry] of collection.docs) {
      const key = uniqueKey(unique.fields, entry.doc);
      if (key === undefined) continue;
      if (unique.owners.has(key)) {
        throw new Error(`Cannot create unique index on ${collection.name}(${index.fields.join(', ')}): duplicate values`);
      }
      unique.owners.set(key, docId);
    }
    collection.unique.push(unique);
  }
  // Non-unique indexes only speed SQLite up; a scan answers the same here.
  collection.indexIds.add(id);
}

/** Undefined when any field is NULL: like SQLite, NULLs never collide in a unique index. */
function uniqueKey(fields: readonly string[], doc: Doc): string | undefined {
  const parts: SqlValue[] = [];
  for (const field of fields) {
    const value = project(doc[field]);
    if (value === null) return undefined;
    parts.push(value);
  }
  return JSON.stringify(parts.map((v) => [typeof v, v]));
}

/** Sets or removes one document, keeping unique indexes consistent; throws before changing anything. */
function write(collection: Collection, id: string, entry: Entry | undefined): void {
  const previous = collection.docs.get(id);
  const keys = collection.unique.map((index) => (entry ? uniqueKey(index.fields, entry.doc) : undefined));
  collection.unique.forEach((index, i) => {
    const key = keys[i];
    if (key === undefined) return;
    const owner = index.owners.get(key);
    if (owner !== undefined && owner !== id) {
      throw new Error(
        `Unique index on ${collection.name}(${index.fields.join(', ')}) violated by document ${JSON.stringify(id)}`,
      );
    }
  });
  collection.unique.forEach((index, i) => {
    if (previous) {
      const old = uniqueKey(index.fields, previous.doc);
      if (old !== undefined && index.owners.get(old) === id) index.owners.delete(old);
    }
    const key = keys[i];
    if (key !== undefined) index.owners.set(key, id);
  });
  if (entry) collection.docs.set(id, entry);
  else collection.docs.delete(id);
}

function project(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Projects a value given in a filter or cursor, rejecting what JSON cannot carry. */
function projectArgument(field: string, value: unknown): SqlValue {
  if (value === null) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`Field ${field}: ${value} cannot be compared (not representable in JSON)`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`Field ${field}: condition values must be string, number, boolean or null`);
  }
  // The SQLite id column has TEXT affinity and would coerce a number to text.
  if (field === 'id' && typeof value !== 'string') throw new Error('Conditions and cursors on id take strings');
  return project(value);
}

/** SQLite's cross-type order and BINARY collation. */
function compareValues(a: SqlValue, b: SqlValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  return 0;
}

function rank(value: SqlValue): number {
  return value === null ? 0 : typeof value === 'number' ? 1 : 2;
}

/**
 * UTF-8 byte order equals code point order; UTF-16 code unit order disagrees
 * only when a surrogate (astral character) meets U+E000..U+FFFF.
 */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return astralLast(x) - astralLast(y);
    return x - y;
  }
  return a.length - b.length;
}

function astralLast(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Whether a document matches a filter, as every read store answers `find`: for documents held outside a store (a projector's batch). */
export function documentMatcher(filter: Filter): (doc: Doc) => boolean {
  return compileFilter(filter);
}

function compileFilter(filter: Filter | undefined): (doc: Doc) => boolean {
  if (!filter) return () => true;
  const tests = Object.entries(filter).map(([field, condition]) => {
    assertField(field);
    const test = compileCondition(field, condition);
    return (doc: Doc) => test(project(doc[field]), doc[field]);
  });
  return (doc) => tests.every((test) => test(doc));
}

function compileCondition(field: string, condition: FieldCondition): (value: SqlValue, raw: unknown) => boolean {
  if (condition === null || typeof condition !== 'object') {
    const wanted = projectArgument(field, condition);
    return (value) => compareValues(value, wanted) === 0;
  }
  const ops = Object.keys(condition);
  if ('$contains' in condition) {
    const needle = condition.$contains;
    if (ops.length !== 1 || typeof needle !== 'string') throw badCondition(field);
    // Only string values, as SQLite's json_type(...) = 'text'.
    return (_value, raw) => typeof raw === 'string' && raw.includes(needle);
  }
  if ('$in' in condition) {
    if (ops.length !== 1 || !Array.isArray(condition.$in)) throw badCondition(field);
    const wanted = condition.$in.map((v) => projectArgument(field, v));
    return (value) => wanted.some((w) => compareValues(value, w) === 0);
  }
  if ('$ne' in condition) {
    if (ops.length !== 1) throw badCondition(field);
    const unwanted = projectArgument(field, condition.$ne);
    return (value) => compareValues(value, unwanted) !== 0;
  }
  if (ops.length === 0 || !ops.every((op) => (RANGE_OPS as readonly string[]).includes(op))) {
    throw badCondition(field);
  }
  const range = condition as { readonly [K in RangeOp]?: Scalar };
  const bounds = ops.map((op) => ({ op: op as RangeOp, bound: projectArgument(field, range[op as RangeOp]) }));
  return (value) =>
    bounds.every(({ op, bound }) => {
      // A comparison with NULL on either side is never true in SQL.
      if (value === null || bound === null) return false;
      const c = compareValues(value, bound);
      return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
    });
}

function badCondition(field: string): Error {
  return new Error(
    `Field ${field}: a condition is a scalar, {$in}, {$ne}, {$contains: string} or a combination of $gt/$gte/$lt/$lte`,
  );
}

function effectiveSort(sort: readonly SortKey[] | undefined): readonly SortKey[] {
  const keys = sort ?? [];
  for (const key of keys) {
    assertField(key.field);
    if (key.direction !== 'asc' && key.direction !== 'desc') throw new Error(`Invalid sort direction for ${key.field}`);
  }
  return withIdTieBreaker(keys);
}

function compileCursor(keys: readonly SortKey[], after: readonly Scalar[]): SqlValue[] {
  if (after.length !== keys.length) {
    throw new Error(`Cursor has ${after.length} values; the sort (with id) has ${keys.length} keys`);
  }
  return keys.map((key, i) => projectArgument(key.field, after[i]));
}

function compareKeys(keys: readonly SortKey[], a: readonly SqlValue[], b: readonly SqlValue[]): number {
  for (let i = 0; i < keys.length; i++) {
    const c = compareValues(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return keys[i]!.direction === 'asc' ? c : -c;
  }
  return 0;
}

function checkOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`Invalid offset ${offset}`);
  return offset;
}

function checkLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`Invalid limit ${limit}`);
  return limit;
}

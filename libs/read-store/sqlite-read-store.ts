import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type {
  Checkpoint,
  CollectionSpec,
  Doc,
  Fence,
  FieldCondition,
  Filter,
  FindOptions,
  Lease,
  ReadStore,
  Scalar,
  SortKey,
  WriteOp,
} from './read-store.port';
import { assertCollectionName, assertField, assertIndex } from './names';
import { FencedOutError, nextLease, ReadStoreBusyError, withIdTieBreaker } from './read-store.port';

/**
 * The shortest JSON text SQLite cannot read: nesting deeper than its limit of
 * 1000 takes 1001 opening and 1001 closing brackets.
 */
const MIN_TOO_DEEP = 2 * 1001;

export interface SqliteReadStoreOptions {
  /** Database file, or ':memory:'. */
  readonly file: string;
  /**
   * The connection's page cache in MiB (SQLite's default is 2). A rebuild's
   * committer writes documents all over a file of hundreds of MiB; a larger
   * cache keeps the pages of its indexes from being read again each batch.
   */
  readonly cacheMiB?: number;
}

/**
 * ReadStore on better-sqlite3: one table of JSON documents per collection,
 * expression indexes on `json_extract(doc, '$.field')`.
 *
 * Every value compared against a document goes in as JSON text through
 * `json_extract(?, '$')`, so SQLite parses it exactly as it parsed the stored
 * document (a JS number bound directly would be a REAL, and would not equal the
 * INTEGER SQLite reads from the same number's JSON text above 2^53).
 */
export class SqliteReadStore implements ReadStore {
  private readonly db: Database.Database;
  // Lower-cased: SQLite table names are case-insensitive.
  private readonly known = new Set<string>();
  private readonly statements = new Map<string, Database.Statement>();
  /** Collections loaded without their secondary indexes (dropSecondaryIndexes) until ensureCollections builds them. */
  private readonly unindexed = new Set<string>();
  private readonly commitTx: Database.Transaction<(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[], fence: Fence | undefined) => void>;

  constructor(options: SqliteReadStoreOptions) {
    const file = options.file;
    if (file !== ':memory:' && file !== '' && !file.startsWith('file:')) {
      mkdirSync(dirname(resolve(file)), { recursive: true });
    }
    this.db = new Database(file);
    // Read models are rebuilt from the event log, so losing the last commits on
    // power loss is acceptable; NORMAL in WAL mode never corrupts the file.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Overwritten and deleted documents are zeroed, not left in freed pages:
    // an erased user's old values must not stay readable in the file.
    this.db.pragma('secure_delete = ON');
    if (options.cacheMiB !== undefined) this.db.pragma(`cache_size = ${-Math.round(options.cacheMiB * 1024)}`);
    this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT)');
    // Beside the checkpoints, never a collection: a rebuild leaves leases alone.
    this.db.exec('CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL)');
    const tables = this.db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('checkpoints', 'leases') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
      .pluck()
      .all() as string[];
    for (const table of tables) this.known.add(table.toLowerCase());
    this.commitTx = this.db.transaction((ops: readonly WriteOp[], checkpoints: readonly Checkpoint[], fence: Fence | undefined) => {
      this.checkFence(fence);
      for (const op of ops) {
        if (op.kind === 'put') {
          const json = JSON.stringify(op.doc);
          if (json.length >= MIN_TOO_DEEP && this.unindexed.has(op.collection.toLowerCase())) {
            // Without its indexes nothing parses the document on the way in; the index build at the end would
            // fail on one SQLite cannot read (nested too deep), so it is refused here, as an index refuses it.
            // JSON.stringify writes nothing else SQLite refuses, and a shorter text cannot nest that deep.
            const written = this.statement(
              `INSERT INTO ${table(op.collection)} (id, doc) SELECT @id, @doc WHERE json_valid(@doc) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`,
            ).run({ id: op.doc.id, doc: json });
            if (written.changes === 0) throw new Error(`malformed JSON: document ${op.doc.id} of ${op.collection}`);
          } else {
            this.statement(
              `INSERT INTO ${table(op.collection)} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`,
            ).run(op.doc.id, json);
          }
        } else {
          this.statement(`DELETE FROM ${table(op.collection)} WHERE id = ?`).run(op.id);
        }
      }
      const upsert = this.statement(
        'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position',
      );
      for (const checkpoint of checkpoints) upsert.run(checkpoint.name, checkpoint.position);
    });
  }

  async ensureCollections(specs: readonly CollectionSpec[]): Promise<void> {
    for (const spec of specs) {
      assertCollectionName(spec.name);
      for (const index of spec.indexes) assertIndex(index);
    }
    this.db.transaction(() => {
      for (const spec of specs) {
        const name = table(spec.name);
        this.db.exec(`CREATE TABLE IF NOT EXISTS ${name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
        // A geo index is MongoDB's; here area queries are ranges on an ordered index.
        for (const index of spec.indexes.filter((i) => i.kind !== 'geo')) {
          const indexName = `${index.unique ? 'ux' : 'ix'}_${spec.name}__${index.fields.join('__')}`;
          this.db.exec(
            `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${indexName}" ON ${name} ` +
              `(${index.fields.map(fieldExpr).join(', ')})`,
          );
        }
      }
    })();
    for (const spec of specs) {
      this.known.add(spec.name.toLowerCase());
      this.unindexed.delete(spec.name.toLowerCase());
    }
  }

  async get(collection: string, id: string): Promise<Doc | null> {
    if (!this.isKnown(collection)) return null;
    const json = this.statement(`SELECT doc FROM ${table(collection)} WHERE id = ?`).pluck().get(id) as
      | string
      | undefined;
    return json === undefined ? null : parse(json);
  }

  async getMany(collection: string, ids: readonly string[]): Promise<Doc[]> {
    if (!this.isKnown(collection) || ids.length === 0) return [];
    const rows = this.statement(
      `SELECT id, doc FROM ${table(collection)} WHERE id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids)) as { id: string; doc: string }[];
    const byId = new Map(rows.map((row) => [row.id, row.doc]));
    const result: Doc[] = [];
    for (const id of ids) {
      const json = byId.get(id);
      if (json !== undefined) result.push(parse(json));
    }
    return result;
  }

  async find(collection: string, options: FindOptions = {}): Promise<Doc[]> {
    const query = buildFind(collection, options);
    if (!this.isKnown(collection) || query.limit === 0) return [];
    const rows = this.statement(query.sql).pluck().all(...query.params) as string[];
    return rows.map(parse);
  }

  /** EXPLAIN QUERY PLAN details of the statement `find` would run; for tests and diagnosis. */
  explainFind(collection: string, options: FindOptions = {}): string[] {
    const query = buildFind(collection, options);
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[];
    return rows.map((row) => row.detail);
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    const where = buildWhere(filter);
    if (!this.isKnown(collection)) return 0;
    const sql = `SELECT count(*) FROM ${table(collection)}${where.sql ? ` WHERE ${where.sql}` : ''}`;
    return this.statement(sql).pluck().get(...where.params) as number;
  }

  async commit(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[], fence?: Fence): Promise<void> {
    // Checked up front so a bad op fails with a clear message before any SQL runs.
    for (const op of ops) {
      if (!this.isKnown(op.collection)) {
        throw new Error(`Unknown collection "${op.collection}": call ensureCollections first`);
      }
      if (op.kind === 'put') {
        if (typeof op.doc?.id !== 'string' || op.doc.id === '') throw new Error('A document needs a non-empty string id');
      } else if (op.kind !== 'delete') {
        throw new Error(`Unknown write op kind ${JSON.stringify((op as { kind: unknown }).kind)}`);
      }
    }
    for (const checkpoint of checkpoints) {
      if (typeof checkpoint.name !== 'string') throw new Error('A checkpoint needs a string name');
      if (checkpoint.position !== null && typeof checkpoint.position !== 'string') {
        throw new Error(`Checkpoint ${checkpoint.name}: position must be a string or null`);
      }
    }
    try {
      // IMMEDIATE: the fence is read inside the transaction, and a read that
      // turns into a write fails at once (SQLITE_BUSY, no waiting) when another
      // connection (a lease renewal) wrote in between; taking the write lock
      // first makes it wait its turn instead.
      this.commitTx.immediate(ops, checkpoints, fence);
    } catch (error) {
      if (error instanceof FencedOutError) throw error;
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
        throw new ReadStoreBusyError(`Read store busy, nothing written: ${(error as Error).message}`, { cause: error });
      }
      // Rethrown as this module's Error: the driver's SqliteError class is bound
      // once per process and fails `instanceof Error` checks in other contexts.
      throw new Error(`Read store commit rolled back: ${(error as Error).message}`, { cause: error });
    }
  }

  async insertAbsent(collection: string, docs: readonly Doc[]): Promise<string[]> {
    if (!this.isKnown(collection)) throw new Error(`Unknown collection "${collection}": call ensureCollections first`);
    for (const doc of docs) if (typeof doc?.id !== 'string' || doc.id === '') throw new Error('A document needs a non-empty string id');
    const insert = this.statement(`INSERT INTO ${table(collection)} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO NOTHING`);
    try {
      // IMMEDIATE, as a commit: the write lock first, so a concurrent writer makes this wait, not fail.
      return this.db
        .transaction(() => docs.filter((doc) => insert.run(doc.id, JSON.stringify(doc)).changes === 0).map((doc) => doc.id))
        .immediate();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
        throw new ReadStoreBusyError(`Read store busy, nothing written: ${(error as Error).message}`, { cause: error });
      }
      throw new Error(`Read store insert rolled back: ${(error as Error).message}`, { cause: error });
    }
  }

  async getCheckpoint(name: string): Promise<string | null> {
    const row = this.statement('SELECT position FROM checkpoints WHERE name = ?').get(name) as
      | { position: string | null }
      | undefined;
    return row?.position ?? null;
  }

  async reset(collections: readonly string[], checkpointNames: readonly string[], fence?: Fence): Promise<void> {
    for (const name of collections) assertCollectionName(name);
    this.db.transaction(() => {
      this.checkFence(fence);
      for (const name of collections) {
        if (this.isKnown(name)) this.statement(`DELETE FROM ${table(name)}`).run();
      }
      if (checkpointNames.length > 0) {
        this.statement('DELETE FROM checkpoints WHERE name IN (SELECT value FROM json_each(?))').run(
          JSON.stringify(checkpointNames),
        );
      }
    }).immediate();
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: number = Date.now()): Promise<Lease | null> {
    // IMMEDIATE: two processes sharing the file read and take the lease one after the other.
    return this.db
      .transaction(() => {
        const next = nextLease(this.leaseRow(name), name, holder, ttlMs, now);
        if (next !== null) {
          this.statement(
            'INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at',
          ).run(name, next.holder, next.token, next.expiresAt);
        }
        return next;
      })
      .immediate();
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    this.statement('UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND token = ?').run(name, holder, token);
  }

  async getLease(name: string): Promise<Lease | null> {
    return this.leaseRow(name);
  }

  private leaseRow(name: string): Lease | null {
    const row = this.statement('SELECT name, holder, token, expires_at AS expiresAt FROM leases WHERE name = ?').get(name) as Lease | undefined;
    return row ?? null;
  }

  /** Inside the commit's transaction: the token must still be the lease's. */
  private checkFence(fence: Fence | undefined): void {
    if (fence === undefined) return;
    const current = this.leaseRow(fence.lease)?.token ?? null;
    if (current !== fence.token) throw new FencedOutError(fence, current);
  }

  async dropSecondaryIndexes(collections: readonly string[]): Promise<void> {
    for (const name of collections) assertCollectionName(name);
    const known = collections.filter((name) => this.isKnown(name)).map((name) => table(name).replace(/"/g, ''));
    // Only the indexes ensureCollections made (`ix_…`); unique ones (`ux_…`) keep guarding.
    const indexes = this.db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'ix\\_%' ESCAPE '\\' AND tbl_name IN (SELECT value FROM json_each(?))")
      .pluck()
      .all(JSON.stringify(known)) as string[];
    this.db.transaction(() => {
      for (const index of indexes) this.db.exec(`DROP INDEX IF EXISTS "${index}"`);
    })();
    for (const name of collections) if (this.isKnown(name)) this.unindexed.add(name.toLowerCase());
  }

  /** Copies the write-ahead log into the (zeroing) database and empties it: its frames hold old versions of pages. */
  async purgeFreed(): Promise<void> {
    if (this.db.open) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  private isKnown(collection: string): boolean {
    assertCollectionName(collection);
    return this.known.has(collection.toLowerCase());
  }

  /** Statements are cached by SQL text, which is the query shape: values are always bound. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Shapes come from code, but filters built from user input could still
      // produce many; a crude bound keeps the cache from growing forever.
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) this.statements.delete(oldest);
      }
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

type SqlValue = string | number | null;

interface Fragment {
  readonly sql: string;
  readonly params: SqlValue[];
}

const STATEMENT_CACHE_SIZE = 500;
const RANGE_SQL = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;
type RangeOp = keyof typeof RANGE_SQL;
/** A bound JSON text parsed the way stored documents are parsed. */
const ARG = "json_extract(?, '$')";

function table(collection: string): string {
  assertCollectionName(collection);
  return `"${collection}"`;
}

/** Must stay textually identical to the index expressions, or the planner will not match them. */
function fieldExpr(field: string): string {
  assertField(field);
  return field === 'id' ? 'id' : `json_extract(doc, '$.${field}')`;
}

/** A field as JSON (`->`), so json_object embeds objects and arrays as they are, not as text. */
function jsonFieldExpr(field: string): string {
  assertField(field);
  return field === 'id' ? 'id' : `(doc -> '$.${field}')`;
}

function parse(json: string): Doc {
  return JSON.parse(json) as Doc;
}

/** JSON text for ARG; null stays SQL NULL. */
function argument(field: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`Field ${field}: ${value} cannot be compared (not representable in JSON)`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`Field ${field}: condition values must be string, number, boolean or null`);
  }
  // The id column has TEXT affinity and would coerce a number to text.
  if (field === 'id' && typeof value !== 'string') throw new Error('Conditions and cursors on id take strings');
  return JSON.stringify(value);
}

function buildWhere(filter: Filter | undefined): Fragment {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const [field, condition] of Object.entries(filter ?? {})) {
    const part = buildCondition(field, condition);
    parts.push(part.sql);
    params.push(...part.params);
  }
  return { sql: parts.join(' AND '), params };
}

function buildCondition(field: string, condition: FieldCondition): Fragment {
  const x = fieldExpr(field);
  if (condition === null || typeof condition !== 'object') {
    const value = argument(field, condition);
    return value === null ? { sql: `${x} IS NULL`, params: [] } : { sql: `${x} = ${ARG}`, params: [value] };
  }
  const ops = Object.keys(condition);
  if ('$contains' in condition) {
    const needle = condition.$contains;
    if (ops.length !== 1 || typeof needle !== 'string') throw badCondition(field);
    // Strings only: instr() would otherwise match inside numbers and JSON text.
    if (field === 'id') return { sql: 'instr(id, ?) > 0', params: [needle] };
    return { sql: `(json_type(doc, '$.${field}') = 'text' AND instr(${x}, ?) > 0)`, params: [needle] };
  }
  if ('$in' in condition) {
    if (ops.length !== 1 || !Array.isArray(condition.$in)) throw badCondition(field);
    const values = condition.$in.map((v) => argument(field, v));
    const present = values.filter((v): v is string => v !== null);
    const alternatives: string[] = [];
    const params: SqlValue[] = [];
    if (present.length > 0) {
      // One shape for any list length; json_each parses like json_extract does.
      alternatives.push(`${x} IN (SELECT value FROM json_each(?))`);
      params.push(`[${present.join(',')}]`);
    }
    if (present.length < values.length) alternatives.push(`${x} IS NULL`);
    if (alternatives.length === 0) return { sql: '0', params: [] };
    return { sql: alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`, params };
  }
  if ('$ne' in condition) {
    if (ops.length !== 1) throw badCondition(field);
    // IS NOT, unlike <>, is true when the field is missing or null.
    const value = argument(field, condition.$ne);
    return value === null ? { sql: `${x} IS NOT NULL`, params: [] } : { sql: `${x} IS NOT ${ARG}`, params: [value] };
  }
  if (ops.length === 0 || !ops.every((op) => op in RANGE_SQL)) throw badCondition(field);
  const range = condition as { readonly [K in RangeOp]?: Scalar };
  const parts = ops.map((op) => `${x} ${RANGE_SQL[op as RangeOp]} ${ARG}`);
  // A NULL bound makes the comparison NULL, hence never true, as in the memory adapter.
  const params = ops.map((op) => argument(field, range[op as RangeOp]));
  return { sql: parts.join(' AND '), params };
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

/**
 * "Strictly after the cursor" in the expanded form
 * (k1 ▷ c1) OR (k1 = c1 AND k2 ▷ c2) OR ..., because row-value comparison
 * cannot mix directions. NULL sorts first ascending, so it needs spelling out:
 * after a NULL ascending means IS NOT NULL; descending, NULL comes after
 * everything and nothing comes after NULL.
 */
function buildCursor(keys: readonly SortKey[], after: readonly Scalar[]): Fragment {
  if (after.length !== keys.length) {
    throw new Error(`Cursor has ${after.length} values; the sort (with id) has ${keys.length} keys`);
  }
  const values = keys.map((key, i) => argument(key.field, after[i]));
  const terms: string[] = [];
  const params: SqlValue[] = [];
  const equalSql: string[] = [];
  const equalParams: SqlValue[] = [];
  keys.forEach((key, i) => {
    const x = fieldExpr(key.field);
    const value = values[i] ?? null;
    let beyond: string | undefined;
    if (key.direction === 'asc') beyond = value === null ? `${x} IS NOT NULL` : `${x} > ${ARG}`;
    else if (value !== null) beyond = `(${x} < ${ARG} OR ${x} IS NULL)`;
    if (beyond !== undefined) {
      terms.push([...equalSql, beyond].join(' AND '));
      params.push(...equalParams);
      if (value !== null) params.push(value);
    }
    if (value === null) {
      equalSql.push(`${x} IS NULL`);
    } else {
      equalSql.push(`${x} = ${ARG}`);
      equalParams.push(value);
    }
  });
  return { sql: terms.length === 0 ? '0' : `(${terms.map((t) => `(${t})`).join(' OR ')})`, params };
}

function buildFind(collection: string, options: FindOptions): Fragment & { limit: number | undefined } {
  const from = table(collection);
  const where = buildWhere(options.filter);
  const keys = effectiveSort(options.sort);
  const cursor = options.after ? buildCursor(keys, options.after) : undefined;
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`Invalid limit ${limit}`);
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`Invalid offset ${offset}`);

  const conditions = [where.sql, cursor?.sql].filter((sql): sql is string => !!sql);
  const order = keys.map((key) => `${fieldExpr(key.field)} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`);
  const selected = options.fields
    ? `json_object('id', id${options.fields.map((field) => `, '${field}', ${jsonFieldExpr(field)}`).join('')})`
    : 'doc';
  const sql =
    `SELECT ${selected} FROM ${from}` +
    (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '') +
    ` ORDER BY ${order.join(', ')} LIMIT ?` +
    (offset > 0 ? ' OFFSET ?' : '');
  const paging = offset > 0 ? [limit ?? -1, offset] : [limit ?? -1];
  return { sql, params: [...where.params, ...(cursor?.params ?? []), ...paging], limit };
}

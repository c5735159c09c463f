/**
 * The read-store port: collections of JSON documents that projections own and
 * queries read. Deliberately document-shaped so that MongoDB maps onto it 1:1
 * and SQLite stores each collection as a table of JSON with expression indexes.
 */
export type Scalar = string | number | boolean | null;

export interface Doc {
  readonly id: string;
  /** Position (decimal string) of the last event applied to this document. */
  readonly _position?: string;
  readonly [field: string]: unknown;
}

export type FieldCondition =
  | Scalar
  | { readonly $in: readonly Scalar[] }
  | { readonly $gt?: Scalar; readonly $gte?: Scalar; readonly $lt?: Scalar; readonly $lte?: Scalar }
  | { readonly $ne: Scalar }
  /**
   * The field is a string holding this text (case-sensitive, any position).
   * Only strings match: numbers, arrays and objects never do. No index helps:
   * it scans what the other conditions leave (keyword search over a
   * lower-cased search key).
   */
  | { readonly $contains: string };

/** Conjunction of conditions on top-level fields. */
export type Filter = { readonly [field: string]: FieldCondition };

export interface SortKey {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

export interface FindOptions {
  readonly filter?: Filter;
  /**
   * Order; the read store appends `id` as the last tie-breaker, in the
   * direction of the last key (ascending when there is none): see `withIdTieBreaker`.
   */
  readonly sort?: readonly SortKey[];
  /** Keyset cursor: the sort values (then `id`) of the last document of the previous page. */
  readonly after?: readonly Scalar[];
  readonly limit?: number;
  /** Documents to skip first (offset paging; keyset paging with `after` scales better). */
  readonly offset?: number;
  /**
   * Only these top-level fields (and `id`) of each document: a large page
   * that needs two fields should not parse whole documents. A field the
   * document lacks comes back as null.
   */
  readonly fields?: readonly string[];
}

/** The `fields` of a document (see FindOptions.fields). */
export function pickFields(doc: Doc, fields: readonly string[]): Doc {
  const picked: Record<string, unknown> = { id: doc.id };
  for (const field of fields) picked[field] = doc[field] ?? null;
  return picked as Doc;
}

/**
 * The order a read store applies: the keys, then `id` (unless already there)
 * in the direction of the last key, ascending without keys. One direction
 * throughout lets one ascending index (filter fields, sort fields, `id`)
 * serve a query both ways, MongoDB scanning it backwards for a descending
 * page; an ascending `id` after a descending key would need a second index
 * or a sort in memory (decision 0022).
 */
export function withIdTieBreaker(sort: readonly SortKey[] | undefined): readonly SortKey[] {
  const keys = sort ?? [];
  if (keys.some((key) => key.field === 'id')) return keys;
  const last = keys[keys.length - 1];
  return [...keys, { field: 'id', direction: last?.direction ?? 'asc' }];
}

/**
 * Whether an index can answer a query in its sort order without sorting: its
 * fields are the filter's equality fields (in any order), then the sort keys
 * (with `id`) in order, all in one direction. Range, `$in` (of more than one
 * value), `$ne` and `$contains` conditions are allowed only on the sort keys
 * or left to filter the scanned entries (they are not in the index prefix).
 */
export function indexServes(index: IndexSpec, options: FindOptions): boolean {
  if (index.kind === 'geo') return false;
  const keys = withIdTieBreaker(options.sort);
  const directions = new Set(keys.map((key) => key.direction));
  if (directions.size > 1) return false;
  const equalities = new Set(
    Object.entries(options.filter ?? {})
      .filter(([, condition]) => isEquality(condition))
      .map(([field]) => field),
  );
  const prefix = index.fields.slice(0, equalities.size);
  if (prefix.length !== equalities.size || !prefix.every((field) => equalities.has(field))) return false;
  const rest = index.fields.slice(equalities.size);
  // Keys pinned by an equality condition need no place in the index's order.
  const sortFields = keys.map((key) => key.field).filter((field) => !equalities.has(field));
  return sortFields.length <= rest.length && sortFields.every((field, i) => rest[i] === field);
}

function isEquality(condition: FieldCondition): boolean {
  if (condition === null || typeof condition !== 'object') return true;
  return '$in' in condition && condition.$in.length === 1;
}

export interface IndexSpec {
  readonly fields: readonly string[];
  readonly unique?: boolean;
  /**
   * `geo`: one field holding a GeoJSON point (`{ type: 'Point', coordinates:
   * [lon, lat] }`, or null); MongoDB builds a `2dsphere` index on it. SQLite
   * and memory build nothing: area queries there are ranges on a latitude
   * field, which an ordered index (declared beside it) serves.
   */
  readonly kind?: 'ordered' | 'geo';
}

export interface CollectionSpec {
  readonly name: string;
  readonly indexes: readonly IndexSpec[];
}

export type WriteOp =
  | { readonly kind: 'put'; readonly collection: string; readonly doc: Doc }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: string };

export interface Checkpoint {
  readonly name: string;
  /** Decimal string of the last position applied, or null for "nothing yet". */
  readonly position: string | null;
}

/**
 * A named lease in the read store: who may write (one projector, one webhook
 * worker, one job runner among several processes) and the fencing token that
 * every guarded write carries. The token grows each time the lease changes
 * hands, never on a renewal, so a writer that lost the lease (paused, cut off,
 * past its expiry) is refused by the store even if it does not know yet.
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly token: number;
  /** Epoch milliseconds, on the clock of the process that took or renewed it. */
  readonly expiresAt: number;
}

/** What a guarded write carries: the lease it writes under and the token it holds. */
export interface Fence {
  readonly lease: string;
  readonly token: number;
}

/** A guarded write whose token is not the lease's current one: nothing of it was written. */
export class FencedOutError extends Error {
  constructor(
    readonly fence: Fence,
    readonly current: number | null,
  ) {
    super(`Lease ${fence.lease}: token ${fence.token} is fenced out (current ${current === null ? 'none' : current}); nothing was written`);
    this.name = 'FencedOutError';
  }
}

/**
 * The store could not take the write now (SQLite busy or locked past its
 * timeout): nothing was written, and the same write may succeed later. Never a
 * projection's failure: the projector retries the batch.
 */
export class ReadStoreBusyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReadStoreBusyError';
  }
}

export interface ReadStore {
  /** Creates collections and the indexes each declares; idempotent. */
  ensureCollections(specs: readonly CollectionSpec[]): Promise<void>;
  get(collection: string, id: string): Promise<Doc | null>;
  getMany(collection: string, ids: readonly string[]): Promise<Doc[]>;
  find(collection: string, options?: FindOptions): Promise<Doc[]>;
  count(collection: string, filter?: Filter): Promise<number>;
  /**
   * Applies the writes and moves the checkpoints in one unit: in SQLite one
   * transaction; in MongoDB position-guarded writes first, checkpoints after.
   * With a fence, all of it is written only while the fence's token is the
   * lease's current one, checked inside the same unit; else FencedOutError.
   */
  commit(ops: readonly WriteOp[], checkpoints: readonly Checkpoint[], fence?: Fence): Promise<void>;
  /**
   * Writes each document whose id the collection does not hold yet, and
   * answers the ids it held already (those documents are left as they are).
   * Each id is taken atomically: of two callers, in one process or several,
   * inserting the same id, exactly one writes it. One round trip for a batch:
   * claims that must be made once (an application token's `jti`).
   */
  insertAbsent(collection: string, docs: readonly Doc[]): Promise<string[]>;
  getCheckpoint(name: string): Promise<string | null>;
  /** Empties the collections and removes the named checkpoints (rebuild); fenced like `commit`. */
  reset(collections: readonly string[], checkpointNames: readonly string[], fence?: Fence): Promise<void>;
  /**
   * Takes or renews the named lease for `holder` until `now + ttlMs`: renewed
   * (same token) while `holder` holds it; taken (token + 1) when it is free or
   * expired at `now`; null while another holder's lease runs.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now?: number): Promise<Lease | null>;
  /** Gives the lease up (it expires at once) if `holder` still holds it with `token`. */
  releaseLease(name: string, holder: string, token: number): Promise<void>;
  /** The lease as stored, or null when never taken. */
  getLease(name: string): Promise<Lease | null>;
  /**
   * After an erasure: whatever the store keeps of overwritten or deleted
   * documents outside them (SQLite's write-ahead log) is dropped now, not at
   * some later checkpoint. Stores that keep nothing of the kind do nothing.
   */
  purgeFreed?(): Promise<void>;
  /**
   * For a rebuild from empty (Projector.rebuild): drops the non-unique
   * indexes of these collections, so that a bulk load does not maintain them
   * row by row; `ensureCollections` builds them again, one pass each, once the
   * load is done. Queries answer the same meanwhile, only unindexed; unique
   * indexes stay, so uniqueness holds throughout. Stores without a cheaper
   * bulk build do not offer it.
   */
  dropSecondaryIndexes?(collections: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A commit too large for the store to apply as one unit (MongoDB: the
 * transaction limits the adapter keeps under). Not worth retrying as is: the
 * caller splits the batch, and a single event still too large is that
 * projection's failure, not a reason to retry forever.
 */
export class CommitTooLargeError extends Error {
  constructor(
    readonly ops: number,
    readonly bytes: number,
    reason: string,
  ) {
    super(`Read store commit too large (${ops} writes, ${bytes} bytes): ${reason}`);
    this.name = 'CommitTooLargeError';
  }
}

/**
 * The lease rule every adapter applies inside its own transaction: renew for
 * the holder (same token), take when free or expired (token + 1), else null.
 */
export function nextLease(current: Lease | null, name: string, holder: string, ttlMs: number, now: number): Lease | null {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new TypeError(`Lease ${name}: ttlMs must be a positive integer`);
  if (typeof holder !== 'string' || holder === '') throw new TypeError(`Lease ${name}: holder must be a non-empty string`);
  if (current !== null && current.holder === holder && current.expiresAt > now) return { ...current, expiresAt: now + ttlMs };
  if (current !== null && current.expiresAt > now) return null;
  return { name, holder, token: (current?.token ?? 0) + 1, expiresAt: now + ttlMs };
}

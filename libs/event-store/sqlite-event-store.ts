import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type PositionCheck,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  DuplicateEventIdError,
} from './event-store.port';
import {
  type AppendTarget,
  type LogSource,
  LogSubscription,
  type PreparedEvent,
  applyAppend,
  checkReadAllOptions,
  checkReadStreamOptions,
  prepareAppend,
  storeClosedError,
} from './memory-event-store';
import { applyImport, heldElsewhere, type EventImporter, type ImportOutcome, type ImportTarget } from './import-events';
import { prefixUpperBound, type LogIndex } from './log-index';

export interface SqliteEventStoreOptions {
  /** A path, or ':memory:'. */
  readonly file: string;
  /** 'full' (default): a resolved append survives an OS crash. 'normal': only a process crash. */
  readonly synchronous?: 'full' | 'normal';
  /**
   * The connection's page cache in MiB (SQLite's default is 2). An import
   * inserts ids at random places of the unique id index of a log of hundreds
   * of MiB; with a larger cache those pages stay in memory between batches.
   */
  readonly cacheMiB?: number;
  /**
   * Pages the write-ahead log may hold before a commit copies them into the
   * database (SQLite's default is 1000). An import of 10,000 events a
   * transaction fills that in every commit; a larger figure copies a page
   * rewritten by several commits once.
   */
  readonly walAutocheckpointPages?: number;
}

/** Another process may append to a shared file; nothing notifies us of that. */
const FOREIGN_WRITE_POLL_MS = 100;
const BUSY_TIMEOUT_MS = 5_000;
/**
 * A stream prefix covering more events than this is read in log order: its
 * events are then common enough that a page finds them soon, and sorting all
 * of them would cost more.
 */
const STREAM_PREFIX_INDEXED = 20_000;

interface EventRow {
  position: number | bigint;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  version: number;
  data: string;
  metadata: string;
  recorded_at: string;
}

interface PendingAppend {
  readonly streamId: string;
  readonly events: PreparedEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

const COLUMNS = 'position, id, stream_id, revision, type, version, data, metadata, recorded_at';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT    NOT NULL UNIQUE,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
-- The audit console's pages filtered by type (LogIndex): the rowid makes it (type, position).
CREATE INDEX IF NOT EXISTS events_by_type ON events (type)`;

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    streamId: row.stream_id,
    revision: row.revision,
    position: BigInt(row.position),
    recordedAt: row.recorded_at,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
  };
}

function isDuplicateId(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('events.id');
}

/**
 * better-sqlite3 is synchronous and an fsync per append would cap the store at
 * a few thousand appends/s, so appends queue up and one setImmediate flush
 * commits every queued append in a single transaction. Each append is still
 * checked on its own, inside that transaction, so it sees the appends queued
 * before it; a failed check rejects only that append.
 */
export class SqliteEventStore implements EventStore, EventImporter, LogIndex {
  readonly answersEachPosition = true;
  private readonly db: Database.Database;
  private readonly selectById: Database.Statement<[string], EventRow>;
  private readonly selectRevision: Database.Statement<[string], { revision: number }>;
  private readonly insertEvent: Database.Statement<[string, string, number, string, number, string, string, string]>;
  private readonly selectForwards: Database.Statement<[string, number, number], EventRow>;
  private readonly selectBackwards: Database.Statement<[string, number, number], EventRow>;
  private readonly selectAfter: Database.Statement<[bigint, number], EventRow>;
  private readonly selectHead: Database.Statement<[], { position: number | bigint | null }>;
  private readonly selectFrom: Database.Statement<[bigint, number], EventRow>;
  private readonly countAfterStatement: Database.Statement<[bigint], { count: number }>;
  private readonly selectTypePositions: Database.Statement<[string, bigint, bigint, number], { position: number | bigint }>;
  private readonly countInStreams: Database.Statement<[string, string, number], { count: number }>;
  private readonly selectStreamPositions: Database.Statement<[string, string, bigint, bigint, number], { position: number | bigint }>;
  private readonly flushTransaction: Database.Transaction<(batch: PendingAppend[], outcomes: Outcome[]) => void>;
  private readonly appendTransaction: Database.Transaction<(pending: PendingAppend) => AppendResult>;

  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly subscriptions = new Set<LogSubscription>();
  private readonly pollIntervalMs: number | null;

  private readonly target: AppendTarget = {
    streamRevision: (streamId) => this.currentRevision(streamId),
    insert: (streamId, revision, event) => {
      try {
        const info = this.insertEvent.run(
          event.id,
          streamId,
          revision,
          event.type,
          event.version,
          event.data,
          event.metadata,
          event.recordedAt,
        );
        return BigInt(info.lastInsertRowid);
      } catch (error) {
        // The unique id column is a safety net, not a retry: the append's savepoint rolls back.
        if (isDuplicateId(error)) throw new DuplicateEventIdError(streamId, event.id);
        throw error;
      }
    },
  };

  private readonly source: LogSource = {
    readAfter: (after, maxCount) => this.selectAfter.all(after ?? 0n, maxCount).map(toStoredEvent),
    listen: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  constructor(options: SqliteEventStoreOptions) {
    const inMemory = options.file === ':memory:';
    if (!inMemory) mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file, { timeout: BUSY_TIMEOUT_MS });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      if (options.cacheMiB !== undefined) this.db.pragma(`cache_size = ${-Math.round(options.cacheMiB * 1024)}`);
      if (options.walAutocheckpointPages !== undefined) this.db.pragma(`wal_autocheckpoint = ${Math.round(options.walAutocheckpointPages)}`);
      this.db.exec(SCHEMA);
      this.selectById = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = ?`);
      this.selectRevision = this.db.prepare(
        'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      );
      this.insertEvent = this.db.prepare(
        `INSERT INTO events (id, stream_id, revision, type, version, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.selectForwards = this.db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      );
      this.selectBackwards = this.db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      );
      this.selectAfter = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
      this.selectHead = this.db.prepare('SELECT MAX(position) AS position FROM events');
      this.selectFrom = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`);
      this.countAfterStatement = this.db.prepare('SELECT count(*) AS count FROM events WHERE position > ?');
      this.selectTypePositions = this.db.prepare(
        'SELECT position FROM events WHERE type = ? AND position > ? AND position <= ? ORDER BY position LIMIT ?',
      );
      this.countInStreams = this.db.prepare(
        'SELECT count(*) AS count FROM (SELECT 1 FROM events WHERE stream_id >= ? AND stream_id < ? LIMIT ?)',
      );
      // `+position` keeps SQLite on the stream index (then a sort of the few it finds) instead of walking the log.
      this.selectStreamPositions = this.db.prepare(
        'SELECT position FROM events WHERE stream_id >= ? AND stream_id < ? AND +position > ? AND +position <= ? ORDER BY position LIMIT ?',
      );
    } catch (error) {
      this.db.close();
      throw error;
    }
    // Nested better-sqlite3 transactions become savepoints: an append that
    // fails half-way rolls back alone and the rest of the batch still commits.
    this.appendTransaction = this.db.transaction((pending: PendingAppend) =>
      applyAppend(this.target, pending.streamId, pending.events, pending.expected),
    );
    this.flushTransaction = this.db.transaction((batch: PendingAppend[], outcomes: Outcome[]) => {
      for (const pending of batch) {
        try {
          outcomes.push({ ok: true, result: this.appendTransaction(pending) });
        } catch (error) {
          // SQLite rolls the whole transaction back on some errors (disk
          // full, I/O); going on would write the rest in autocommit mode.
          if (!this.db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    });
    this.pollIntervalMs = inMemory ? null : FOREIGN_WRITE_POLL_MS;
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(storeClosedError('SqliteEventStore'));
    let prepared: PreparedEvent[];
    try {
      prepared = prepareAppend(streamId, events, expected, new Date().toISOString());
    } catch (error) {
      return Promise.reject(error);
    }
    return this.appendPrepared(streamId, prepared, expected);
  }

  /**
   * An append already checked and serialised by `prepareAppend` (the writer
   * thread receives it so from the API), queued for the next group commit.
   */
  appendPrepared(streamId: string, prepared: PreparedEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(storeClosedError('SqliteEventStore'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events: prepared, expected, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    checkReadStreamOptions(options);
    // LIMIT -1 is SQLite's "no limit".
    const limit = options?.maxCount ?? -1;
    const rows =
      options?.direction === 'backwards'
        ? this.selectBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.selectForwards.all(streamId, options?.fromRevision ?? 0, limit);
    return rows.map(toStoredEvent);
  }

  async streamRevision(streamId: string): Promise<number | null> {
    this.assertOpen();
    return this.currentRevision(streamId);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    checkReadAllOptions(options);
    if (options.from !== undefined) return this.selectFrom.all(options.from, options.maxCount).map(toStoredEvent);
    return this.source.readAfter(options.after, options.maxCount);
  }

  /** Any whole number up to the head is a place to read after: the sequence has no other form. */
  async checkPosition(position: Position): Promise<PositionCheck> {
    this.assertOpen();
    const head = (await this.headPosition()) ?? 0n;
    return position > head ? 'ahead' : 'issued';
  }

  async countAfter(after: Position | undefined): Promise<number> {
    this.assertOpen();
    return this.countAfterStatement.get(after ?? 0n)?.count ?? 0;
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    const position = this.selectHead.get()?.position;
    return position === null || position === undefined ? null : BigInt(position);
  }

  /** LogIndex: from the type index, without touching the events between. */
  async positionsOfType(type: string, after: Position, to: Position, maxCount: number): Promise<Position[]> {
    this.assertOpen();
    return this.selectTypePositions.all(type, after, to, maxCount).map((row) => BigInt(row.position));
  }

  /** LogIndex: from the stream index while the prefix covers at most STREAM_PREFIX_INDEXED events. */
  async positionsInStreams(prefix: string, after: Position, to: Position, maxCount: number): Promise<Position[] | null> {
    this.assertOpen();
    const upper = prefixUpperBound(prefix);
    if (upper === null) return null;
    if ((this.countInStreams.get(prefix, upper, STREAM_PREFIX_INDEXED + 1)?.count ?? 0) > STREAM_PREFIX_INDEXED) return null;
    return this.selectStreamPositions.all(prefix, upper, after, to, maxCount).map((row) => BigInt(row.position));
  }

  /** Writes exported events as they were, in one transaction per call (see applyImport). */
  async importEvents(events: readonly StoredEvent[]): Promise<ImportOutcome> {
    this.assertOpen();
    this.flush();
    const insertAt = this.db.prepare(
      `INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const target: ImportTarget = {
      findEvent: (id) => {
        const row = this.selectById.get(id);
        return row === undefined ? undefined : toStoredEvent(row);
      },
      streamRevision: (streamId) => this.currentRevision(streamId),
      head: () => {
        const position = this.selectHead.get()?.position;
        return position === null || position === undefined ? null : BigInt(position);
      },
      insertAt: (event) => {
        try {
          insertAt.run(
            event.position,
            event.id,
            event.streamId,
            event.revision,
            event.type,
            event.version,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata),
            event.recordedAt,
          );
        } catch (error) {
          const held = isDuplicateId(error) ? this.selectById.get(event.id) : undefined;
          if (held !== undefined) throw heldElsewhere(event, toStoredEvent(held));
          throw error;
        }
      },
      // The unique id column refuses an id held elsewhere; insertAt names where.
      refusesHeldIds: true,
    };
    const outcome = this.db.transaction(() => applyImport(target, events)).immediate();
    if (outcome.imported > 0) for (const listener of this.listeners) listener();
    return outcome;
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new LogSubscription(this.source, options, this.pollIntervalMs, (closed) => {
      this.subscriptions.delete(closed);
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Commits the appends already accepted, stops the subscriptions, then closes the file. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      this.closing = (async () => {
        await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
        this.flush();
        this.db.close();
      })();
    }
    return this.closing;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const outcomes: Outcome[] = [];
    try {
      this.flushTransaction.immediate(batch, outcomes);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    let wrote = false;
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as PendingAppend;
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) {
        pending.resolve(outcome.result);
        wrote = true;
      } else {
        pending.reject(outcome.error);
      }
    }
    if (wrote) for (const listener of this.listeners) listener();
  };

  /**
   * Another connection of this process committed to the file (the writer
   * thread): subscriptions read on at once instead of at their next poll.
   */
  signalCommit(): void {
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after each commit this store made or was told of; returns the unregistration. */
  onCommit(listener: () => void): () => void {
    return this.source.listen(listener);
  }

  private currentRevision(streamId: string): number | null {
    return this.selectRevision.get(streamId)?.revision ?? null;
  }

  private assertOpen(): void {
    if (this.closed) throw storeClosedError('SqliteEventStore');
  }
}

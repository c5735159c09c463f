import {
  MongoClient,
  MongoNetworkError,
  MongoOperationTimeoutError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type Db,
  type MongoClientOptions,
} from 'mongodb';
import type { Readable } from 'node:stream';
import { ConnectionMonitor, StoreUnavailableError, describeError, type StoreLogger } from '../config/store-connection';
import { withStallDeadline } from './stall-deadline';

/*
 * The one way Parley opens MongoDB (read store, media and job files in
 * GridFS, personal-data keys): the same timeouts, the same deadline per call,
 * the same answer when the server is down. `test/architecture/mongo-clients.unit.spec.ts`
 * keeps `new MongoClient` in this file.
 *
 * Why not the driver's `timeoutMS`: in the installed driver (6.22) it is
 * deprecated and ignored (`connection_string.js`: "timeoutMS has no effect";
 * `TimeoutContext.create` never builds a CSOT context), so it bounds nothing.
 * Two things bound a call instead:
 * - the driver's own timeouts, each at most the deadline, so an unreachable
 *   server, a connection that does not open or a pool with no free
 *   connection fails inside the driver (server selection stays at 5 s at
 *   most, as before; the URL's own values win);
 * - the deadline itself (`MONGODB_DEADLINE_MS`, default `STORE_DEADLINE_MS`):
 *   a call still unanswered then is given up with the driver's
 *   `MongoOperationTimeoutError`. The driver's heartbeat ends sockets a
 *   server stopped answering on; a socket timeout is not set, because index
 *   builds and GridFS uploads legitimately outlast any deadline (those calls
 *   are guarded without one). A GridFS download has no end it must reach in
 *   time either: it runs under a stall deadline instead (`download`), which
 *   counts only while the reader waits for the next chunk.
 * A call given up may still complete on the server. Every MongoDB write
 * Parley makes is idempotent (position-guarded and fenced read-model
 * commits, key upserts, content-addressed blobs), so answering it
 * "unavailable, retry" is safe.
 */

/** STORE_DEADLINE_MS's default, for adapters built without a configuration (tests, tools). */
export const DEFAULT_MONGODB_DEADLINE_MS = 10_000;
/** Server selection never waits longer than this, even under a longer deadline. */
const MAX_SERVER_SELECTION_MS = 5_000;

/** The client options every Parley MongoDB user gets; a timeout the URL names is left to the URL. */
export function mongoClientOptions(url: string, appName: string, deadlineMs: number): MongoClientOptions {
  const named = (option: string): boolean => new RegExp(`[?&]${option}=`, 'i').test(url);
  const options: MongoClientOptions = { appName };
  if (!named('serverSelectionTimeoutMS')) options.serverSelectionTimeoutMS = Math.min(deadlineMs, MAX_SERVER_SELECTION_MS);
  if (!named('connectTimeoutMS')) options.connectTimeoutMS = deadlineMs;
  if (!named('waitQueueTimeoutMS')) options.waitQueueTimeoutMS = deadlineMs;
  return options;
}

/** The database named in a MongoDB URL's path, if any. */
export function databaseFromUrl(url: string): string | null {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]+)/i.exec(url);
  if (match === null || match[1] === undefined) return null;
  const name = decodeURIComponent(match[1]);
  return name === '' ? null : name;
}

/** Errors that mean the server could not be reached or did not answer in time. */
export function isMongoUnavailable(error: unknown): boolean {
  return (
    error instanceof MongoServerSelectionError ||
    // Includes MongoNetworkTimeoutError: a socket that timed out.
    error instanceof MongoNetworkError ||
    error instanceof MongoOperationTimeoutError ||
    // A failed automatic connect closes the topology under concurrent operations.
    error instanceof MongoTopologyClosedError
  );
}

export interface MongoConnectionOptions {
  /** `mongodb://host:27017/parley?replicaSet=rs0`. */
  readonly url: string;
  /** Overrides the URL's database, else `parley`. */
  readonly database?: string;
  /** How errors, logs and /health name it: "MongoDB", "MongoDB (media)", ... */
  readonly store: string;
  /** The driver's appName: which Parley user this is in the server's logs. */
  readonly appName: string;
  /** The longest one call may take (MONGODB_DEADLINE_MS). */
  readonly deadlineMs?: number;
  readonly logger?: StoreLogger;
}

export interface GuardOptions {
  /** False for calls that may rightly outlast the deadline (index builds, uploads). */
  readonly deadline?: boolean;
}

/** A MongoDB client with its connection monitor and its deadline. */
export class MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
  readonly monitor: ConnectionMonitor;
  readonly deadlineMs: number;
  private closed = false;

  constructor(options: MongoConnectionOptions) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_MONGODB_DEADLINE_MS;
    this.client = new MongoClient(options.url, mongoClientOptions(options.url, options.appName, this.deadlineMs));
    this.db = this.client.db(options.database ?? databaseFromUrl(options.url) ?? 'parley');
    this.monitor = new ConnectionMonitor({
      store: options.store,
      url: options.url,
      logger: options.logger,
      probe: async () => {
        await this.withinDeadline(this.db.command({ ping: 1 }));
      },
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs one call to the server within the deadline, keeping the monitor
   * informed. Known down: refused at once with the store named (503
   * STORE.UNAVAILABLE) rather than a deadline per request; unreachable or
   * unanswered: StoreUnavailableError naming the store; any other error as is.
   */
  async guard<T>(call: () => Promise<T>, options: GuardOptions = {}): Promise<T> {
    this.refuseWhenDown();
    try {
      const result = await (options.deadline === false ? call() : this.withinDeadline(call()));
      this.monitor.succeeded();
      return result;
    } catch (error) {
      if (this.closed || !isMongoUnavailable(error)) {
        if (!this.closed) this.monitor.succeeded();
        throw error;
      }
      this.monitor.failed(error);
      throw new StoreUnavailableError(this.monitor.store, this.monitor.url, describeError(error));
    }
  }

  /**
   * A download stream (GridFS), refused at once while the store is known to
   * be down. The stream ends with StoreUnavailableError naming the store when
   * the reader has waited the deadline for a chunk, or when the server drops
   * the connection mid-download; either tells the monitor.
   */
  download(open: () => Readable): Readable {
    this.refuseWhenDown();
    const unavailable = (error: Error): Error => {
      if (this.closed || !isMongoUnavailable(error)) return error;
      this.monitor.failed(error);
      return new StoreUnavailableError(this.monitor.store, this.monitor.url, describeError(error));
    };
    return withStallDeadline(open(), {
      ms: this.deadlineMs,
      stalled: () => unavailable(new MongoOperationTimeoutError(`no data within ${this.deadlineMs} ms of a download`)),
      failed: unavailable,
    });
  }

  /** Known down: refused at once with the store named (503 STORE.UNAVAILABLE). */
  private refuseWhenDown(): void {
    if (!this.closed && this.monitor.isDown()) {
      throw new StoreUnavailableError(this.monitor.store, this.monitor.url, this.monitor.status().error ?? 'unreachable');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.monitor.close();
    await this.client.close();
  }

  private withinDeadline<T>(pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new MongoOperationTimeoutError(`no answer within ${this.deadlineMs} ms`)), this.deadlineMs);
    });
    // The given-up call still settles later; its rejection must not go unhandled.
    pending.catch(() => undefined);
    return Promise.race([pending, expired]).finally(() => clearTimeout(timer));
  }
}

/** Opens a connection lazily: the driver connects on the first call. */
export function openMongo(options: MongoConnectionOptions): MongoConnection {
  return new MongoConnection(options);
}

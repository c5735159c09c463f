/**
 * Reachability of a networked store (EventStoreDB, MongoDB): one clear log
 * line when it cannot be reached, a quiet retry with growing pauses, one line
 * when it is back, and a status `/health` can report. The adapters use it so
 * that a process started before its database neither crash-loops nor prints a
 * stack trace per attempt.
 */

export type StoreState = 'connecting' | 'up' | 'down' | 'closed';

export interface StoreStatus {
  /** e.g. "EventStoreDB", "MongoDB". */
  readonly store: string;
  /** The configured URL with any password removed. */
  readonly url: string;
  readonly state: StoreState;
  /** When the state last changed (ISO 8601). */
  readonly since: string;
  /** Why the store is down, or null. */
  readonly error: string | null;
}

/** A store adapter that knows whether its server is reachable. */
export interface MonitoredStore {
  /** Starts connecting (idempotent); resolves once the server answered, or when the store is closed. */
  connect(): Promise<void>;
  connectionStatus(): StoreStatus;
}

export function isMonitoredStore(value: unknown): value is MonitoredStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<MonitoredStore>).connectionStatus === 'function' &&
    typeof (value as Partial<MonitoredStore>).connect === 'function'
  );
}

export interface StoreLogger {
  log(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Raised instead of waiting when a store is known to be unreachable. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly store: string,
    readonly url: string,
    reason: string,
  ) {
    super(`${store} at ${url} is unavailable: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}

/** Removes the password from `scheme://user:password@host/...` (several hosts allowed). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_match, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    return `${scheme}${user}${userinfo.includes(':') ? ':***' : ''}@`;
  });
}

/** First line of an error's message: drivers append multi-line details. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // gRPC ends its messages with an empty "Resolution note:".
  const line = (text.split('\n')[0] ?? '').replace(/\s*Resolution note:\s*$/, '').trim();
  return line || (error instanceof Error ? error.name : 'unknown error');
}

export interface ConnectionMonitorOptions {
  readonly store: string;
  readonly url: string;
  /** A cheap round trip; throws when the server cannot be reached. */
  readonly probe: () => Promise<void>;
  readonly logger?: StoreLogger;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

const silent: StoreLogger = { log: () => undefined, warn: () => undefined };

export class ConnectionMonitor {
  readonly store: string;
  readonly url: string;
  private state: StoreState = 'connecting';
  private since = new Date().toISOString();
  private lastError: string | null = null;
  private loop: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private downSince: number | null = null;
  private everUp = false;
  private readonly logger: StoreLogger;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: ConnectionMonitorOptions) {
    this.store = options.store;
    this.url = redactUrl(options.url);
    this.logger = options.logger ?? silent;
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
  }

  status(): StoreStatus {
    return { store: this.store, url: this.url, state: this.state, since: this.since, error: this.lastError };
  }

  isDown(): boolean {
    return this.state === 'down';
  }

  /** Starts the probe loop unless it runs; resolves when the store is up or closed. */
  connect(): Promise<void> {
    if (this.state === 'up' || this.state === 'closed') return Promise.resolve();
    this.loop ??= this.run().finally(() => {
      this.loop = null;
    });
    return this.untilUp();
  }

  /** Resolves when the store is up (or closed); never rejects. */
  untilUp(): Promise<void> {
    if (this.state === 'up' || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** An operation got an answer from the server. */
  succeeded(): void {
    if (this.state === 'up' || this.state === 'closed') return;
    this.markUp();
  }

  /** An operation could not reach the server: report once and probe until it is back. */
  failed(error: unknown): void {
    if (this.state === 'closed') return;
    if (this.state !== 'down') this.markDown(error);
    void this.connect();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.setState('closed');
    this.releaseWaiters();
    this.wakeSleeper();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.state !== 'up' && this.state !== 'closed') {
      try {
        await this.options.probe();
        if (!this.isClosed()) this.markUp();
        return;
      } catch (error) {
        if (this.isClosed()) return;
        if (this.state !== 'down') this.markDown(error);
        else this.lastError = describeError(error);
      }
      const delay = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(attempt++, 16));
      await this.sleep(delay);
    }
  }

  /** Read through a method: the state changes while the loop awaits. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private markUp(): void {
    const wasDown = this.downSince;
    this.setState('up');
    this.lastError = null;
    this.downSince = null;
    if (wasDown !== null) {
      const seconds = Math.round((Date.now() - wasDown) / 100) / 10;
      this.logger.log(`${this.store} at ${this.url} is reachable ${this.everUp ? 'again ' : ''}after ${seconds} s`, {
        store: this.store,
        url: this.url,
      });
    } else if (!this.everUp) {
      this.logger.log(`${this.store} at ${this.url} is reachable`, { store: this.store, url: this.url });
    }
    this.everUp = true;
    this.releaseWaiters();
  }

  private markDown(error: unknown): void {
    this.lastError = describeError(error);
    this.downSince ??= Date.now();
    this.setState('down');
    // The one line an operator needs; the retries that follow stay quiet.
    this.logger.warn(
      `${this.store} at ${this.url} is unreachable (${this.lastError}); retrying with backoff up to ${Math.round(this.maxDelayMs / 1000)} s`,
      { store: this.store, url: this.url, error: this.lastError },
    );
  }

  private setState(state: StoreState): void {
    if (this.state === state) return;
    this.state = state;
    this.since = new Date().toISOString();
  }

  private releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = null;
        resolve();
      }, ms);
      // Not unref'd: a process waiting for its database must stay alive.
      this.sleeper = { timer, wake: resolve };
    });
  }

  private wakeSleeper(): void {
    if (this.sleeper === null) return;
    clearTimeout(this.sleeper.timer);
    const { wake } = this.sleeper;
    this.sleeper = null;
    wake();
  }
}

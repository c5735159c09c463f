import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Fence, Lease, ReadStore } from './read-store.port';

/** This process as a lease holder: host, pid and a random part (a pid is reused after a restart). */
export function leaseHolder(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/**
 * Whether a holder may still be running: false only for a process of this
 * host that no longer exists (a crashed API or projector on one machine, whose
 * lease need not be waited out). Other hosts' holders are taken as alive.
 */
export function holderMayBeAlive(holder: string): boolean {
  const [host, pid] = holder.split('/');
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return true;
  if (Number(pid) === process.pid) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Names of the leases Parley's single writers hold, one each. */
export const LEASES = { projector: 'projector', webhooks: 'webhook-worker', jobs: 'job-runner', mediaSweep: 'media-sweep' } as const;

export interface LeaseKeeperOptions {
  /** How long a taken or renewed lease runs without a renewal. */
  readonly ttlMs: number;
  /** How often the keeper renews it (or tries to take it); at most a third of ttlMs. */
  readonly renewMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/** A guarded write was attempted without a lease this process still trusts: nothing was sent. */
export class LeaseNotHeldError extends Error {
  constructor(readonly lease: string) {
    super(`Lease ${lease} is not held by this process; nothing was written`);
    this.name = 'LeaseNotHeldError';
  }
}

/**
 * Holds one named lease for this process: tries to take it, renews it every
 * `renewMs`, and hands out the fence its writes carry. This process stops
 * trusting the lease one renewal period before it would expire unrenewed,
 * so it stops writing before any other process can take it over; the store's
 * fencing token refuses it anyway if it writes later (a long pause, a clock
 * that jumped).
 */
export class LeaseKeeper {
  private lease: Lease | null = null;
  private trustedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly renewMs: number;
  private readonly now: () => number;
  private readonly acquiredListeners = new Set<(lease: Lease) => void>();
  private readonly lostListeners = new Set<() => void>();
  private waiters: (() => void)[] = [];
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ReadStore,
    readonly name: string,
    readonly holder: string,
    private readonly options: LeaseKeeperOptions,
  ) {
    this.renewMs = Math.min(options.renewMs ?? Math.floor(options.ttlMs / 3), Math.floor(options.ttlMs / 3));
    if (this.renewMs <= 0) throw new TypeError(`Lease ${name}: ttlMs must be at least 3 ms`);
    this.now = options.now ?? Date.now;
  }

  /** Starts taking and renewing the lease in the background. */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.renewMs);
    this.timer.unref();
  }

  /** Takes or renews the lease now; answers whether this process holds it. */
  tick(): Promise<boolean> {
    const run = this.ticking.then(() => this.renew());
    this.ticking = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Whether this process holds the lease and still trusts it. */
  held(): boolean {
    return this.lease !== null && this.now() < this.trustedUntil;
  }

  /** The fence for a guarded write, or LeaseNotHeldError when the lease is not (or no longer) trusted. */
  fence(): Fence {
    if (this.lease === null || !this.held()) throw new LeaseNotHeldError(this.name);
    return { lease: this.name, token: this.lease.token };
  }

  /** Resolves once this process holds the lease (or the keeper stops). */
  whenHeld(): Promise<void> {
    if (this.held() || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Called with each newly taken lease (a new token: whatever was read under an older one is stale). */
  onAcquired(listener: (lease: Lease) => void): () => void {
    this.acquiredListeners.add(listener);
    return () => this.acquiredListeners.delete(listener);
  }

  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Stops renewing and gives the lease up, so the next holder need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    const lease = this.lease;
    this.lease = null;
    for (const wake of this.waiters.splice(0)) wake();
    if (lease !== null) await this.store.releaseLease(this.name, this.holder, lease.token).catch(() => undefined);
  }

  private async renew(): Promise<boolean> {
    if (this.stopped) return false;
    const now = this.now();
    let next: Lease | null;
    try {
      next = await this.store.acquireLease(this.name, this.holder, this.options.ttlMs, now);
    } catch (error) {
      // The store is unreachable: keep trusting the lease only until its margin runs out.
      this.options.log?.('lease renewal failed', { lease: this.name, error: String(error) });
      if (this.lease !== null && !this.held()) this.lose();
      return this.held();
    }
    if (this.stopped) return false;
    if (next === null) next = await this.takeFromTheDead(now);
    if (this.stopped) return false;
    if (next === null) {
      if (this.lease !== null) this.lose();
      return false;
    }
    const fresh = this.lease === null || this.lease.token !== next.token;
    this.lease = next;
    // One renewal period short of the expiry: stopped before anyone else may take it.
    this.trustedUntil = now + this.options.ttlMs - this.renewMs;
    if (fresh) {
      this.options.log?.('lease taken', { lease: this.name, holder: this.holder, token: next.token });
      for (const listener of this.acquiredListeners) listener(next);
      for (const wake of this.waiters.splice(0)) wake();
    }
    return true;
  }

  /** A lease held by a process of this host that is gone is as good as expired: taken as at its expiry. */
  private async takeFromTheDead(now: number): Promise<Lease | null> {
    const current = await this.store.getLease(this.name).catch(() => null);
    if (current === null || current.holder === this.holder || holderMayBeAlive(current.holder)) return null;
    const taken = await this.store.acquireLease(this.name, this.holder, this.options.ttlMs, Math.max(now, current.expiresAt)).catch(() => null);
    if (taken !== null) this.options.log?.('lease taken over from a process that is gone', { lease: this.name, from: current.holder });
    return taken;
  }

  private lose(): void {
    this.options.log?.('lease lost', { lease: this.name, holder: this.holder });
    this.lease = null;
    for (const listener of this.lostListeners) listener();
  }
}

import type { Position } from '../event-store/event-store.port';

/**
 * Callers waiting for the read models to pass a position (X-Min-Position):
 * each resolves true once `release` reports a position at or past its own,
 * false after its timeout or when `releaseAll` gives up on them all.
 */
export class PositionWaiters {
  private waiters: { position: Position; resolve: (reached: boolean) => void }[] = [];

  /** Waits for `release(p)` with `p >= position`; `current` answers at once when already there. */
  wait(position: Position, timeoutMs: number, current: Position | null): Promise<boolean> {
    if (current !== null && current >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves, true, every waiter at or before `current`. */
  release(current: Position | null): void {
    if (current === null || this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.position <= current);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > current);
    for (const waiter of ready) waiter.resolve(true);
  }

  /** Resolves every waiter, false: the projector stops. */
  releaseAll(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) waiter.resolve(false);
  }
}

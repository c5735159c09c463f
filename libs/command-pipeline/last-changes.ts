import type { Position, StoredEvent } from '../event-store/event-store.port';

interface Waiter {
  readonly position: Position;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Where each stream of one kind (a stream id prefix) last changed, as the
 * live log showed it, and how far the log has been seen. Lets a writer ask
 * "did stream S change between positions A and B?" without reading S: once
 * the log has been seen past B, S's last change says. Fed by the process's
 * log follower in log order.
 *
 * Bounded: past `capacity` streams the least recently changed is forgotten,
 * and `floor` keeps the highest position forgotten, so a stream not held is
 * known not to have changed above it. Answers are exact or "cannot tell"
 * (null), never a guess: the caller then reads the stream.
 *
 * Like the cached states it sits beside (StreamStateCache), it trusts that
 * a `since` the caller took from such a state is not older than the log's
 * start of following.
 */
export class LastChanges {
  private readonly last = new Map<string, Position>();
  private floor: Position | null = null;
  private seen: Position | null = null;
  private waiters: Waiter[] = [];

  constructor(
    private readonly prefix: string,
    private readonly capacity = 100_000,
  ) {}

  /** A batch of the live log, in order. */
  see(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      if (!stored.streamId.startsWith(this.prefix)) continue;
      this.last.delete(stored.streamId);
      this.last.set(stored.streamId, stored.position);
      if (this.last.size > this.capacity) {
        const [oldest, position] = this.last.entries().next().value as [string, Position];
        this.last.delete(oldest);
        if (this.floor === null || position > this.floor) this.floor = position;
      }
    }
    const end = events[events.length - 1];
    if (end === undefined) return;
    this.seen = end.position;
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.position <= end.position) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else {
        still.push(waiter);
      }
    }
    this.waiters = still;
  }

  /**
   * Whether `streamId` had no event after `since` up to `until` (both log
   * positions; `since` is where the caller's state of the stream ends).
   * Waits at most `timeoutMs` for the log to be seen up to `until`; null when
   * it was not, or when what is held cannot tell.
   */
  async unchangedBetween(streamId: string, since: Position, until: Position, timeoutMs: number): Promise<boolean | null> {
    if (!(await this.seenUpTo(until, timeoutMs))) return null;
    const last = this.last.get(streamId);
    if (last !== undefined) return last <= since ? true : null;
    // Not held: every change since following began is at or below the floor.
    return this.floor === null || this.floor <= since ? true : null;
  }

  /** Answers whoever still waits with "not seen" (shutdown). */
  close(): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters = [];
  }

  private seenUpTo(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.seen !== null && this.seen >= position) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.timer !== timer);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      this.waiters.push({ position, resolve, timer });
    });
  }
}

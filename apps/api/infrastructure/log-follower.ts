import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EventStore, Position, StoredEvent, Subscription } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from './tokens';

export type LogListener = (events: readonly StoredEvent[]) => Promise<void> | void;

/**
 * One subscription to the log per process, from the head at start, shared by
 * the live consumers (feed, webhook worker). Listeners see every batch in log
 * order and the next batch waits for all of them, so a listener that keeps
 * its own position in step with what it has handed on never skips or repeats
 * an event. Consumers that need older events read the log themselves.
 */
@Injectable()
export class LogFollower implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('live');
  private readonly listeners = new Set<LogListener>();
  private subscription: Subscription | null = null;
  private start: Position = 0n;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The head of the log when following began: the first batch comes strictly after it. */
  get startPosition(): Position {
    return this.start;
  }

  /** Whether the log is being followed (false before the store was reached and after shutdown). */
  get live(): boolean {
    return this.subscription !== null && !this.stopped;
  }

  listen(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private stopped = false;

  /**
   * Finds the head and starts following. An event store that cannot be
   * reached yet must not stop the API from starting (its /health says what is
   * down), so that first read retries in the background with backoff.
   */
  async onModuleInit(): Promise<void> {
    try {
      this.follow(await this.store.headPosition());
    } catch (error) {
      this.logger.warn({ msg: 'event store not reachable; live delivery starts once it is', error: String(error) });
      void this.retry();
    }
  }

  private async retry(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 10_000)));
      if (this.stopped) return;
      try {
        this.follow(await this.store.headPosition());
        this.logger.log({ msg: 'live delivery started' });
        return;
      } catch {
        // still down; the connection monitor has said so once already
      }
    }
  }

  private follow(head: Position | null): void {
    if (this.stopped) return;
    this.start = head ?? 0n;
    this.subscription = this.store.subscribe({
      after: head ?? undefined,
      batchSize: 500,
      onBatch: async (events) => {
        for (const listener of [...this.listeners]) await listener(events);
      },
      onError: (error) => this.logger.error({ msg: 'live log consumer failed; the batch is retried', error: String(error) }),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    this.subscription = null;
  }
}

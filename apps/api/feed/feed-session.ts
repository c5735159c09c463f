import type { Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { canSee, type FeedItem, type FeedMessage } from './feed-audience';

export interface FeedError {
  readonly code: string;
  readonly message: string;
}

/** One client's transport (SSE response, WebSocket). */
export interface FeedSink {
  /** Sends one message; resolves once the transport can take more. */
  send(message: FeedMessage): Promise<void>;
  keepAlive(): void;
  /** Ends the connection, saying why first. Idempotent. */
  close(reason: FeedError): void;
}

/** The shared side of the feed, as a session sees it. */
export interface FeedSource {
  /** Position of the last event handed to the sessions (`offer`). */
  position(): Position;
  readAll(after: Position, maxCount: number): Promise<StoredEvent[]>;
  resolve(events: readonly StoredEvent[]): Promise<FeedItem[]>;
  detach(session: FeedSession): void;
}

export interface FeedSessionOptions {
  /** Live events a client may have waiting before it counts as too slow. */
  readonly maxBuffered: number;
  readonly keepAliveMs: number;
  readonly catchUpBatch: number;
}

/**
 * One connected client. The handover from the log to the live stream:
 *
 * 1. At creation the session notes `target`, the last position the hub has
 *    handed out, and from then on receives every later event (`offer`)
 *    into `pending`; both happen in one turn of the event loop.
 * 2. It reads the log from the client's position up to `target`, sending
 *    what the user may see.
 * 3. It then sends `pending`, which starts right after `target`.
 *
 * Every send is filtered by `position > lastSent`, so nothing goes out twice
 * and nothing between the client's position and the live stream is missed.
 * If `pending` overflows while the log is still being read (a long catch-up
 * under traffic), it is dropped and the log is read further, up to the hub's
 * position at that moment; once live, an overflow means the client does not
 * keep up, and it is disconnected with a final error.
 */
export class FeedSession {
  private pending: FeedItem[] = [];
  private phase: 'catching-up' | 'live' | 'closed' = 'catching-up';
  private overflowed = false;
  private pumping = false;
  private lastSent: Position;
  private target: Position;
  private keepAliveTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly userId: string,
    from: Position | null,
    private readonly sink: FeedSink,
    private readonly source: FeedSource,
    private readonly options: FeedSessionOptions,
  ) {
    this.target = source.position();
    this.lastSent = from ?? this.target;
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** Starts reading the log; call in the same turn as the hub starts offering events. */
  start(): void {
    this.keepAliveTimer = setInterval(() => this.sink.keepAlive(), this.options.keepAliveMs);
    this.keepAliveTimer.unref();
    void this.catchUp();
  }

  /** Live events from the hub, in log order. */
  offer(items: readonly FeedItem[]): void {
    if (this.phase === 'closed' || this.overflowed) return;
    for (const item of items) if (canSee(item, this.userId)) this.pending.push(item);
    if (this.pending.length > this.options.maxBuffered) {
      if (this.phase === 'catching-up') {
        this.overflowed = true;
        this.pending = [];
        return;
      }
      this.close({
        code: 'FEED.TOO_SLOW',
        message: `More than ${this.options.maxBuffered} events were waiting for this client; reconnect with Last-Event-ID`,
      });
      return;
    }
    if (this.phase === 'live') void this.pump();
  }

  close(reason: FeedError): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.pending = [];
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    this.source.detach(this);
    this.sink.close(reason);
  }

  private async catchUp(): Promise<void> {
    try {
      let cursor = this.lastSent;
      for (;;) {
        while (cursor < this.target) {
          const batch = await this.source.readAll(cursor, this.options.catchUpBatch);
          if (this.closed) return;
          const within = batch.filter((event) => event.position <= this.target);
          if (within.length === 0) break;
          for (const item of await this.source.resolve(within)) {
            if (this.closed) return;
            if (item.position <= this.lastSent || !canSee(item, this.userId)) continue;
            await this.sink.send(item.message);
            this.lastSent = item.position;
          }
          cursor = within[within.length - 1]!.position;
        }
        if (this.closed) return;
        if (!this.overflowed) break;
        // Live events were dropped while reading: read the log further instead.
        this.overflowed = false;
        this.pending = [];
        this.target = this.source.position();
      }
      this.phase = 'live';
      await this.pump();
    } catch {
      this.close({ code: 'FEED.FAILED', message: 'The feed could not be read; reconnect with Last-Event-ID' });
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.phase === 'live' && this.pending.length > 0) {
        const item = this.pending.shift()!;
        if (item.position <= this.lastSent) continue;
        await this.sink.send(item.message);
        this.lastSent = item.position;
      }
    } catch {
      this.close({ code: 'FEED.FAILED', message: 'The feed could not be sent; reconnect with Last-Event-ID' });
    } finally {
      this.pumping = false;
    }
  }
}

import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import { rateLimited } from '../../../libs/domain/errors';
import { type EventStore, type Position, type StoredEvent } from '../../../libs/event-store/event-store.port';
import { clientPosition } from '../common/client-position';
import { PreviousLogPositions } from '../common/previous-log-positions';
import { LogFollower } from '../infrastructure/log-follower';
import { ParleyMetrics } from '../infrastructure/metrics';
import { EVENT_STORE, PARLEY_CONFIG } from '../infrastructure/tokens';
import { FeedAudience } from './feed-audience';
import { FeedSession, type FeedSessionOptions, type FeedSink, type FeedSource } from './feed-session';

export const FEED_OPTIONS: FeedSessionOptions = { maxBuffered: 1000, keepAliveMs: 15_000, catchUpBatch: 500 };
/** A refused feed may be retried once one of the user's connections has closed: a hint, not a promise. */
const FEED_SLOT_RETRY_SECONDS = 5;

/** One of a user's feed connections, taken before the connection is accepted and given back once, when it ends. */
export interface FeedSlot {
  release(): void;
}

/**
 * Fans the shared log follower out to the connected feed clients: each
 * batch's audience is decided once, then offered to every session in the same
 * turn as the hub's position moves, which is what the sessions' handover
 * relies on (feed-session.ts).
 */
@Injectable()
export class FeedHub implements BeforeApplicationShutdown {
  private readonly sessions = new Set<FeedSession>();
  /** Who each session was opened for: a removal or a revoked sign-in ends it. */
  private readonly owners = new Map<FeedSession, { readonly userId: string; readonly familyId: string | null }>();
  private handedOut: Position | null = null;
  private readonly source: FeedSource;
  /** Feed connections held per user in this process, opening ones included. */
  private readonly held = new Map<string, number>();
  private readonly slotsOf = new Map<FeedSession, FeedSlot>();

  constructor(
    private readonly follower: LogFollower,
    private readonly audience: FeedAudience,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    metrics: ParleyMetrics,
    private readonly previousLog: PreviousLogPositions,
  ) {
    metrics.gauge('parley_feed_sessions', 'Open feed sessions (SSE and WebSocket) in this process', [], () => [[{}, this.sessions.size]]);
    follower.listen((events) => this.fanOut(events));
    this.source = {
      position: () => this.position(),
      readAll: (after, maxCount) => this.store.readAll({ after, maxCount }),
      resolve: (events) => this.audience.resolve(events),
      detach: (session) => {
        this.sessions.delete(session);
        this.owners.delete(session);
        this.slotsOf.get(session)?.release();
        this.slotsOf.delete(session);
      },
    };
  }

  position(): Position {
    return this.handedOut ?? this.follower.startPosition;
  }

  /**
   * The position a client asks to resume after (`Last-Event-ID`, `from`), or
   * null for "from now on". A 400 names the field when it is not a position of
   * this log.
   */
  async resumePosition(text: string | undefined, field: string): Promise<Position | null> {
    if (text === undefined || text === '') return null;
    return clientPosition(this.store, text, field, { invalid: 'FEED.FROM_INVALID', ahead: 'FEED.FROM_AHEAD' });
  }

  /**
   * Where a feed connection starts: after `Last-Event-ID` (a browser's
   * reconnection, which wins), after `from`, or after `fromPreviousLog`, a
   * position of the log Parley ran on before a move, translated once
   * (PreviousLogPositions); null for "from now on". `from` and
   * `fromPreviousLog` together are 400 `FEED.FROM_CONFLICT`.
   */
  async startPosition(request: { readonly lastEventId?: string; readonly from?: string; readonly fromPreviousLog?: string }): Promise<Position | null> {
    if (request.lastEventId !== undefined) return this.resumePosition(request.lastEventId, 'Last-Event-ID');
    const previous = request.fromPreviousLog;
    if (previous === undefined || previous === '') return this.resumePosition(request.from, 'from');
    return this.previousLog.after(previous, 'fromPreviousLog', { text: request.from, conflict: 'FEED.FROM_CONFLICT' });
  }

  /**
   * Takes one of the user's feed connections (FEED_MAX_CONNECTIONS_PER_USER
   * per process), or refuses with 429 `FEED.TOO_MANY_CONNECTIONS` when all are
   * held: one user's thousand feeds would otherwise slow every post in their
   * rooms, each being fanned out to each. Take it before accepting the
   * connection; `open` hands it to the session, which gives it back when it
   * ends, and a connection that fails before that must release it.
   */
  reserve(userId: string): FeedSlot {
    const max = this.config.feedMaxConnectionsPerUser;
    const count = this.held.get(userId) ?? 0;
    if (count >= max) {
      throw rateLimited(
        'FEED.TOO_MANY_CONNECTIONS',
        `At most ${max} feed connections per user: close one before opening another`,
        FEED_SLOT_RETRY_SECONDS,
      );
    }
    this.held.set(userId, count + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.held.get(userId) ?? 1) - 1;
        if (left > 0) this.held.set(userId, left);
        else this.held.delete(userId);
      },
    };
  }

  /** Connections the user holds in this process. */
  connections(userId: string): number {
    return this.held.get(userId) ?? 0;
  }

  /** `familyId`: the sign-in the access token belongs to; revoking it ends the session. `slot`: from `reserve`. */
  open(userId: string, from: Position | null, sink: FeedSink, familyId: string | null, slot: FeedSlot): FeedSession {
    const session = new FeedSession(userId, from, sink, this.source, FEED_OPTIONS);
    this.sessions.add(session);
    this.owners.set(session, { userId, familyId });
    this.slotsOf.set(session, slot);
    session.start();
    return session;
  }

  beforeApplicationShutdown(): void {
    for (const session of [...this.sessions]) {
      session.close({ code: 'SERVER.SHUTTING_DOWN', message: 'The server is shutting down; reconnect with Last-Event-ID' });
    }
  }

  private async fanOut(events: readonly StoredEvent[]): Promise<void> {
    const current = this.position();
    const fresh = events.filter((event) => event.position > current);
    const last = fresh[fresh.length - 1];
    if (!last) return;
    this.endRevoked(fresh);
    if (this.sessions.size === 0) {
      this.handedOut = last.position;
      return;
    }
    const items = await this.audience.resolve(fresh);
    this.handedOut = last.position;
    for (const session of [...this.sessions]) session.offer(items);
  }

  /**
   * A session authenticated once, at connect: when the log says its account
   * was removed or its sign-in revoked, it ends before this batch goes out.
   */
  private endRevoked(events: readonly StoredEvent[]): void {
    const removed = new Set<string>();
    const revoked = new Set<string>();
    for (const event of events) {
      const data = event.data as { readonly userId?: unknown; readonly familyId?: unknown };
      if (event.type === 'UserRemoved' && typeof data.userId === 'string') removed.add(data.userId);
      if (event.type === 'TokenFamilyRevoked' && typeof data.familyId === 'string') revoked.add(data.familyId);
    }
    if (removed.size === 0 && revoked.size === 0) return;
    for (const [session, owner] of [...this.owners]) {
      if (removed.has(owner.userId)) {
        session.close({ code: 'AUTH.ACCOUNT_REMOVED', message: 'The account was removed' });
      } else if (owner.familyId !== null && revoked.has(owner.familyId)) {
        session.close({ code: 'AUTH.TOKEN_REVOKED', message: 'The sign-in was revoked; sign in again' });
      }
    }
  }
}

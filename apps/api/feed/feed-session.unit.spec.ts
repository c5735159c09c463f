import type { Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import type { Audience, FeedItem, FeedMessage } from './feed-audience';
import { FeedSession, type FeedError, type FeedSessionOptions, type FeedSink, type FeedSource } from './feed-session';

const USER = 'u-me';
const everyone: Audience = { kind: 'room', members: new Map([[USER, null]]), subject: null };
const nobodyButOthers: Audience = { kind: 'room', members: new Map([['u-other', null]]), subject: null };

const stored = (position: number): StoredEvent => ({
  id: `e-${position}`,
  type: 'CommentPosted',
  version: 1,
  streamId: 'comments-r',
  revision: position,
  position: BigInt(position),
  recordedAt: '2024-05-01T10:00:00.000Z',
  data: { text: `#${position}` },
  metadata: {},
});

/**
 * The hub and the log, driven by hand: `log` is what the store holds (it may
 * be ahead of the hub, as the real store is ahead of the follower),
 * `handOut(n)` moves the hub to n and offers the events in between, the
 * way FeedHub.fanOut does.
 */
class FakeHub {
  readonly log: StoredEvent[] = [];
  handedOut = 0n;
  readonly sessions = new Set<FeedSession>();
  audienceOf = (_position: Position): Audience => everyone;
  /** Runs before a read answers: lets a test move the hub while the session reads. */
  beforeRead: (() => void) | null = null;
  reads = 0;

  readonly source: FeedSource = {
    position: () => this.handedOut,
    readAll: async (after, maxCount) => {
      this.reads++;
      await Promise.resolve();
      this.beforeRead?.();
      return this.log.filter((e) => e.position > after).slice(0, maxCount);
    },
    resolve: async (events) => events.map((e) => this.item(e)),
    detach: (session) => this.sessions.delete(session),
  };

  append(...positions: number[]): void {
    for (const p of positions) this.log.push(stored(p));
  }

  handOut(upTo: number): void {
    const items = this.log.filter((e) => e.position > this.handedOut && e.position <= BigInt(upTo)).map((e) => this.item(e));
    this.handedOut = BigInt(upTo);
    for (const session of this.sessions) session.offer(items);
  }

  open(sink: FeedSink, from: number | null, options: Partial<FeedSessionOptions> = {}): FeedSession {
    const session = new FeedSession(USER, from === null ? null : BigInt(from), sink, this.source, {
      maxBuffered: 100,
      keepAliveMs: 60_000,
      catchUpBatch: 3,
      ...options,
    });
    this.sessions.add(session);
    session.start();
    return session;
  }

  private item(event: StoredEvent): FeedItem {
    return {
      position: event.position,
      audience: this.audienceOf(event.position),
      message: {
        type: event.type,
        position: event.position.toString(),
        streamId: event.streamId,
        recordedAt: event.recordedAt,
        data: event.data,
        metadata: { correlationId: null },
      },
    };
  }
}

class FakeSink implements FeedSink {
  readonly sent: number[] = [];
  closedWith: FeedError | null = null;
  keepAlives = 0;
  /** When set, sends after the first `stallAfter` never complete (a client that stopped reading). */
  stallAfter: number | null = null;

  send(message: FeedMessage): Promise<void> {
    this.sent.push(Number(message.position));
    if (this.stallAfter !== null && this.sent.length > this.stallAfter) return new Promise(() => undefined);
    return Promise.resolve();
  }
  keepAlive(): void {
    this.keepAlives++;
  }
  close(reason: FeedError): void {
    this.closedWith ??= reason;
  }
}

const settle = async () => {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
};
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('FeedSession: the handover from the log to the live stream', () => {
  it('catches up from the client position, then follows live: each event once, in order', async () => {
    const hub = new FakeHub();
    hub.append(...range(1, 5));
    hub.handOut(5);
    const sink = new FakeSink();
    hub.open(sink, 2);
    await settle();
    hub.append(6, 7);
    hub.handOut(7);
    await settle();
    expect(sink.sent).toEqual(range(3, 7));
  });

  it('sends nothing twice when the log read runs past the hub and the hub moves during the read', async () => {
    const hub = new FakeHub();
    hub.append(...range(1, 5));
    hub.handOut(5);
    // The store already holds 6..10 while the hub has handed out only 5; during the
    // first read the hub hands out 6..8, later 9..10.
    hub.append(...range(6, 10));
    let first = true;
    hub.beforeRead = () => {
      if (first) hub.handOut(8);
      first = false;
    };
    const sink = new FakeSink();
    hub.open(sink, 1, { catchUpBatch: 100 });
    await settle();
    hub.handOut(10);
    await settle();
    expect(sink.sent).toEqual(range(2, 10));
  });

  it('a client ahead of the hub gets only what comes after its position', async () => {
    const hub = new FakeHub();
    hub.append(...range(1, 8));
    hub.handOut(5);
    const sink = new FakeSink();
    hub.open(sink, 7);
    await settle();
    hub.handOut(8);
    await settle();
    expect(sink.sent).toEqual([8]);
  });

  it('without a position starts with the next event', async () => {
    const hub = new FakeHub();
    hub.append(...range(1, 5));
    hub.handOut(5);
    const sink = new FakeSink();
    hub.open(sink, null);
    hub.append(6);
    hub.handOut(6);
    await settle();
    expect(sink.sent).toEqual([6]);
    expect(hub.reads).toBe(0);
  });

  it('live events overflowing during a long catch-up are dropped and read from the log instead', async () => {
    const hub = new FakeHub();
    hub.append(...range(1, 20));
    hub.handOut(20);
    hub.append(...range(21, 40));
    // Every read, the hub hands out five more: more than the session may buffer.
    hub.beforeRead = () => {
      if (hub.handedOut < 40n) hub.handOut(Number(hub.handedOut) + 5);
    };
    const sink = new FakeSink();
    const session = hub.open(sink, 0, { maxBuffered: 3, catchUpBatch: 4 });
    await settle();
    hub.beforeRead = null;
    hub.append(41, 42);
    hub.handOut(42);
    await settle();
    expect(sink.closedWith).toBeNull();
    expect(session.closed).toBe(false);
    expect(sink.sent).toEqual(range(1, 42));
  });

  it('disconnects a live client that does not keep up, with a final error', async () => {
    const hub = new FakeHub();
    hub.handOut(0);
    const sink = new FakeSink();
    sink.stallAfter = 1;
    const session = hub.open(sink, null, { maxBuffered: 3 });
    await settle();
    hub.append(...range(1, 5));
    for (const p of range(1, 5)) hub.handOut(p);
    await settle();
    expect(sink.closedWith?.code).toBe('FEED.TOO_SLOW');
    expect(session.closed).toBe(true);
    expect(hub.sessions.has(session)).toBe(false);
    expect(sink.sent).toEqual([1]);
  });

  it('events the user may not see neither go out nor fill the buffer', async () => {
    const hub = new FakeHub();
    hub.audienceOf = (position) => (position % 2n === 0n ? everyone : nobodyButOthers);
    hub.handOut(0);
    const sink = new FakeSink();
    sink.stallAfter = 0;
    const session = hub.open(sink, null, { maxBuffered: 3 });
    hub.append(...range(1, 7));
    hub.handOut(7);
    await settle();
    // 2 went to the stalled transport, 4 and 6 wait: within the buffer of 3.
    expect(sink.sent).toEqual([2]);
    expect(session.closed).toBe(false);
  });

  it('sends keep-alives until closed', async () => {
    const hub = new FakeHub();
    const sink = new FakeSink();
    const session = hub.open(sink, null, { keepAliveMs: 5 });
    // Waits for the keep-alives however busy the machine is (the test's own timeout bounds it), not a fixed time.
    while (sink.keepAlives < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sink.keepAlives).toBeGreaterThan(1);
    session.close({ code: 'FEED.CLIENT_GONE', message: 'bye' });
    const after = sink.keepAlives;
    // Several keep-alive periods after closing: none more comes.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.keepAlives).toBe(after);
    expect(sink.closedWith?.code).toBe('FEED.CLIENT_GONE');
  });
});

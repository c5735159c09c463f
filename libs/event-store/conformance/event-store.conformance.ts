import { randomUUID } from 'node:crypto';
import {
  MAX_APPEND_BYTES,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type StoredEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';

let counter = 0;

function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  counter++;
  return { id: randomUUID(), type: 'TestHappened', version: 1, data: { n: counter }, metadata: { actor: 'system' }, ...overrides };
}

function newEvents(count: number): NewEvent[] {
  return Array.from({ length: count }, () => newEvent());
}

const ids = (events: readonly { readonly id: string }[]): string[] => events.map((event) => event.id);
const revisions = (events: readonly StoredEvent[]): number[] => events.map((event) => event.revision);
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Jest workers cannot serialise a bigint in a failure report (the whole file
 * then fails with "Do not know how to serialize a BigInt"), so assertions
 * compare positions as their decimal strings.
 */
export function comparable(event: StoredEvent | null | undefined): unknown {
  return event == null ? event : { ...event, position: event.position.toString() };
}

export const comparableAll = (events: readonly StoredEvent[]): unknown[] => events.map(comparable);

export const positionText = (position: Position | null | undefined): string | null | undefined =>
  position == null ? position : position.toString();

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

function expectIncreasing(positions: readonly Position[]): void {
  for (let i = 1; i < positions.length; i++) {
    expect((positions[i] as Position) > (positions[i - 1] as Position)).toBe(true);
  }
}

async function expectWrongRevision(
  attempt: Promise<unknown>,
  streamId: string,
  expected: ExpectedRevision,
  actual: number | 'no_stream',
): Promise<void> {
  const error: unknown = await attempt.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect(error).toMatchObject({ streamId, expected, actual });
}

/** Defines the behaviour every EventStore adapter must show; `create` returns a fresh, empty store. */
export function eventStoreConformance(name: string, create: () => Promise<EventStore>): void {
  describe(`EventStore conformance: ${name}`, () => {
    let store: EventStore;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      store = await create();
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
      await store.close();
    });

    function follow(options: { after?: Position; batchSize?: number } = {}): { batches: StoredEvent[][]; all: () => StoredEvent[] } {
      const batches: StoredEvent[][] = [];
      subscriptions.push(
        store.subscribe({
          ...options,
          onBatch: async (batch) => {
            batches.push([...batch]);
          },
        }),
      );
      return { batches, all: () => batches.flat() };
    }

    describe('append and expected revision', () => {
      it('starts a stream with no_stream at revision 0, dense and in order', async () => {
        const input = newEvents(3);
        const result = await store.append('room-1', input, 'no_stream');
        expect(result.nextRevision).toBe(2);
        const stored = await store.readStream('room-1');
        expect(ids(stored)).toEqual(ids(input));
        expect(revisions(stored)).toEqual([0, 1, 2]);
        expect(stored.every((event) => event.streamId === 'room-1')).toBe(true);
      });

      it("answers with the store's own revision and the position of the append's last event, which the log reports too", async () => {
        await store.append('room-0', newEvents(1), 'no_stream');
        const result = await store.append('room-1', newEvents(3), 'no_stream');
        expect(Object.keys(result).sort()).toEqual(store.answersEachPosition ? ['nextRevision', 'position', 'positions'] : ['nextRevision', 'position']);
        const stored = await store.readStream('room-1');
        expect(positionText(result.position)).toBe(positionText(stored[2]?.position));
        expect(positionText(await store.headPosition())).toBe(positionText(result.position));
        // Every event of the append is at or before the answer: a valid X-Min-Position for each.
        for (const event of stored) expect(event.position <= result.position).toBe(true);
      });

      it('answers each event of an append with the position the log reports for it, where the store knows it', async () => {
        await store.append('room-0', newEvents(2), 'no_stream');
        const several = await store.append('room-1', newEvents(4), 'no_stream');
        const one = await store.append('room-2', newEvents(1), 'no_stream');
        const log = await store.readAll({ maxCount: 100 });
        const logged = (streamId: string) => log.filter((e) => e.streamId === streamId).map((e) => positionText(e.position));
        // A one-event append names its event's position on every store.
        expect((one.positions ?? []).map(positionText)).toEqual(logged('room-2'));
        if (store.answersEachPosition) expect((several.positions ?? []).map(positionText)).toEqual(logged('room-1'));
        else expect(several.positions).toBeUndefined();
      });

      it('rejects no_stream on an existing stream, reporting its revision and writing nothing', async () => {
        await store.append('room-1', newEvents(2), 'no_stream');
        const head = await store.headPosition();
        const rejected = newEvents(2);
        await expectWrongRevision(store.append('room-1', rejected, 'no_stream'), 'room-1', 'no_stream', 1);
        expect(positionText(await store.headPosition())).toBe(positionText(head));
        expect(await store.readStream('room-1')).toHaveLength(2);
        expect(await store.readAll({ maxCount: 100 })).toHaveLength(2);
      });

      it('rejects stream_exists on a missing stream with actual no_stream', async () => {
        const rejected = newEvents(2);
        await expectWrongRevision(store.append('room-1', rejected, 'stream_exists'), 'room-1', 'stream_exists', 'no_stream');
        expect(await store.streamRevision('room-1')).toBeNull();
        expect(positionText(await store.headPosition())).toBeNull();
        expect(await store.readAll({ maxCount: 100 })).toHaveLength(0);
      });

      it('accepts stream_exists on an existing stream', async () => {
        await store.append('room-1', newEvents(1), 'no_stream');
        const result = await store.append('room-1', newEvents(2), 'stream_exists');
        expect(result.nextRevision).toBe(2);
        expect(revisions(await store.readStream('room-1'))).toEqual([0, 1, 2]);
      });

      it('accepts any on both a missing and an existing stream', async () => {
        expect((await store.append('room-1', newEvents(1), 'any')).nextRevision).toBe(0);
        expect((await store.append('room-1', newEvents(1), 'any')).nextRevision).toBe(1);
      });

      it('accepts the exact revision of the last event and rejects any other', async () => {
        await store.append('room-1', newEvents(3), 'no_stream');
        await expectWrongRevision(store.append('room-1', newEvents(1), 1), 'room-1', 1, 2);
        await expectWrongRevision(store.append('room-1', newEvents(1), 3), 'room-1', 3, 2);
        await expectWrongRevision(store.append('room-2', newEvents(1), 0), 'room-2', 0, 'no_stream');
        const result = await store.append('room-1', newEvents(2), 2);
        expect(result.nextRevision).toBe(4);
        expect(await store.streamRevision('room-1')).toBe(4);
        expect(await store.streamRevision('room-2')).toBeNull();
      });

      it('checks appends issued together one by one, in call order, each all-or-nothing', async () => {
        const first = newEvents(1);
        const loser = newEvents(3);
        const third = newEvents(2);
        const outcomes = await Promise.allSettled([
          store.append('room-1', first, 'no_stream'),
          store.append('room-1', loser, 'no_stream'),
          store.append('room-1', third, 0),
          store.append('room-2', newEvents(1), 'no_stream'),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        const rejection = outcomes[1] as PromiseRejectedResult;
        expect(rejection.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(rejection.reason).toMatchObject({ actual: 0 });
        expect(ids(await store.readStream('room-1'))).toEqual(ids([...first, ...third]));
        const logged = new Set(ids(await store.readAll({ maxCount: 100 })));
        for (const event of loser) expect(logged.has(event.id)).toBe(false);
      });

      it('rejects an empty append', async () => {
        await expect(store.append('room-1', [], 'any')).rejects.toThrow(Error);
        expect(positionText(await store.headPosition())).toBeNull();
      });
    });

    describe('revisions and positions', () => {
      it('keeps revisions dense per stream and positions increasing in append order across streams', async () => {
        const appended: NewEvent[] = [];
        const answers: Position[] = [];
        for (let i = 0; i < 4; i++) {
          const a = newEvents(2);
          const b = newEvents(1);
          answers.push((await store.append('room-a', a, 'any')).position);
          answers.push((await store.append('room-b', b, 'any')).position);
          appended.push(...a, ...b);
        }
        expect(revisions(await store.readStream('room-a'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        expect(revisions(await store.readStream('room-b'))).toEqual([0, 1, 2, 3]);
        for (const position of answers) expect(typeof position).toBe('bigint');
        expectIncreasing(answers);
        const log = await store.readAll({ maxCount: 100 });
        expect(ids(log)).toEqual(ids(appended));
        expectIncreasing(log.map((event) => event.position));
        expect(positionText(await store.headPosition())).toBe(positionText(answers[answers.length - 1]));
      });
    });

    describe('event ids', () => {
      // The port promises no lookup and no deduplication by id (decision 0014).
      // A store may refuse an id it holds; it must never answer such an
      // append as a success while writing nothing new for a different stream.
      it('does not answer an id already written to another stream as a success of that stream', async () => {
        const event = newEvent();
        await store.append('room-1', [event], 'no_stream');
        const again = await store.append('room-2', [event], 'no_stream').then(
          (result) => result,
          () => null,
        );
        if (again !== null) expect(revisions(await store.readStream('room-2'))).toEqual([0]);
        expect(ids(await store.readStream('room-1'))).toEqual([event.id]);
      });
    });

    describe('size', () => {
      it(`accepts an append just under MAX_APPEND_BYTES (${MAX_APPEND_BYTES} bytes) and reads it back whole`, async () => {
        // 15 events of 60 KiB text each plus envelopes: what the comment sequencer may send in one turn.
        const text = 'x'.repeat(60 * 1024);
        const input = Array.from({ length: 15 }, (_, i) => newEvent({ data: { i, text } }));
        const bytes = input.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata)), 0);
        expect(bytes).toBeLessThan(MAX_APPEND_BYTES);
        expect(bytes).toBeGreaterThan(MAX_APPEND_BYTES - 128 * 1024);
        const result = await store.append('room-big', input, 'no_stream');
        expect(result.nextRevision).toBe(14);
        const stored = await store.readStream('room-big');
        expect(stored.map((event) => (event.data as { text: string }).text.length)).toEqual(input.map(() => text.length));
        expect(positionText(stored[14]?.position)).toBe(positionText(result.position));
      });
    });

    describe('reading', () => {
      const stream = 'room-r';

      beforeEach(async () => {
        for (let i = 0; i < 5; i++) {
          await store.append(stream, [newEvent()], 'any');
          await store.append('room-other', [newEvent()], 'any');
        }
      });

      it.each([
        [{}, [0, 1, 2, 3, 4]],
        [{ fromRevision: 2 }, [2, 3, 4]],
        [{ maxCount: 2 }, [0, 1]],
        [{ fromRevision: 1, maxCount: 2 }, [1, 2]],
        [{ fromRevision: 9 }, []],
        [{ maxCount: 0 }, []],
        [{ direction: 'backwards' }, [4, 3, 2, 1, 0]],
        [{ direction: 'backwards', fromRevision: 2 }, [2, 1, 0]],
        [{ direction: 'backwards', maxCount: 2 }, [4, 3]],
        [{ direction: 'backwards', fromRevision: 3, maxCount: 2 }, [3, 2]],
      ] as const)('readStream %j reads revisions %j', async (options, expected) => {
        const events = await store.readStream(stream, options);
        expect(revisions(events)).toEqual(expected);
        expect(events.every((event) => event.streamId === stream)).toBe(true);
      });

      it('reads an unknown stream as empty', async () => {
        expect(ids(await store.readStream('nobody'))).toEqual([]);
        expect(ids(await store.readStream('nobody', { direction: 'backwards' }))).toEqual([]);
      });

      it('reports the revision of the last event, or null', async () => {
        expect(await store.streamRevision(stream)).toBe(4);
        expect(await store.streamRevision('nobody')).toBeNull();
      });

      it('reads the global log after an exclusive position, in batches', async () => {
        const all = await store.readAll({ maxCount: 100 });
        expect(all).toHaveLength(10);
        expectIncreasing(all.map((event) => event.position));
        const third = all[2] as StoredEvent;
        expect(ids(await store.readAll({ after: third.position, maxCount: 100 }))).toEqual(ids(all.slice(3)));
        expect(ids(await store.readAll({ after: third.position, maxCount: 2 }))).toEqual(ids(all.slice(3, 5)));
        expect(ids(await store.readAll({ maxCount: 3 }))).toEqual(ids(all.slice(0, 3)));
        const head = await store.headPosition();
        expect(positionText(head)).toBe(positionText(all[9]?.position));
        expect(ids(await store.readAll({ after: head as Position, maxCount: 10 }))).toEqual([]);
      });

      it('reads the global log from an inclusive position it issued, without deriving one position from another', async () => {
        const all = await store.readAll({ maxCount: 100 });
        const third = all[2] as StoredEvent;
        expect(ids(await store.readAll({ from: third.position, maxCount: 100 }))).toEqual(ids(all.slice(2)));
        expect(ids(await store.readAll({ from: third.position, maxCount: 1 }))).toEqual([third.id]);
        expect(ids(await store.readAll({ from: 0n, maxCount: 2 }))).toEqual(ids(all.slice(0, 2)));
      });
    });

    describe("clients' positions", () => {
      beforeEach(async () => {
        for (let i = 0; i < 4; i++) await store.append(`pos-${i}`, newEvents(2), 'no_stream');
      });

      it('answers issued for the start and for every position it gave an event', async () => {
        expect(await store.checkPosition(0n)).toBe('issued');
        for (const event of await store.readAll({ maxCount: 100 })) expect(await store.checkPosition(event.position)).toBe('issued');
      });

      it('answers ahead for a position past the head, even one no store could hold', async () => {
        const head = (await store.headPosition()) as Position;
        expect(await store.checkPosition(head + 1n)).toBe('ahead');
        expect(await store.checkPosition(10n ** 40n - 1n)).toBe('ahead');
      });

      it('answers issued or not_issued, never an error, for any position up to the head, and reads after each it calls issued', async () => {
        const all = await store.readAll({ maxCount: 100 });
        const [first, second] = [all[0] as StoredEvent, all[1] as StoredEvent];
        // Between two events' positions; on a sparse store (EventStoreDB) no event is there.
        const between = [first.position + (second.position - first.position) / 2n, second.position - 1n];
        for (const position of between) {
          const check = await store.checkPosition(position);
          expect(['issued', 'not_issued']).toContain(check);
          if (check === 'issued') expect(ids(await store.readAll({ after: position, maxCount: 1 }))).toEqual([second.id]);
        }
      });

      it('counts the events after a position exactly, or answers null where it cannot count', async () => {
        const all = await store.readAll({ maxCount: 100 });
        const count = await store.countAfter((all[4] as StoredEvent).position);
        if (count !== null) {
          expect(count).toBe(3);
          expect(await store.countAfter(undefined)).toBe(8);
          expect(await store.countAfter((all[7] as StoredEvent).position)).toBe(0);
        }
      });
    });

    it('reads an empty store as empty', async () => {
      expect(positionText(await store.headPosition())).toBeNull();
      expect(ids(await store.readAll({ maxCount: 10 }))).toEqual([]);
    });

    describe('envelope', () => {
      it('keeps a given recordedAt and stamps the current time otherwise', async () => {
        const imported = newEvent({ recordedAt: '2020-01-02T03:04:05.678Z' });
        const before = new Date().toISOString();
        const result = await store.append('room-1', [imported, newEvent()], 'no_stream');
        const after = new Date().toISOString();
        expect(result.nextRevision).toBe(1);
        const [kept, stamped] = (await store.readStream('room-1')) as [StoredEvent, StoredEvent];
        expect(kept.recordedAt).toBe('2020-01-02T03:04:05.678Z');
        expect(stamped.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(stamped.recordedAt >= before && stamped.recordedAt <= after).toBe(true);
      });

      it('round-trips data and metadata as JSON, unaffected by later changes to the input', async () => {
        const data = { text: 'héllo 👋 "quoted"\n', n: 1.5, flag: false, none: null, list: [1, 'two', { three: 3 }], nested: { deep: { x: [] } } };
        const metadata = { correlationId: 'c-1', causationId: 'c-0', actor: 'apikey:k1', custom: { tags: ['a'] } };
        const event = newEvent({ type: 'MessagePosted', version: 3, data, metadata });
        await store.append('room-1', [event], 'no_stream');
        data.list.push('mutated');
        metadata.custom.tags.push('mutated');
        const expected = {
          id: event.id,
          type: 'MessagePosted',
          version: 3,
          streamId: 'room-1',
          revision: 0,
          data: { ...data, list: [1, 'two', { three: 3 }] },
          metadata: { ...metadata, custom: { tags: ['a'] } },
        };
        const [read] = await store.readStream('room-1');
        expect(comparable(read)).toMatchObject(expected);
        expect(comparable((await store.readAll({ maxCount: 1 }))[0])).toEqual(comparable(read));
      });
    });

    describe('subscribe', () => {
      it('catches up in batches of batchSize, then follows live appends', async () => {
        const first = newEvents(25);
        await store.append('room-1', first, 'no_stream');
        const { batches, all } = follow({ batchSize: 10 });
        await waitFor(() => all().length === 25, 'catch-up');
        expect(batches[0]).toHaveLength(10);
        expect(batches.every((batch) => batch.length <= 10)).toBe(true);
        expect(ids(all())).toEqual(ids(first));

        const live = [...newEvents(2), ...newEvents(1)];
        await store.append('room-2', live.slice(0, 2), 'no_stream');
        await store.append('room-1', live.slice(2), 24);
        await waitFor(() => all().length === 28, 'live events');
        expect(ids(all())).toEqual(ids([...first, ...live]));
      });

      it('starts strictly after the given position', async () => {
        await store.append('room-1', newEvents(5), 'no_stream');
        const events = await store.readStream('room-1');
        const { all } = follow({ after: events[1]?.position });
        await waitFor(() => all().length === 3, 'catch-up');
        expect(ids(all())).toEqual(ids(events.slice(2)));
      });

      it('delivers an append to an idle subscription promptly', async () => {
        const { all } = follow();
        await delay(20);
        const started = Date.now();
        const event = newEvent();
        await store.append('room-1', [event], 'no_stream');
        await waitFor(() => all().length === 1, 'live event', 1_000);
        expect(Date.now() - started).toBeLessThan(500);
        expect(all()[0]?.id).toBe(event.id);
      });

      it('never runs two batches at once', async () => {
        let running = 0;
        let overlapped = false;
        const seen: StoredEvent[] = [];
        subscriptions.push(
          store.subscribe({
            batchSize: 1,
            onBatch: async (batch) => {
              running++;
              if (running > 1) overlapped = true;
              await delay(5);
              seen.push(...batch);
              running--;
            },
          }),
        );
        const appended: NewEvent[] = [];
        for (let i = 0; i < 10; i++) {
          const input = newEvents(1);
          await store.append(`room-${i % 3}`, input, 'any');
          appended.push(...input);
        }
        await waitFor(() => seen.length === 10, 'all events');
        expect(overlapped).toBe(false);
        expect(ids(seen)).toEqual(ids(appended));
      });

      it('reports a failing batch and redelivers it unchanged, skipping nothing', async () => {
        const events = newEvents(6);
        await store.append('room-1', events, 'no_stream');
        const calls: string[][] = [];
        const errors: unknown[] = [];
        const delivered: StoredEvent[] = [];
        subscriptions.push(
          store.subscribe({
            batchSize: 4,
            onBatch: (batch) => {
              calls.push(ids(batch));
              if (calls.length === 1) throw new Error('boom 1');
              if (calls.length === 2) return Promise.reject(new Error('boom 2'));
              delivered.push(...batch);
              return Promise.resolve();
            },
            onError: (error) => errors.push(error),
          }),
        );
        await waitFor(() => delivered.length === 6, 'redelivery');
        expect(errors.map((error) => (error as Error).message)).toEqual(['boom 1', 'boom 2']);
        expect(calls[1]).toEqual(calls[0]);
        expect(calls[2]).toEqual(calls[0]);
        expect(ids(delivered)).toEqual(ids(events));
      });

      it('closes only after the running batch finished, and calls nothing afterwards', async () => {
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let calls = 0;
        let finished = false;
        const subscription = store.subscribe({
          onBatch: async () => {
            calls++;
            await gate;
            finished = true;
          },
          onError: () => {
            calls++;
          },
        });
        await store.append('room-1', newEvents(1), 'no_stream');
        await waitFor(() => calls === 1, 'first batch');
        let closed = false;
        const closing = subscription.close().then(() => {
          closed = true;
        });
        await delay(50);
        expect(closed).toBe(false);
        release();
        await closing;
        expect(finished).toBe(true);
        await store.append('room-1', newEvents(2), 0);
        await delay(250);
        expect(calls).toBe(1);
      });
    });

    describe('concurrency', () => {
      it('serialises 50 competing read-then-append writers on one stream without losing any', async () => {
        const writers = Array.from({ length: 50 }, async () => {
          const event = newEvent();
          for (;;) {
            const revision = await store.streamRevision('room-hot');
            try {
              await store.append('room-hot', [event], revision ?? 'no_stream');
              return event.id;
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
            }
          }
        });
        const written = await Promise.all(writers);
        const stream = await store.readStream('room-hot');
        expect(revisions(stream)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        expect(new Set(ids(stream))).toEqual(new Set(written));
      });

      it('keeps many streams dense and the log ordered under concurrent appends', async () => {
        const streams = Array.from({ length: 20 }, (_, i) => `room-${i}`);
        await Promise.all(
          streams.map(async (streamId) => {
            let expected: ExpectedRevision = 'no_stream';
            for (let i = 0; i < 5; i++) expected = (await store.append(streamId, newEvents(2), expected)).nextRevision;
          }),
        );
        const log = await store.readAll({ maxCount: 1_000 });
        expect(log).toHaveLength(200);
        expectIncreasing(log.map((event) => event.position));
        for (const streamId of streams) {
          const stream = await store.readStream(streamId);
          expect(revisions(stream)).toEqual(Array.from({ length: 10 }, (_, i) => i));
          expectIncreasing(stream.map((event) => event.position));
        }
      });
    });

    describe('close', () => {
      it('rejects calls after close with a clear error', async () => {
        await store.append('room-1', newEvents(1), 'no_stream');
        await store.close();
        await expect(store.append('room-1', newEvents(1), 'any')).rejects.toThrow(/closed/);
        await expect(store.readStream('room-1')).rejects.toThrow(/closed/);
        await expect(store.streamRevision('room-1')).rejects.toThrow(/closed/);
        await expect(store.readAll({ maxCount: 1 })).rejects.toThrow(/closed/);
        await expect(store.headPosition()).rejects.toThrow(/closed/);
        expect(() => store.subscribe({ onBatch: async () => undefined })).toThrow(/closed/);
      });

      it('commits appends accepted before close', async () => {
        const pending = store.append('room-1', newEvents(1), 'no_stream');
        await store.close();
        expect((await pending).nextRevision).toBe(0);
      });
    });
  });
}

import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import { startEventStoreDb, type StartedServer } from '../../test/support/production-containers';
import { StoreUnavailableError, type StoreLogger } from '../config/store-connection';
import { comparable, comparableAll, eventStoreConformance, positionText } from './conformance/event-store.conformance';
import {
  EsdbEventStore,
  esdbEventId,
  fromEsdbCurrentRevision,
  packPosition,
  toEsdbExpectedRevision,
  unpackPosition,
} from './esdb-event-store';
import { MAX_APPEND_BYTES, type NewEvent, type StoredEvent, parsePosition, positionToString } from './event-store.port';

/*
 * EventStoreDB runs here through testcontainers where a container runtime
 * exists (test/global-setup.ts probes once); elsewhere the server suites skip
 * with one line saying why. What needs no server runs everywhere.
 */
const runtime = process.env['PARLEY_CONTAINER_RUNTIME'] === 'yes';
const withServer = runtime ? describe : describe.skip;
if (!runtime) {
  console.log(
    `[parley] EventStoreDB conformance skipped: no container runtime (${process.env['PARLEY_CONTAINER_RUNTIME_REASON'] || 'not probed'})`,
  );
}

const U64 = (1n << 64n) - 1n;
const event = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: randomUUID(),
  type: 'TestHappened',
  version: 1,
  data: { ok: true },
  metadata: { actor: 'system' },
  ...overrides,
});

describe('EsdbEventStore without a server', () => {
  describe('positions', () => {
    it('packs commit and prepare into one bigint and back, losslessly up to 2^64 - 1 each', () => {
      for (const pair of [
        { commit: 0n, prepare: 0n },
        { commit: 1n, prepare: 0n },
        { commit: 0n, prepare: U64 },
        { commit: 123_456_789n, prepare: 123_456_700n },
        { commit: U64, prepare: U64 },
      ]) {
        const packed = packPosition(pair);
        expect(unpackPosition(packed)).toEqual(pair);
        const text = positionToString(packed);
        expect(text.length).toBeLessThanOrEqual(39);
        expect(parsePosition(text)).toBe(packed);
      }
      expect(positionToString(packPosition({ commit: U64, prepare: U64 }))).toBe(((1n << 128n) - 1n).toString());
    });

    it('orders packed positions exactly as $all orders (commit, prepare)', () => {
      const pairs = [
        { commit: 5n, prepare: 9n },
        { commit: 5n, prepare: 10n },
        { commit: 6n, prepare: 0n },
        { commit: U64 - 1n, prepare: U64 },
        { commit: U64, prepare: 0n },
      ];
      for (let i = 1; i < pairs.length; i++) {
        expect(packPosition(pairs[i - 1]!) < packPosition(pairs[i]!)).toBe(true);
      }
    });

    it('rejects what is not a pair of unsigned 64-bit numbers', () => {
      expect(() => packPosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
      expect(() => packPosition({ commit: 0n, prepare: U64 + 1n })).toThrow(RangeError);
      expect(() => unpackPosition(1n << 128n)).toThrow(RangeError);
    });
  });

  it('maps expected revisions exactly', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(toEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toEsdbExpectedRevision('any')).toBe('any');
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(fromEsdbCurrentRevision('no_stream')).toBe('no_stream');
    expect(fromEsdbCurrentRevision(-1n)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(7n)).toBe(7);
  });

  it('keeps UUID event ids and maps other ids to a stable UUID', () => {
    const id = randomUUID();
    expect(esdbEventId(id.toUpperCase())).toBe(id);
    const mapped = esdbEventId('comment:42');
    expect(mapped).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(esdbEventId('comment:42')).toBe(mapped);
    expect(esdbEventId('comment:43')).not.toBe(mapped);
  });

  describe('with the server unreachable', () => {
    const url = 'esdb://127.0.0.1:1?tls=false';
    let store: EsdbEventStore;
    let warnings: string[];

    beforeEach(() => {
      warnings = [];
      const logger: StoreLogger = { log: () => undefined, warn: (message) => warnings.push(message) };
      store = EsdbEventStore.fromConnectionString(url, { logger });
    });

    afterEach(async () => {
      await store.close();
    });

    it('fails calls fast with an error naming the URL, logs one line, and reports itself down', async () => {
      for (let i = 0; i < 3; i++) {
        const error: unknown = await store.streamRevision('room-1').catch((rejection: unknown) => rejection);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toContain(url);
      }
      await expect(store.append('room-1', [event()], 'no_stream')).rejects.toThrow(StoreUnavailableError);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`EventStoreDB at ${url} is unreachable`);
      expect(store.connectionStatus()).toMatchObject({ store: 'EventStoreDB', url, state: 'down' });
    });

    it('an append to a server that refused the connection was never sent: it is "unavailable" (503 STORE.UNAVAILABLE), not of unknown outcome', async () => {
      const error: unknown = await store.append('room-1', [event()], 'no_stream').catch((rejection: unknown) => rejection);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain(url);
      // While the monitor knows it is down, every call is refused before it reaches the network.
      await expect(store.append('room-1', [event()], 'no_stream')).rejects.toThrow(StoreUnavailableError);
      await expect(store.readAll({ maxCount: 1 })).rejects.toThrow(StoreUnavailableError);
    });

    it('still validates input before touching the network', async () => {
      await expect(store.append('room-1', [], 'any')).rejects.toThrow(TypeError);
      await expect(store.append('$system', [event()], 'any')).rejects.toThrow(/\$/);
    });

    it('waits quietly in a subscription and closes promptly', async () => {
      const errors: unknown[] = [];
      const subscription = store.subscribe({ onBatch: async () => undefined, onError: (error) => errors.push(error) });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await subscription.close();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(errors).toEqual([]);
      expect(warnings.length).toBeLessThanOrEqual(1);
    });

    it('rejects calls after close', async () => {
      await store.close();
      await expect(store.readStream('room-1')).rejects.toThrow(/closed/);
      expect(() => store.subscribe({ onBatch: async () => undefined })).toThrow(/closed/);
    });
  });
});

withServer('EsdbEventStore on EventStoreDB 24.10 (testcontainers)', () => {
  let container: StartedServer | undefined;
  let connectionString = '';
  let stores = 0;
  // Every store gets its own stream prefix: one server, an empty log per test.
  const fresh = (): EsdbEventStore =>
    EsdbEventStore.fromConnectionString(connectionString, { streamPrefix: `t${++stores}-${randomUUID().slice(0, 8)}-` });

  beforeAll(async () => {
    container = await startEventStoreDb();
    connectionString = container.url;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  eventStoreConformance('EsdbEventStore', async () => fresh());

  describe('adapter specifics', () => {
    let store: EsdbEventStore;
    let raw: EventStoreDBClient;

    beforeEach(() => {
      store = fresh();
      raw = EventStoreDBClient.connectionString(connectionString);
    });

    afterEach(async () => {
      await store.close();
      await raw.dispose();
    });

    it('answers an append with the $all position EventStoreDB reports for its last event, packed without loss', async () => {
      const input = [event(), event()];
      const { position } = await store.append('room-1', input, 'no_stream');
      expect(positionText(await store.headPosition())).toBe(positionText(position));
      const seen: { commit: bigint; prepare: bigint }[] = [];
      for await (const resolved of raw.readAll({ direction: FORWARDS, fromPosition: START, maxCount: 100_000 })) {
        if (resolved.event && resolved.event.id === esdbEventId(input[1]!.id)) seen.push(resolved.event.position);
      }
      expect(seen).toHaveLength(1);
      expect(packPosition(seen[0]!)).toBe(position);
      expect(positionText((await store.readStream('room-1'))[1]?.position)).toBe(positionText(position));
    });

    it('makes one appendToStream call per append and reads nothing', async () => {
      const client = (store as unknown as { client: EventStoreDBClient }).client;
      await store.append('room-1', [event()], 'no_stream');
      const appends = jest.spyOn(client, 'appendToStream');
      const streamReads = jest.spyOn(client, 'readStream');
      const logReads = jest.spyOn(client, 'readAll');
      await store.append('room-1', [event(), event()], 0);
      await store.append('room-1', [event()], 2);
      expect(appends).toHaveBeenCalledTimes(2);
      expect(streamReads).not.toHaveBeenCalled();
      expect(logReads).not.toHaveBeenCalled();
    });

    it('refuses an append over the server\'s MaxAppendSize, writing nothing (callers split before MAX_APPEND_BYTES)', async () => {
      const big = Array.from({ length: 3 }, () => event({ data: { text: 'y'.repeat(MAX_APPEND_BYTES / 2) } }));
      await expect(store.append('room-1', big, 'no_stream')).rejects.toThrow();
      expect(await store.streamRevision('room-1')).toBeNull();
    });

    it('pages through a stream longer than one page, honouring maxCount', async () => {
      const total = 1_234;
      let expected: number | 'no_stream' = 'no_stream';
      for (let i = 0; i < total; i += 200) {
        const chunk = Array.from({ length: Math.min(200, total - i) }, () => event());
        expected = (await store.append('room-long', chunk, expected)).nextRevision;
      }
      const all = await store.readStream('room-long');
      expect(all.map((e) => e.revision)).toEqual(Array.from({ length: total }, (_, i) => i));
      expect((await store.readStream('room-long', { fromRevision: 100, maxCount: 700 })).map((e) => e.revision)).toEqual(
        Array.from({ length: 700 }, (_, i) => i + 100),
      );
      const back = await store.readStream('room-long', { direction: 'backwards', maxCount: 600 });
      expect(back[0]?.revision).toBe(total - 1);
      expect(back.at(-1)?.revision).toBe(total - 600);
      expect(await store.readAll({ maxCount: 5_000 })).toHaveLength(total);
    });

    it('keeps ids that are not UUIDs, versions and imported timestamps', async () => {
      const imported = event({ id: 'legacy:42', version: 3, recordedAt: '2019-05-06T07:08:09.010Z' });
      await store.append('room-1', [imported], 'no_stream');
      const [read] = await store.readStream('room-1');
      expect(read).toMatchObject({ id: 'legacy:42', version: 3, recordedAt: '2019-05-06T07:08:09.010Z' });
      expect(comparable((await store.readAll({ maxCount: 10 }))[0])).toEqual(comparable(read));
    });

    it('writes only the appended events: the global log and subscriptions hold exactly them', async () => {
      const input = [event(), event(), event()];
      await store.append('room-1', input, 'no_stream');
      const written = await store.readStream('room-1');
      expect((await store.readAll({ maxCount: 100 })).map((e) => e.id)).toEqual(input.map((e) => e.id));
      const seen: StoredEvent[] = [];
      const subscription = store.subscribe({ onBatch: async (batch) => void seen.push(...batch) });
      const deadline = Date.now() + 5_000;
      while (seen.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await subscription.close();
      expect(comparableAll(seen)).toEqual(comparableAll(written));
    });
  });
});

withServer('EsdbEventStore LogIndex on EventStoreDB 24.10 with its system projections (testcontainers)', () => {
  let container: StartedServer | undefined;
  let store: EsdbEventStore;

  beforeAll(async () => {
    container = await startEventStoreDb({ systemProjections: true });
    store = EsdbEventStore.fromConnectionString(container.url, { systemProjections: true });
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await container?.stop();
  });

  it('answers positions of a type from $et- and of a category from $ce-, in (after, to], in log order', async () => {
    const marked = (i: number) => event({ type: i % 3 === 0 ? 'RoomRenamed' : 'CommentPosted', data: { i } });
    for (let i = 0; i < 30; i++) await store.append(i % 2 ? `room-${i}` : `user-${i}`, [marked(i)], 'no_stream');
    const log = await store.readAll({ maxCount: 100 });
    const head = log.at(-1)!.position;
    const renamed = log.filter((e) => e.type === 'RoomRenamed').map((e) => e.position);
    const rooms = log.filter((e) => e.streamId.startsWith('room-')).map((e) => e.position);
    // System projections link asynchronously: wait until they caught up.
    const deadline = Date.now() + 30_000;
    while ((await store.positionsOfType('RoomRenamed', 0n, head, 100)).length < renamed.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await store.positionsOfType('RoomRenamed', 0n, head, 100)).toEqual(renamed);
    expect(await store.positionsOfType('RoomRenamed', renamed[1]!, renamed[5]!, 100)).toEqual(renamed.slice(2, 6));
    expect(await store.positionsOfType('RoomRenamed', 0n, head, 3)).toEqual(renamed.slice(0, 3));
    expect(await store.positionsInStreams('room-', rooms[2]!, head, 100)).toEqual(rooms.slice(3));
    expect(await store.positionsInStreams('room-1', 0n, head, 100)).toBeNull();
  }, 60_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PERMISSIONS, EVENT_VERSIONS, type ParleyEvent } from '../libs/domain/events';
import { idFromKey } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import { comparableAll } from '../libs/event-store/conformance/event-store.conformance';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '../libs/event-store/event-store.port';
import { MemoryEventStore } from '../libs/event-store/memory-event-store';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { MemoryReadStore } from '../libs/read-store/memory-read-store';
import { Projector } from '../libs/projection/projector';
import type { Doc, ReadStore } from '../libs/read-store/read-store.port';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import { parleyProjections } from '../projections';
import { writeSyntheticLog } from './support/synthetic-log';

/*
 * Parity: one scripted scenario, projected through the embedded adapters
 * (SQLite) and through the in-memory ones, must give the same documents in
 * every collection of every projection. The scenario is written once through
 * a tee that appends each call to both event stores in call order, with a
 * deterministic clock, so both logs are identical, positions included.
 */

const CLOCK_START = Date.UTC(2026, 2, 1);

/** Appends every call to both stores, one call at a time, stamping recordedAt from a fixed clock. */
function tee(first: EventStore, second: EventStore): EventStore {
  let chain: Promise<unknown> = Promise.resolve();
  let tick = 0;
  const append = (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
    const stamped = events.map((event) => ({
      ...event,
      recordedAt: event.recordedAt ?? new Date(CLOCK_START + ++tick * 1_000).toISOString(),
    }));
    const run = chain.then(async () => {
      const result = await first.append(streamId, stamped, expected);
      await second.append(streamId, stamped, expected);
      return result;
    });
    chain = run.catch(() => undefined);
    return run;
  };
  return new Proxy(first, {
    get: (target, property, receiver) => (property === 'append' ? append : Reflect.get(target, property, receiver) as unknown),
  });
}

const userId = (i: number) => idFromKey('synthetic-user', String(i));
const roomId = (r: number) => idFromKey('synthetic-room', String(r));
const at = (n: number) => new Date(Date.UTC(2026, 1, 1) + n * 60_000).toISOString();

function envelope(event: ParleyEvent, key: string): NewEvent {
  return {
    id: idFromKey('parity', key),
    type: event.type,
    version: EVENT_VERSIONS[event.type],
    data: event.data,
    metadata: { actor: 'system', correlationId: 'parity' },
  };
}

/** Events the synthetic log does not produce, written straight to the log (no API involved). */
async function writeExtraEvents(store: EventStore): Promise<void> {
  const room = roomId(0);
  const owner = userId(0);
  const roomEvents: ParleyEvent[] = [
    { type: 'RoomTopicChanged', data: { roomId: room, topic: 'Parity', changedBy: owner, changedAt: at(1) } },
    { type: 'RoomAvatarChanged', data: { roomId: room, avatarUrl: 'https://example.test/a.png', changedBy: owner, changedAt: at(2) } },
    { type: 'MemberRoleChanged', data: { roomId: room, userId: userId(1), role: 'operator', changedBy: owner, changedAt: at(3) } },
    { type: 'MemberMuteChanged', data: { roomId: room, userId: userId(2), muted: true, changedBy: owner, changedAt: at(4) } },
    { type: 'RoomPermissionsChanged', data: { roomId: room, permissions: { ...DEFAULT_PERMISSIONS, rename: false }, changedBy: owner, changedAt: at(5) } },
    { type: 'MemberRemoved', data: { roomId: room, userId: userId(2), removedBy: owner, removedAt: at(6) } },
    { type: 'MemberLeft', data: { roomId: room, userId: userId(1), leftAt: at(7) } },
    { type: 'MemberAdded', data: { roomId: room, userId: userId(1), role: 'member', addedBy: owner, addedAt: at(8) } },
  ];
  await store.append(streams.room(room), roomEvents.map((event, i) => envelope(event, `room-${i}`)), 'stream_exists');
  await store.append(
    streams.readMarker(roomId(1), userId(1)),
    [envelope({ type: 'RoomMarkedUnread', data: { roomId: roomId(1), userId: userId(1), lastReadSeq: 0, markedAt: at(9) } }, 'unread')],
    'any',
  );
  await store.append(
    streams.username('parity-claim'),
    [envelope({ type: 'UsernameClaimed', data: { username: 'parity-claim', userId: userId(3) } }, 'claim')],
    'no_stream',
  );
}

async function allDocuments(store: ReadStore): Promise<Record<string, Doc[]>> {
  const result: Record<string, Doc[]> = {};
  for (const projection of parleyProjections) {
    for (const collection of projection.collections) {
      result[collection.name] = await store.find(collection.name);
    }
  }
  return result;
}

describe('parity of the embedded and in-memory adapters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-parity-'));
  const memoryEvents = new MemoryEventStore();
  const memoryRead = new MemoryReadStore();
  const sqliteEvents = new SqliteEventStore({ file: join(dir, 'events.db') });
  const sqliteRead = new SqliteReadStore({ file: join(dir, 'read.db') });

  afterAll(async () => {
    await Promise.all([memoryEvents.close(), memoryRead.close(), sqliteEvents.close(), sqliteRead.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same log to both event stores', async () => {
    const both = tee(memoryEvents, sqliteEvents);
    await writeSyntheticLog(both, { users: 9, rooms: 5, membersPerRoom: 4, comments: 450, batch: 5 });
    await writeExtraEvents(both);
    const memoryLog = await memoryEvents.readAll({ maxCount: 10_000 });
    expect(memoryLog.length).toBeGreaterThan(500);
    expect(comparableAll(await sqliteEvents.readAll({ maxCount: 10_000 }))).toEqual(comparableAll(memoryLog));
  });

  it('projects the same documents in every collection of every projection', async () => {
    // Different batch sizes on purpose: batching must not change a document either.
    const applied = await Promise.all([
      new Projector(memoryEvents, memoryRead, parleyProjections, { batchSize: 1_000 }).rebuild(),
      new Projector(sqliteEvents, sqliteRead, parleyProjections, { batchSize: 7 }).rebuild(),
    ]);
    expect(applied[1]).toBe(applied[0]);
    const memory = await allDocuments(memoryRead);
    const sqlite = await allDocuments(sqliteRead);
    expect(Object.keys(sqlite)).toEqual(Object.keys(memory));
    for (const [collection, docs] of Object.entries(memory)) {
      expect({ collection, docs: sqlite[collection] }).toEqual({ collection, docs });
    }
    // The scenario must actually exercise the read models.
    for (const collection of ['users', 'rooms', 'memberships', 'membership_rooms', 'timeline', 'timeline_rooms']) {
      expect({ collection, empty: (memory[collection] ?? []).length === 0 }).toEqual({ collection, empty: false });
    }
    for (const projection of parleyProjections) {
      const name = `${projection.name}@v${projection.version}`;
      expect(await sqliteRead.getCheckpoint(name)).toBe(await memoryRead.getCheckpoint(name));
    }
  });
});

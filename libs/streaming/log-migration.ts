import { createHash } from 'node:crypto';
import {
  DuplicateEventIdError,
  MAX_APPEND_BYTES,
  WrongExpectedRevisionError,
  type EventStore,
  type NewEvent,
  type Position,
  type StoredEvent,
} from '../event-store/event-store.port';
import { aliasOf, KEPT_ALIAS } from '../domain/aliases';
import { ImportConflictError, type ImportOutcome } from '../event-store/import-events';
import type { PositionMap } from './position-map';

/*
 * Moving a log into a store that assigns its own positions (the embedded
 * profile's export into EventStoreDB; `memory:packed` in tests). Every event
 * keeps its id, stream, revision, type, version, data, metadata and recorded
 * time (the metadata gaining the event's integer alias, `movedEvent`); only
 * its position is new, and the pair (old, new) goes to the
 * position map so that positions held outside the log can be translated.
 *
 * Each append names the stream's expected revision, so a repeat of an append
 * whose answer was lost (a crash, a timeout) cannot write the events twice:
 * the store refuses it, and the events found at those revisions are compared
 * id by id and taken as the earlier write.
 */

/** Events appended in one call at most, when the store answers each event's position. */
const GROUP_EVENTS = 100;
/** Bytes of one grouped append at most, well under what every store accepts. */
const GROUP_BYTES = MAX_APPEND_BYTES / 2;

/**
 * Appends exported events, in log order, keeping everything but positions.
 * Call it with consecutive batches of one export; events at or before the
 * map's last old position are skipped (a resumed import).
 */
export class LogMigration {
  private resumeAfter: Position | null | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly map: PositionMap,
  ) {}

  async apply(events: readonly StoredEvent[]): Promise<ImportOutcome> {
    this.resumeAfter ??= await this.map.lastOld();
    const resumeAfter = this.resumeAfter;
    const fresh = resumeAfter === null ? events : events.filter((event) => event.position > resumeAfter);
    const pairs: [Position, Position][] = [];
    let imported = 0;
    let skipped = events.length - fresh.length;
    for (const group of groups(fresh, this.store.answersEachPosition)) {
      const outcome = await this.appendGroup(group);
      pairs.push(...outcome.pairs);
      if (outcome.written) imported += group.length;
      else skipped += group.length;
    }
    // After the appends: a crash in between leaves events the next run finds at their revisions.
    await this.map.record(pairs);
    return { imported, skipped };
  }

  private async appendGroup(group: readonly StoredEvent[]): Promise<{ pairs: [Position, Position][]; written: boolean }> {
    const first = group[0] as StoredEvent;
    const expected = first.revision === 0 ? 'no_stream' : first.revision - 1;
    try {
      const result = await this.store.append(first.streamId, group.map(asNewEvent), expected);
      const positions = result.positions ?? (group.length === 1 ? [result.position] : null);
      if (positions === null || positions.length !== group.length) {
        throw new Error(`the store answered no position for each event of ${first.streamId}@${first.revision}`);
      }
      return { pairs: group.map((event, i) => [event.position, positions[i] as Position]), written: true };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return { pairs: await this.alreadyThere(group), written: false };
      if (error instanceof DuplicateEventIdError) {
        throw new ImportConflictError(error.eventId, first.position, `its id is already stored elsewhere than ${first.streamId}@${first.revision}`);
      }
      throw error;
    }
  }

  /** The group's events, found where an earlier run of this import appended them; anything else there is a conflict. */
  private async alreadyThere(group: readonly StoredEvent[]): Promise<[Position, Position][]> {
    const first = group[0] as StoredEvent;
    const held = await this.store.readStream(first.streamId, { fromRevision: first.revision, maxCount: group.length });
    return group.map((event, i) => {
      const found = held[i];
      if (found === undefined || found.id !== event.id) {
        throw new ImportConflictError(
          event.id,
          event.position,
          `${event.streamId}@${event.revision} already holds ${found === undefined ? 'nothing it can read' : `event ${found.id}`}: the target store is not empty or holds another log`,
        );
      }
      return [event.position, found.position];
    });
  }
}

function asNewEvent(event: StoredEvent): NewEvent {
  const moved = movedEvent(event);
  return { id: moved.id, type: moved.type, version: moved.version, data: moved.data, metadata: moved.metadata, recordedAt: moved.recordedAt };
}

/**
 * The event as a move writes it: everything kept, and in its metadata the
 * alias it had in the log it was first written to (an event moved before
 * keeps the one it carries), so the integer ids Qiscus clients hold do not
 * change with the positions (libs/domain/aliases.ts).
 */
export function movedEvent(event: StoredEvent): StoredEvent {
  if (event.metadata[KEPT_ALIAS] !== undefined) return event;
  return { ...event, metadata: { ...event.metadata, [KEPT_ALIAS]: aliasOf(event.position) } };
}

/**
 * Consecutive events of one stream go in one append where the store answers
 * each event's position; elsewhere (EventStoreDB) one event an append, so
 * every old position has its own new one.
 */
function* groups(events: readonly StoredEvent[], grouped: boolean): Generator<StoredEvent[]> {
  let group: StoredEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata));
    const last = group[group.length - 1];
    if (
      last !== undefined &&
      (!grouped || last.streamId !== event.streamId || group.length >= GROUP_EVENTS || bytes + size > GROUP_BYTES)
    ) {
      yield group;
      group = [];
      bytes = 0;
    }
    group.push(event);
    bytes += size;
  }
  if (group.length > 0) yield group;
}

/** What a stream must read back as: its events' count and a hash of everything but their positions. */
export interface StreamDigest {
  count: number;
  hash: string;
}

/** Everything an event keeps across a move, in one canonical text. */
function kept(event: StoredEvent): string {
  return JSON.stringify([event.id, event.streamId, event.revision, event.type, event.version, event.recordedAt, event.data, event.metadata]);
}

/** Folds events (in stream order) into per-stream digests. */
export class StreamDigests {
  readonly streams = new Map<string, StreamDigest>();
  events = 0;

  add(event: StoredEvent): void {
    const digest = this.streams.get(event.streamId) ?? { count: 0, hash: '' };
    digest.hash = createHash('sha256').update(digest.hash).update('\n').update(kept(event)).digest('hex');
    digest.count++;
    this.streams.set(event.streamId, digest);
    this.events++;
  }
}

export interface StreamMismatch {
  readonly streamId: string;
  readonly expected: StreamDigest;
  readonly found: StreamDigest;
}

/**
 * Reads every stream the export named back from the store, event by event,
 * and compares count and hash: the proof that a move kept each stream whole.
 */
export async function compareStreams(store: EventStore, expected: StreamDigests): Promise<StreamMismatch[]> {
  const mismatches: StreamMismatch[] = [];
  for (const [streamId, want] of expected.streams) {
    const found = new StreamDigests();
    for (let from = 0; ; ) {
      const page = await store.readStream(streamId, { fromRevision: from, maxCount: 1000 });
      for (const event of page) found.add(event);
      if (page.length < 1000) break;
      from += page.length;
    }
    const got = found.streams.get(streamId) ?? { count: 0, hash: '' };
    if (got.count !== want.count || got.hash !== want.hash) mismatches.push({ streamId, expected: { ...want }, found: got });
  }
  return mismatches;
}

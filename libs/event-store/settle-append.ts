import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type StoredEvent,
} from './event-store.port';

/**
 * An append was sent and no answer came (a deadline passed, the connection
 * broke), and checking again did not settle it: the events may or may not be
 * stored. Never reported as "unreachable", which would tell the client that
 * nothing was written.
 */
export class AppendOutcomeUnknownError extends Error {
  constructor(
    readonly store: string,
    readonly streamId: string,
    reason: string,
  ) {
    super(`${store}: the append to ${streamId} may or may not be stored (${reason}); retry with the same idempotency key`);
    this.name = 'AppendOutcomeUnknownError';
  }
}

export interface SettleOptions {
  /** The store's name, for the error. */
  readonly store: string;
  /** Whether a failed attempt may have been written (sent, then no answer). */
  readonly ambiguous: (error: unknown) => boolean;
  /** Attempts after the first ambiguous failure. */
  readonly retries?: number;
  /** Waits before retry `n` (0-based): a backoff, or until the store is reachable again. */
  readonly pause?: (retry: number) => Promise<void>;
  /** Whether the store answers each event's position (EventStoreDB does not for several events). */
  readonly eachPosition?: boolean;
}

/**
 * Appends, and when an attempt's outcome is unknown, retries the same events
 * (same ids) at the same expected revision. A retry that the store refuses
 * for the revision or the ids means the earlier attempt may have been
 * written: the stream is read where the events would be, and if they are
 * there (every id, in order) that is the answer; another writer's events
 * there are the conflict the caller handles as usual. Never writes twice.
 */
export async function settleAppend(
  store: Pick<EventStore, 'append' | 'readStream'>,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  options: SettleOptions,
): Promise<AppendResult> {
  const retries = options.retries ?? 3;
  let unknown: unknown = null;
  for (let retry = 0; ; retry++) {
    try {
      return await store.append(streamId, events, expected);
    } catch (error) {
      if (unknown !== null && (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError)) {
        let found: AppendResult | null;
        try {
          found = await findAppended(store, streamId, events, expected, options.eachPosition ?? true);
        } catch (readError) {
          // Could not look: still unknown, never "unavailable" (that would say nothing was written).
          throw new AppendOutcomeUnknownError(options.store, streamId, describe(readError));
        }
        if (found !== null) return found;
        throw error;
      }
      if (!options.ambiguous(error)) {
        if (unknown === null) throw error;
        // Refused before it was sent this time (the store is known down): the first attempt's fate is still unknown.
      } else {
        unknown = error;
      }
      if (retry >= retries) throw new AppendOutcomeUnknownError(options.store, streamId, describe(unknown));
      await options.pause?.(retry);
    }
  }
}

/** The appended events where an earlier attempt would have put them, or null when they are not there. */
async function findAppended(
  store: Pick<EventStore, 'readStream'>,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  eachPosition: boolean,
): Promise<AppendResult | null> {
  let held: StoredEvent[];
  if (typeof expected === 'number' || expected === 'no_stream') {
    held = await store.readStream(streamId, { fromRevision: expected === 'no_stream' ? 0 : expected + 1, maxCount: events.length });
  } else {
    // No revision to look at: the last events of the stream, newest first, hold them if anything does.
    const recent = (await store.readStream(streamId, { direction: 'backwards', maxCount: events.length + 100 })).reverse();
    const at = recent.findIndex((event) => event.id === events[0]?.id);
    held = at < 0 ? [] : recent.slice(at, at + events.length);
  }
  if (held.length !== events.length || held.some((event, i) => event.id !== events[i]?.id)) return null;
  const last = held[held.length - 1] as StoredEvent;
  return {
    nextRevision: last.revision,
    position: last.position,
    ...(eachPosition || held.length === 1 ? { positions: held.map((event) => event.position) } : {}),
  };
}

function describe(error: unknown): string {
  return ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim() || 'no answer';
}

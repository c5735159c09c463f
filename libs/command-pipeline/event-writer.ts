import { EVENT_VERSIONS, type ParleyEvent } from '../domain/events';
import { newId } from '../domain/ids';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '../event-store/event-store.port';
import type { CommandContext } from './command-context';
import { noteLocalAppend } from './stream-state-cache';

const MAX_ATTEMPTS = 8;

/** Appends domain events as envelopes and retries decisions that lost a race. */
export class EventWriter {
  constructor(private readonly store: EventStore) {}

  append(
    streamId: string,
    events: readonly ParleyEvent[],
    expected: ExpectedRevision,
    context: CommandContext,
    ids?: readonly string[],
  ): Promise<AppendResult> {
    return this.appendEach(
      streamId,
      events.map((event, index) => ({ event, context, id: ids?.[index] })),
      expected,
    );
  }

  /** One append whose events come from different requests, each keeping its own metadata. */
  async appendEach(
    streamId: string,
    items: readonly { readonly event: ParleyEvent; readonly context: CommandContext; readonly id?: string }[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const envelopes: NewEvent[] = items.map(({ event, context, id }) => ({
      id: id ?? newId(),
      type: event.type,
      version: EVENT_VERSIONS[event.type],
      data: event.data,
      metadata: {
        actor: context.actingKey ?? context.actor,
        ...(context.actingKey === undefined ? {} : { subject: context.actor }),
        correlationId: context.correlationId,
        causationId: context.causationId,
        ...(context.importId === undefined ? {} : { importId: context.importId }),
      },
    }));
    // Noted before and after: a cached state read while the append was in flight is read again,
    // and so is one a conflict just proved stale (another process wrote the stream).
    noteLocalAppend(streamId);
    try {
      return await this.store.append(streamId, envelopes, expected);
    } finally {
      noteLocalAppend(streamId);
    }
  }

  /**
   * Runs read-decide-append again when another writer moved the stream first.
   * A bounded number of times, with a little jitter so that racing writers
   * do not collide in lockstep.
   */
  async retrying<T>(attempt: () => Promise<T>, onConflict?: () => void): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || tries >= MAX_ATTEMPTS) throw error;
        onConflict?.();
        if (tries > 2) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * tries));
      }
    }
  }
}

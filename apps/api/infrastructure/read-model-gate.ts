import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EventStore, Position } from '../../../libs/event-store/event-store.port';
import { readProjectionStatus, type ProjectionStatus } from '../../../libs/projection/projector';
import type { ProjectorHandle } from '../../../libs/projection/projector-handle';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { parleyProjections } from '../../../projections';
import { EVENT_STORE, PROJECTOR, READ_STORE } from './tokens';
import { DomainError } from '../../../libs/domain/errors';

const POLL_MS = 10;

/** What a query waiting for its read models gets: they passed the position, or why not. */
export type ReadModelsWait =
  | { readonly reached: true }
  | { readonly reached: false; readonly failed: readonly ProjectionStatus[] };

const passed = (status: ProjectionStatus, position: Position) =>
  status.checkpoint !== null && BigInt(status.checkpoint) >= position;

/**
 * Lets a query wait until the read models passed a position a command
 * returned. With the projector in this process it waits on the projector's
 * own progress; otherwise it reads the checkpoints and failures the projector
 * stores. A failed projection is never waited for.
 */
@Injectable()
export class ReadModelGate {
  constructor(
    @Inject(PROJECTOR) private readonly projector: ProjectorHandle | null,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Optional() @Inject(EVENT_STORE) private readonly events?: EventStore,
  ) {}

  /**
   * Waits (bounded) until the read models passed the log's head as it is now:
   * for a surface whose clients read right after they write and carry no
   * position (the seeds' APIs). False when the time ran out.
   */
  async waitForHead(timeoutMs: number): Promise<boolean> {
    if (!this.events) throw new Error('ReadModelGate.waitForHead needs the event store');
    const head = await this.events.headPosition();
    return head === null ? true : this.waitFor(head, timeoutMs);
  }

  /** Each projection's checkpoint and state (failure included). */
  async status(): Promise<ProjectionStatus[]> {
    if (this.projector) return this.projector.status();
    return readProjectionStatus(this.readStore, parleyProjections);
  }

  /** The position every running projection has passed, or null before the first event. */
  async position(): Promise<Position | null> {
    if (this.projector) return this.projector.position();
    let lowest: Position | null = null;
    for (const status of await this.status()) {
      if (status.state === 'failed') continue;
      if (status.checkpoint === null) return null;
      const value = BigInt(status.checkpoint);
      if (lowest === null || value < lowest) lowest = value;
    }
    return lowest;
  }

  async waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.projector) return this.projector.waitFor(position, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await this.position();
      if (current !== null && current >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /**
   * Waits until the named read models (all when null) passed `position`.
   * Answers at once, with the failed ones, when one of them is stopped before
   * it; `failed` is empty when the wait timed out.
   */
  async waitForReadModels(position: Position, timeoutMs: number, names: readonly string[] | null): Promise<ReadModelsWait> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = (await this.status()).filter((s) => names === null || names.includes(s.name));
      const failed = statuses.filter((s) => s.state === 'failed' && !passed(s, position));
      if (failed.length > 0) return { reached: false, failed };
      if (statuses.every((s) => passed(s, position))) return { reached: true };
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { reached: false, failed: [] };
      // The in-process projector wakes its waiters on every commit and when a
      // projection fails, so this returns as soon as there is news.
      if (this.projector) await this.projector.waitFor(position, remaining);
      else await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, remaining)));
    }
  }

  /**
   * Waits as waitForReadModels does, and refuses when the wait ends short:
   * 503 READ_MODEL.FAILED at once when one of them is stopped before
   * `position`, 503 READ_MODEL.BEHIND (Retry-After: 1) when the time ran out.
   * A query that must see `position` says "not yet", never "no such thing".
   */
  async requireReadModels(position: Position, timeoutMs: number, names: readonly string[] | null): Promise<void> {
    const outcome = await this.waitForReadModels(position, timeoutMs, names);
    if (outcome.reached) return;
    if (outcome.failed.length > 0) throw readModelFailed(outcome.failed);
    throw new DomainError(
      'READ_MODEL.BEHIND',
      'unavailable',
      `The read models did not reach position ${position.toString()} within ${timeoutMs} ms`,
      undefined,
      1,
    );
  }
}

/**
 * A read model a query needs is stopped on an event it cannot project (see
 * /health): waiting would not help, so the answer is at once. The event and
 * the error stay in /health, for operators.
 */
function readModelFailed(failed: readonly ProjectionStatus[]): DomainError {
  const names = failed.map((s) => s.name).join(', ');
  return new DomainError(
    'READ_MODEL.FAILED',
    'unavailable',
    `The read model ${names} stopped on an event it cannot project; queries on it cannot see newer writes until it is repaired`,
    failed.map((s) => ({
      field: s.name,
      reason: `stopped at position ${s.checkpoint ?? 'none'}, before the event at ${s.failure?.position ?? 'unknown'}`,
    })),
  );
}

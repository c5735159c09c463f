import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { StoredEvent } from '../../../libs/event-store/event-store.port';
import type { LogFollower } from './log-follower';

/**
 * A provider that hears every batch of the live log from module start to
 * module end: the per-process copies of read-model data that the log says
 * are stale (PresenceDocs, MatchedContacts).
 */
export abstract class LiveLogListener implements OnModuleInit, OnModuleDestroy {
  private unlisten: (() => void) | null = null;

  protected constructor(protected readonly follower: LogFollower) {}

  onModuleInit(): void {
    this.unlisten = this.follower.listen((events) => this.observe(events));
  }

  onModuleDestroy(): void {
    this.unlisten?.();
    this.unlisten = null;
  }

  /** One batch of the log, in order; the next waits for it. */
  protected abstract observe(events: readonly StoredEvent[]): void | Promise<void>;
}

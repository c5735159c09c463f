import { createHmac } from 'node:crypto';
import { upcast } from '../../../libs/domain/events';
import { subscribesTo, webhookStream, type LiveWebhook } from '../../../libs/domain/webhooks/webhook.decider';
import type { EventStore, Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { LeaseNotHeldError } from '../../../libs/read-store/lease-keeper';
import { FencedOutError, type Fence, type ReadStore } from '../../../libs/read-store/read-store.port';
import { guardedPost, type Resolver } from './guarded-post';
import type { WebhookCommandResult } from './webhook-command.command';
import type { WebhookPayloads } from './webhook-payloads';
import type { WebhookStates } from './webhook-states';

/** Checkpoint of a subscription: the last position it has passed (delivered or skipped). */
export const webhookCheckpoint = (webhookId: string) => `webhook:${webhookId}`;
/**
 * Replays applied so far, committed with the checkpoint: a replay requested
 * just before a crash is applied after it, and one applied is never applied
 * again.
 */
export const webhookReplaysCheckpoint = (webhookId: string) => `webhook-replays:${webhookId}`;

const SCAN_BATCH = 200;
const COMMIT_RETRY_MS = 50;
const IDLE_MS = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 10 * 60_000;

export interface RunnerDeps {
  readonly store: EventStore;
  readonly readStore: ReadStore;
  /** The webhook worker lease's fence: checkpoint writes go out only under it. */
  readonly fence: () => Fence;
  readonly states: WebhookStates;
  readonly payloads: WebhookPayloads;
  readonly pause: (
    webhookId: string,
    failure: { lastError: string; stuckAt: string; attempts: number; eventId: string },
  ) => Promise<WebhookCommandResult>;
  readonly retryBaseMs: number;
  readonly maxAttempts: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS; otherwise every delivery is checked after DNS resolution. */
  readonly allowPrivateNetworks: boolean;
  /** How names resolve; the system's resolver unless a test stands in for DNS. */
  readonly resolve?: Resolver;
  readonly log: (message: string, fields: Record<string, unknown>) => void;
  /** Told of each attempt's outcome (metrics). */
  readonly attempted?: (outcome: 'delivered' | 'failed' | 'paused') => void;
}

/** Where an active subscription is retrying, for the admin view. */
export interface DeliveryProgress {
  readonly position: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly nextAttemptAt: string;
}

type Outcome = 'delivered' | 'skipped' | 'interrupted';

/**
 * Delivers one subscription: reads the log from its checkpoint and POSTs the
 * events it subscribes to one at a time, in log order. A 2xx moves the
 * checkpoint past the event; anything else is retried with exponential
 * backoff, and after `maxAttempts` failures in a row the subscription is
 * paused at that event. At least once: a crash between a 2xx and the
 * checkpoint commit delivers that event again (same X-Parley-Delivery).
 */
export class WebhookRunner {
  readonly done: Promise<void>;
  private stopped = false;
  private progressNow: DeliveryProgress | null = null;
  private checkpointNow: Position | null = null;
  private wake: { resolve: () => void; onLog: boolean } | null = null;
  private logSignalled = false;
  private changeSignalled = false;
  private inFlight: AbortController | null = null;

  constructor(
    readonly webhookId: string,
    private readonly deps: RunnerDeps,
  ) {
    this.done = this.run();
  }

  get progress(): DeliveryProgress | null {
    return this.progressNow;
  }

  /** The last position this subscription passed (its committed checkpoint), null before its first. */
  get checkpoint(): Position | null {
    return this.checkpointNow;
  }

  /** New events in the log. */
  notifyLog(): void {
    this.logSignalled = true;
    if (this.wake?.onLog) this.wake.resolve();
  }

  /** The subscription itself changed (updated, paused, resumed, replayed, removed). */
  notifyChange(): void {
    this.changeSignalled = true;
    this.logSignalled = true;
    this.wake?.resolve();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.inFlight?.abort();
    this.wake?.resolve();
    return this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if ((await this.follow()) === 'removed') {
          // A removed subscription's progress means nothing any more.
          await this.deps.readStore.reset([], [webhookCheckpoint(this.webhookId), webhookReplaysCheckpoint(this.webhookId)], this.deps.fence());
          return;
        }
      } catch (error) {
        if (this.stopped) return;
        this.deps.log('webhook delivery failed; retrying', { webhookId: this.webhookId, error: String(error) });
        await this.sleep(IDLE_MS, false);
      }
    }
  }

  private async follow(): Promise<'removed' | 'stopped'> {
    const { readStore, store, states } = this.deps;
    let replaysApplied = Number((await readStore.getCheckpoint(webhookReplaysCheckpoint(this.webhookId))) ?? '0');
    const stored = await readStore.getCheckpoint(webhookCheckpoint(this.webhookId));
    let cursor: Position | null = stored === null ? null : BigInt(stored);
    let committed = cursor;
    this.checkpointNow = cursor;
    /**
     * A replay's start, read inclusively (`readAll({ from })`): no position is
     * derived from another (EventStoreDB's are packed pairs). The replay counts
     * as applied only once the checkpoint moves past an event it read, so a
     * crash before then replays it again.
     */
    let replayFrom: Position | null = null;
    /**
     * Retried in place until it is written: leaving `follow` would restart it
     * from the stored checkpoint, delivering again what was just delivered (a
     * replay's first event, with its replay not yet counted as applied). Only
     * a lost lease ends it (fence() or the store refuses the token): the next
     * holder goes on from the stored checkpoint, at least once.
     */
    const commit = async () => {
      for (let failures = 0; ; failures++) {
        if (cursor === null || cursor === committed || replayFrom !== null || this.stopped) return;
        try {
          await readStore.commit(
            [],
            [
              { name: webhookCheckpoint(this.webhookId), position: cursor.toString() },
              { name: webhookReplaysCheckpoint(this.webhookId), position: String(replaysApplied) },
            ],
            this.deps.fence(),
          );
          committed = cursor;
          this.checkpointNow = cursor;
          return;
        } catch (error) {
          if (error instanceof FencedOutError || error instanceof LeaseNotHeldError) throw error;
          this.deps.log('webhook checkpoint not written; retrying', { webhookId: this.webhookId, error: String(error) });
          await this.sleep(Math.min(IDLE_MS * 5, COMMIT_RETRY_MS * 2 ** Math.min(failures, 10)), false);
        }
      }
    };

    while (!this.stopped) {
      this.changeSignalled = false;
      const { state } = await states.load(this.webhookId);
      if (state.status === 'removed') return 'removed';
      if (state.status === 'absent') {
        await this.sleep(IDLE_MS, true);
        continue;
      }
      if (state.replays > replaysApplied) {
        replayFrom = BigInt(state.replayFrom ?? '0');
        cursor = replayFrom;
        replaysApplied = state.replays;
        committed = null;
        this.progressNow = null;
        this.deps.log('webhook replay', { webhookId: this.webhookId, from: state.replayFrom });
        continue;
      }
      if (state.status === 'paused') {
        this.progressNow = null;
        if (!this.changeSignalled) await this.sleep(IDLE_MS, false);
        continue;
      }
      if (cursor === null) {
        // A new subscription starts with the events after its registration.
        const [registered] = await store.readStream(webhookStream(this.webhookId), { maxCount: 1 });
        cursor = registered?.position ?? 0n;
        await commit();
      }
      this.logSignalled = false;
      const batch = await store.readAll(replayFrom === null ? { after: cursor, maxCount: SCAN_BATCH } : { from: replayFrom, maxCount: SCAN_BATCH });
      if (batch.length === 0) {
        if (!this.logSignalled) await this.sleep(IDLE_MS, true);
        continue;
      }
      for (const event of batch) {
        if (this.stopped) break;
        if (subscribesTo(state, event.type)) {
          const outcome = await this.deliver(event, replaysApplied);
          if (outcome === 'interrupted') break;
        }
        cursor = event.position;
        replayFrom = null;
        // Deliveries move the checkpoint one by one; skipped events once per batch.
        if (subscribesTo(state, event.type)) await commit();
      }
      await commit();
    }
    return 'stopped';
  }

  private async deliver(event: StoredEvent, replaysApplied: number): Promise<Outcome> {
    let failures = 0;
    for (;;) {
      if (this.stopped) return 'interrupted';
      this.changeSignalled = false;
      const { state } = await this.deps.states.load(this.webhookId);
      if (state.status !== 'active' || state.replays !== replaysApplied) return 'interrupted';
      if (!subscribesTo(state, event.type)) return 'skipped';
      // Not a POST from a process that no longer holds the worker's lease (throws; the loop retries).
      this.deps.fence();
      let error: string;
      try {
        const status = await this.post(state, event);
        if (status === null) return 'skipped';
        if (status >= 200 && status < 300) {
          this.progressNow = null;
          this.deps.attempted?.('delivered');
          return 'delivered';
        }
        error = `HTTP ${status}`;
      } catch (caught) {
        if (this.stopped) return 'interrupted';
        error = describeError(caught);
      }
      failures++;
      this.deps.attempted?.('failed');
      if (failures >= this.deps.maxAttempts) {
        this.progressNow = null;
        this.deps.attempted?.('paused');
        this.deps.log('webhook paused after failed deliveries', {
          webhookId: this.webhookId,
          position: event.position.toString(),
          attempts: failures,
          error,
        });
        await this.deps.pause(this.webhookId, {
          lastError: error,
          stuckAt: event.position.toString(),
          attempts: failures,
          eventId: event.id,
        });
        return 'interrupted';
      }
      const delay = Math.min(MAX_BACKOFF_MS, this.deps.retryBaseMs * 2 ** (failures - 1));
      this.progressNow = {
        position: event.position.toString(),
        attempts: failures,
        lastError: error,
        nextAttemptAt: new Date(Date.now() + delay).toISOString(),
      };
      // A change to the subscription (a fixed URL, a replay) retries at once.
      if (!this.changeSignalled) await this.sleep(delay, false);
    }
  }

  /** The receiver's status, or null for an event this build cannot read. */
  private async post(hook: LiveWebhook, stored: StoredEvent): Promise<number | null> {
    const event = upcast(stored.type, stored.version, stored.data);
    if (!event) return null;
    const body = JSON.stringify(await this.deps.payloads.render(hook.format, stored, event));
    // Its key is destroyed only on removal, which stops this runner: never send unsigned.
    if (hook.secret === null) throw new Error('the webhook has no signing secret any more');
    const signature = createHmac('sha256', hook.secret).update(body).digest('hex');
    const controller = new AbortController();
    this.inFlight = controller;
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    try {
      return await guardedPost({
        url: hook.url,
        body,
        signal: controller.signal,
        allowPrivateNetworks: this.deps.allowPrivateNetworks,
        ...(this.deps.resolve ? { resolve: this.deps.resolve } : {}),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Parley-Webhooks/1',
          'x-parley-signature': `sha256=${signature}`,
          'x-parley-position': stored.position.toString(),
          'x-parley-event': stored.type,
          'x-parley-delivery': stored.id,
          'x-parley-webhook': this.webhookId,
        },
      });
    } finally {
      clearTimeout(timer);
      this.inFlight = null;
    }
  }

  private sleep(ms: number, onLog: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        if (this.wake === waker) this.wake = null;
        resolve();
      };
      const waker = { resolve: done, onLog };
      this.wake = waker;
    });
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return error.message;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`.trim();
  }
  return error.message;
}

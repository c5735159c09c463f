import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { ParleyConfig } from '../../../libs/config/config';
import { isWebhookEventType } from '../../../libs/domain/webhooks/webhook.decider';
import type { EventStore, StoredEvent } from '../../../libs/event-store/event-store.port';
import { countBehind } from '../../../libs/event-store/log-lag';
import { LEASES, LeaseKeeper, leaseHolder } from '../../../libs/read-store/lease-keeper';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { LogFollower } from '../infrastructure/log-follower';
import { ParleyMetrics } from '../infrastructure/metrics';
import { EVENT_STORE, PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { ExecuteWebhookCommand } from './webhook-command.command';
import { WebhookPayloads } from './webhook-payloads';
import { WebhookRunner, type DeliveryProgress, type RunnerDeps } from './webhook-runner';
import { WebhookStates } from './webhook-states';

const DISCOVER_MS = 5_000;
const BACKLOG_CAP = 10_000;

/**
 * The webhook delivery worker of this process: one runner per live
 * subscription, each a consumer of the log with its own checkpoint. Runners
 * are found in the `webhooks` read model at start and every few seconds, and
 * at once when the live log shows a registration; the live log also wakes
 * idle runners, so a delivery follows its event within milliseconds.
 *
 * Among several API processes one delivers: the one holding the webhook
 * worker's lease (LEASES.webhooks); its checkpoint commits carry the lease's
 * fencing token, and the others start their runners only if they take it
 * over. So each event is delivered once per attempt, not once per process.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('webhooks');
  private readonly runners = new Map<string, WebhookRunner>();
  private readonly deps: RunnerDeps;
  private readonly unlisten: () => void;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly lease: LeaseKeeper;

  constructor(
    follower: LogFollower,
    commands: CommandBus,
    states: WebhookStates,
    payloads: WebhookPayloads,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) config: ParleyConfig,
    metrics: ParleyMetrics,
  ) {
    const deliveries = metrics.counter('parley_webhook_deliveries_total', 'Webhook delivery attempts by outcome (delivered, failed, paused)', ['outcome']);
    metrics.gauge(
      'parley_webhook_backlog_events',
      `Events in the log after each live subscription's checkpoint (counted up to ${BACKLOG_CAP})`,
      ['subscription'],
      () => this.backlog(store),
    );
    this.lease = new LeaseKeeper(readStore, LEASES.webhooks, leaseHolder(), {
      ttlMs: config.leaseTtlMs,
      log: (msg, fields) => this.logger.log({ msg, ...fields }),
    });
    this.deps = {
      attempted: (outcome) => deliveries.inc({ outcome }),
      store,
      readStore,
      fence: () => this.lease.fence(),
      states,
      payloads,
      retryBaseMs: config.webhookRetryBaseMs,
      maxAttempts: config.webhookMaxAttempts,
      allowPrivateNetworks: config.webhookAllowPrivateNetworks,
      log: (msg, fields) => this.logger.log({ msg, ...fields }),
      pause: (webhookId, failure) =>
        commands.execute(
          new ExecuteWebhookCommand(
            webhookId,
            {
              type: 'PauseWebhook',
              reason: 'failures',
              lastError: failure.lastError,
              stuckAt: failure.stuckAt,
              attempts: failure.attempts,
              actor: 'system',
              now: new Date().toISOString(),
            },
            { actor: 'system', correlationId: `webhook:${webhookId}`, causationId: failure.eventId },
          ),
        ),
    };
    this.unlisten = follower.listen((events) => this.observe(events));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lease.onAcquired(() => void this.discover());
    this.lease.onLost(() => void this.stopRunners());
    this.lease.start();
    await this.lease.tick();
    await this.discover();
    this.timer = setInterval(() => void this.discover(), DISCOVER_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unlisten();
    if (this.timer !== null) clearInterval(this.timer);
    await this.stopRunners();
    await this.lease.stop();
  }

  private async stopRunners(): Promise<void> {
    const running = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(running.map((runner) => runner.stop()));
  }

  /** Where a subscription is retrying right now, if it is. */
  progress(webhookId: string): DeliveryProgress | null {
    return this.runners.get(webhookId)?.progress ?? null;
  }

  /** What each runner still has to read; the log is counted after its checkpoint, up to a cap, as /health counts lag. */
  private backlog(store: EventStore): Promise<(readonly [{ subscription: string }, number])[]> {
    return Promise.all(
      [...this.runners.entries()].map(async ([webhookId, runner]) => {
        const after = runner.checkpoint;
        return [{ subscription: webhookId }, after === null ? 0 : await countBehind(store, after, BACKLOG_CAP)] as const;
      }),
    );
  }

  private observe(events: readonly StoredEvent[]): void {
    if (this.stopped) return;
    for (const event of events) {
      if (!isWebhookEventType(event.type)) continue;
      const webhookId = (event.data as { webhookId?: unknown }).webhookId;
      if (typeof webhookId !== 'string') continue;
      if (event.type === 'WebhookRegistered') this.ensure(webhookId);
      this.runners.get(webhookId)?.notifyChange();
    }
    for (const runner of this.runners.values()) runner.notifyLog();
  }

  private async discover(): Promise<void> {
    if (!this.lease.held()) return;
    try {
      const docs = await this.readStore.find('webhooks', { filter: { status: { $in: ['active', 'paused'] } } });
      for (const doc of docs) this.ensure(doc.id);
    } catch (error) {
      // The read model may not exist yet (a projector in another process); the next round finds it.
      this.logger.debug({ msg: 'webhook discovery failed', error: String(error) });
    }
  }

  private ensure(webhookId: string): void {
    if (this.stopped || this.runners.has(webhookId) || !this.lease.held()) return;
    const runner = new WebhookRunner(webhookId, this.deps);
    this.runners.set(webhookId, runner);
    void runner.done.finally(() => {
      if (this.runners.get(webhookId) === runner) this.runners.delete(webhookId);
    });
  }
}

import { Injectable } from '@nestjs/common';
import { ParleyMetrics } from '../infrastructure/metrics';
import { HealthReport, type HealthView } from './health-report';

/**
 * The projector's progress and the stores' reachability as gauges, computed
 * from the same report as /health when Prometheus scrapes (one report per
 * scrape, however many gauges read it).
 */
@Injectable()
export class HealthMetrics {
  private pending: Promise<HealthView> | null = null;

  constructor(metrics: ParleyMetrics, health: HealthReport) {
    const report = () => {
      // The gauges of one scrape are collected together: they share one report.
      this.pending ??= health.report().finally(() => setImmediate(() => (this.pending = null)));
      return this.pending;
    };
    const projections = async () => (await report()).readModels.projections ?? [];
    metrics.gauge('parley_log_head_position', 'Position of the last event in the log', [], async () => {
      const head = (await report()).eventStore.head;
      return head === null ? [] : [[{}, Number(head)]];
    });
    metrics.gauge('parley_projection_position', 'Position of the last event each projection applied', ['projection'], async () =>
      (await projections()).flatMap((p) => (p.checkpoint === null ? [] : [[{ projection: p.name }, Number(p.checkpoint)] as const])),
    );
    metrics.gauge('parley_projection_lag_events', 'Events in the log after each projection\'s checkpoint (counted up to HEALTH_MAX_LAG_EVENTS + 1)', ['projection'], async () =>
      (await projections()).flatMap((p) => (p.eventsBehind === null ? [] : [[{ projection: p.name }, p.eventsBehind] as const])),
    );
    metrics.gauge('parley_projection_lag_seconds', 'Seconds since the oldest event each projection has not applied was recorded', ['projection'], async () =>
      (await projections()).flatMap((p) => (p.secondsBehind === null ? [] : [[{ projection: p.name }, p.secondsBehind] as const])),
    );
    metrics.gauge('parley_projection_running', '1 while a projection runs, 0 once it stopped on an event', ['projection'], async () =>
      (await projections()).map((p) => [{ projection: p.name }, p.state === 'running' ? 1 : 0] as const),
    );
    metrics.gauge('parley_store_up', '1 while a store answers, 0 while it is unreachable', ['store'], async () => {
      const view = await report();
      const down = new Set(view.down ?? []);
      const eventStore = view.eventStore.connection?.store ?? 'event store';
      const readStore = view.readModels.connection?.store ?? 'read store';
      return [
        [{ store: eventStore }, down.has(eventStore) ? 0 : 1],
        [{ store: readStore }, down.has(readStore) ? 0 : 1],
      ];
    });
  }
}

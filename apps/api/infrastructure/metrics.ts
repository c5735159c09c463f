import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandObserver, CommandOutcome } from '../../../libs/command-pipeline/command-pipeline';
import { LogFollower } from './log-follower';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Label values of a gauge read at scrape time, and the value. */
export type Sample<L extends string> = readonly [Partial<Record<L, string>>, number];

/**
 * The API process's Prometheus registry (GET /metrics). One per application,
 * never prom-client's global one: tests run several Parley apps in a process.
 * Every label is bounded: route templates (never paths or ids), command and
 * event types, outcomes, projection names, webhook subscription ids (as many
 * as the operator registered).
 */
@Injectable()
export class ParleyMetrics implements CommandObserver {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly commands = new Counter({
    name: 'parley_commands_total',
    help: 'Commands through the write path, by type and outcome (appended, unchanged, conflict_retried per retry, refused, failed)',
    labelNames: ['command', 'outcome'],
    registers: [this.registry],
  });
  private readonly eventsAppended = new Counter({
    name: 'parley_events_appended_total',
    help: 'Events appended to the log since this process started following it, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });

  constructor(follower: LogFollower) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    follower.listen((events) => {
      for (const event of events) this.eventsAppended.inc({ type: event.type });
    });
  }

  /** `route` is the template Fastify matched (`/v1/rooms/:roomId`), or none for an unknown path. */
  request(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method: METHODS.has(method) ? method : 'OTHER', route: route ?? 'unmatched', status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  command(type: string, outcome: CommandOutcome): void {
    this.commands.inc({ command: type, outcome });
  }

  /** A counter a feature increments (webhook deliveries, ...). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge whose samples a feature computes when Prometheus scrapes (sessions, lag, backlog). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: () => Promise<readonly Sample<L>[]> | readonly Sample<L>[]): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [labels, value] of await collect()) this.set(labels as Partial<Record<L, string | number>>, value);
      },
    });
  }
}

import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { HealthReport, type HealthView } from './health-report';
import { HealthResponse, LivenessResponse, ReadinessResponse } from './health.responses';

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  /** Why not, in words that name the store or projection. */
  readonly reasons?: readonly string[];
  readonly down?: readonly string[];
  readonly failed?: readonly string[];
  readonly lagging?: readonly string[];
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthReport) {}

  /** Liveness, which store (if any) is unreachable, and how far the read models trail the log. */
  @Get()
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'A store is unreachable, or a projection failed or lags: the same report' })
  async report(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    const view = await this.health.report();
    if (view.status !== 'ok') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return view;
  }

  /** The process answers: restart it only when this fails. It reads no store, so a store outage never restarts Parley. */
  @Get('live')
  @ApiOkResponse({ type: LivenessResponse })
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  /**
   * Whether to send traffic here: both stores reachable, every projection
   * running and within HEALTH_MAX_LAG_EVENTS of the log. 503 names what is not.
   */
  @Get('ready')
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiServiceUnavailableResponse({ type: ReadinessResponse, description: 'A store is down, or a projection failed or lags; named' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const view = await this.health.report();
    if (view.status === 'ok') return { status: 'ready' };
    void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    const failed = (view.failed ?? []).map((f) => f.projection);
    const reasons = [
      ...(view.down ?? []).map((store) => `${store} is unreachable`),
      ...(view.failed ?? []).map((f) => `projection ${f.projection} failed at position ${f.position} (${f.eventType})`),
      ...(view.lagging ?? []).map((name) => `projection ${name} trails the log by more than the configured lag`),
    ];
    return {
      status: 'not_ready',
      reasons,
      ...(view.down?.length ? { down: view.down } : {}),
      ...(failed.length ? { failed } : {}),
      ...(view.lagging?.length ? { lagging: view.lagging } : {}),
    };
  }
}

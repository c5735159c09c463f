import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ParleyConfig } from '../../../libs/config/config';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ApiErrors } from '../common/openapi';
import { ParleyMetrics } from '../infrastructure/metrics';
import { PARLEY_CONFIG } from '../infrastructure/tokens';

/**
 * What a Prometheus server scrapes. Guarded by its own API-key scope,
 * `admin:metrics` (send it as `X-Api-Key`, Prometheus' `http_headers`), so
 * the endpoint can sit on the public port; METRICS=off removes it.
 */
@ApiTags('operator signals')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ParleyMetrics,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  @Get()
  @RequireScopes('admin:metrics')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The Prometheus text format (version 0.0.4)', schema: { type: 'string' } })
  @ApiErrors(404)
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (this.config.metrics === 'off') throw new NotFoundException();
    void reply.header('content-type', this.metrics.registry.contentType).header('cache-control', 'no-store');
    return this.metrics.registry.metrics();
  }
}

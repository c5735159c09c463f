import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { HealthMetrics } from './health-metrics';
import { HealthReport } from './health-report';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** The operator's signals: /health (with liveness and readiness) and /metrics. */
@Module({
  imports: [InfrastructureModule, AdminModule],
  controllers: [HealthController, MetricsController],
  providers: [HealthReport, HealthMetrics],
})
export class HealthModule {}

import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { HealthController } from './health.controller';

/** GET /health: the stores and the projector's progress. */
@Module({
  imports: [InfrastructureModule],
  controllers: [HealthController],
})
export class HealthModule {}

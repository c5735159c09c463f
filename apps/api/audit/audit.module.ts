import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { AuditController } from './audit.controller';
import { LogPages } from './log-pages';
import { RoomHistory } from './room-history';

/** Audit views of the log: the admin event stream and a room as it was. */
@Module({
  imports: [InfrastructureModule, AdminModule],
  controllers: [AuditController],
  providers: [RoomHistory, LogPages],
})
export class AuditModule {}

import { ErasureCleanup } from './erasure-cleanup';
import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { CommentsModule } from '../comments/comments.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ExportsController } from './exports.controller';
import { ImportsController } from './imports.controller';
import { ExecuteExportJobCommandHandler, ExecuteImportJobCommandHandler } from './job-command.command';
import { JobRequests } from './job-requests';
import { JobRunner } from './job-runner';
import { JobStates } from './job-states';
import { GetExportHandler, GetImportHandler, ListExportsHandler, ListImportsHandler } from './jobs.queries';
import { QiscusImporter } from './qiscus-import';

/** Qiscus export and import jobs and the runner that works them. */
@Module({
  imports: [InfrastructureModule, AdminModule, UsersModule, RoomsModule, CommentsModule],
  controllers: [ExportsController, ImportsController],
  providers: [
    JobStates,
    ExecuteExportJobCommandHandler,
    ExecuteImportJobCommandHandler,
    QiscusImporter,
    JobRunner,
    JobRequests,
    ErasureCleanup,
    ListExportsHandler,
    GetExportHandler,
    ListImportsHandler,
    GetImportHandler,
  ],
  exports: [JobRequests],
})
export class JobsModule {}

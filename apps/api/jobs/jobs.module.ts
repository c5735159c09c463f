import { ErasureCleanup } from './erasure-cleanup';
import { Module } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import { createJobFileStore } from '../../../libs/wiring/stores';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { JOB_FILES, JobFilesLifecycle } from './job-files';
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
    { provide: JOB_FILES, inject: [PARLEY_CONFIG], useFactory: (config: ParleyConfig) => createJobFileStore(config) },
    JobFilesLifecycle,
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

import { Inject, Injectable } from '@nestjs/common';
import type { ParleyEvent } from '../../../libs/domain/events';
import {
  evolveExportJob,
  exportJobStream,
  initialExportJobState,
  type ExportJobState,
} from '../../../libs/domain/jobs/export-job.decider';
import {
  evolveImportJob,
  importJobStream,
  initialImportJobState,
  type ImportJobState,
} from '../../../libs/domain/jobs/import-job.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { StreamStateCache, type Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/** Export and import jobs' decision state, folded from `export-job-<id>` and `import-job-<id>`. */
@Injectable()
export class JobStates {
  private readonly exports: StreamStateCache<ExportJobState>;
  private readonly imports: StreamStateCache<ImportJobState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.exports = new StreamStateCache<ExportJobState>(
      store,
      initialExportJobState,
      (state, event: ParleyEvent) =>
        event.type === 'ExportJobRequested' ||
        event.type === 'ExportJobCompleted' ||
        event.type === 'ExportJobFailed' ||
        event.type === 'ExportJobDeleted'
          ? evolveExportJob(state, event)
          : state,
      1000,
    );
    this.imports = new StreamStateCache<ImportJobState>(
      store,
      initialImportJobState,
      (state, event: ParleyEvent) =>
        event.type === 'ImportJobRequested' || event.type === 'ImportJobCompleted' || event.type === 'ImportJobFailed'
          ? evolveImportJob(state, event)
          : state,
      1000,
    );
  }

  loadExport(jobId: string): Promise<Loaded<ExportJobState>> {
    return this.exports.load(exportJobStream(jobId));
  }

  loadImport(jobId: string): Promise<Loaded<ImportJobState>> {
    return this.imports.load(importJobStream(jobId));
  }
}

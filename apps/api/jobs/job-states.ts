import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { exportJobDecider, exportJobStream, type ExportJobState } from '../../../libs/domain/jobs/export-job.decider';
import { importJobDecider, importJobStream, type ImportJobState } from '../../../libs/domain/jobs/import-job.decider';

/** Export and import jobs' decision state, folded from `export-job-<id>` and `import-job-<id>`. */
@Injectable()
export class JobStates {
  private readonly exports: StreamStateCache<ExportJobState>;
  private readonly imports: StreamStateCache<ImportJobState>;

  constructor(pipeline: CommandPipeline) {
    this.exports = pipeline.states(exportJobDecider, 1000);
    this.imports = pipeline.states(importJobDecider, 1000);
  }

  loadExport(jobId: string): Promise<Loaded<ExportJobState>> {
    return this.exports.load(exportJobStream(jobId));
  }

  loadImport(jobId: string): Promise<Loaded<ImportJobState>> {
    return this.imports.load(importJobStream(jobId));
  }
}

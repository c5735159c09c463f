import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { exportJobFile, importJobFile } from '../../../libs/blob-store/job-file-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { conflict } from '../../../libs/domain/errors';
import type { JobResource } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import type { Upload } from './import-upload';
import { ExecuteExportJobCommand, ExecuteImportJobCommand } from './job-command.command';
import { JobRunner } from './job-runner';
import { JobStates } from './job-states';
import { exportViewFromState, importViewFromState, type ExportJobView, type ImportJobView } from './jobs.queries';

/** Which resources a job exports or imports, for the surfaces that name them. */
export { isJobResource } from '../../../libs/domain/jobs/export-job.decider';

const now = () => new Date().toISOString();

/**
 * Starting, cancelling and downloading export and import jobs: what the
 * admin API does and the Qiscus server API does too (its backups), in one
 * place. The jobs themselves are the job aggregates; the runner works them.
 */
@Injectable()
export class JobRequests {
  constructor(
    private readonly commands: CommandBus,
    private readonly jobs: JobStates,
    private readonly runner: JobRunner,
  ) {}

  async requestExport(resource: JobResource, startDate: string, endDate: string, caller: CommandContext): Promise<ExportJobView & { position: string }> {
    const id = newId();
    const result = await this.commands.execute(
      new ExecuteExportJobCommand(id, { type: 'RequestExport', jobId: id, resource, startDate, endDate, actor: caller.actor, now: now() }, caller),
    );
    const view = exportViewFromState((await this.jobs.loadExport(id)).state, null);
    this.runner.enqueue('export', id);
    return { ...view, position: result.position };
  }

  /** Cancels a waiting or running export, or removes a finished one and its file; answers the job as it was. */
  async deleteExport(id: string, caller: CommandContext): Promise<ExportJobView & { deleted: true; position: string }> {
    const before = exportViewFromState((await this.jobs.loadExport(id)).state, this.runner.progress(id));
    const result = await this.commands.execute(new ExecuteExportJobCommand(id, { type: 'DeleteExport', actor: caller.actor, now: now() }, caller));
    this.runner.cancel(id);
    await this.runner.jobFiles.delete(exportJobFile(id));
    return { ...before, deleted: true, position: result.position };
  }

  /** The finished export's file, opened; 409 while it is not done or once it is gone. */
  async exportFile(id: string): Promise<{ readonly view: ExportJobView; readonly file: { readonly size: number; readonly stream: Readable } }> {
    const view = exportViewFromState((await this.jobs.loadExport(id)).state, this.runner.progress(id));
    if (view.status !== 'done') throw conflict('EXPORT.NOT_READY', `The export is ${view.status}; it can be downloaded once done`);
    if (view.purgedAt !== null) {
      throw conflict('EXPORT.FILE_ERASED', 'The export file was removed because an account it named was erased; request a new export');
    }
    const file = await this.runner.jobFiles.read(exportJobFile(id));
    if (file === null) throw conflict('EXPORT.FILE_MISSING', 'The export file is gone; request a new export');
    return { view, file };
  }

  async requestImport(upload: Upload, caller: CommandContext): Promise<ImportJobView & { position: string }> {
    const id = newId();
    const stored = JSON.stringify(upload.rows);
    await this.runner.jobFiles.put(importJobFile(id), Buffer.from(stored, 'utf8'));
    const result = await this.commands.execute(
      new ExecuteImportJobCommand(
        id,
        {
          type: 'RequestImport',
          jobId: id,
          resource: upload.type,
          filename: upload.filename,
          size: upload.size,
          rows: upload.rows.length,
          sha256: createHash('sha256').update(stored).digest('hex'),
          actor: caller.actor,
          now: now(),
        },
        caller,
      ),
    );
    const view = importViewFromState((await this.jobs.loadImport(id)).state, null);
    this.runner.enqueue('import', id);
    return { ...view, position: result.position };
  }
}

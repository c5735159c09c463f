import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideExportJob, exportJobStream, type ExportJobCommand } from '../../../libs/domain/jobs/export-job.decider';
import { decideImportJob, importJobStream, type ImportJobCommand } from '../../../libs/domain/jobs/import-job.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { JobStates } from './job-states';

export interface JobCommandResult {
  readonly jobId: string;
  /** Position of the last event written. */
  readonly position: string;
}

/** Any decision on one export job, by an admin or by the job runner. */
export class ExecuteExportJobCommand extends Command<JobCommandResult> {
  constructor(
    readonly jobId: string,
    readonly command: ExportJobCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Any decision on one import job, by an admin or by the job runner. */
export class ExecuteImportJobCommand extends Command<JobCommandResult> {
  constructor(
    readonly jobId: string,
    readonly command: ImportJobCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteExportJobCommand)
export class ExecuteExportJobCommandHandler implements ICommandHandler<ExecuteExportJobCommand, JobCommandResult> {
  constructor(
    private readonly jobs: JobStates,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  execute({ jobId, command, context }: ExecuteExportJobCommand): Promise<JobCommandResult> {
    const stream = exportJobStream(jobId);
    return this.locks.run(stream, () =>
      this.writer.retrying(async () => {
        const { state, revision } = await this.jobs.loadExport(jobId);
        const events = decideExportJob(command, state);
        const result = await this.writer.append(stream, events, revision ?? 'no_stream', context);
        return { jobId, position: result.position.toString() };
      }),
    );
  }
}

@CommandHandler(ExecuteImportJobCommand)
export class ExecuteImportJobCommandHandler implements ICommandHandler<ExecuteImportJobCommand, JobCommandResult> {
  constructor(
    private readonly jobs: JobStates,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  execute({ jobId, command, context }: ExecuteImportJobCommand): Promise<JobCommandResult> {
    const stream = importJobStream(jobId);
    return this.locks.run(stream, () =>
      this.writer.retrying(async () => {
        const { state, revision } = await this.jobs.loadImport(jobId);
        const events = decideImportJob(command, state);
        const result = await this.writer.append(stream, events, revision ?? 'no_stream', context);
        return { jobId, position: result.position.toString() };
      }),
    );
  }
}

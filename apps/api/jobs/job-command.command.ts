import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { exportJobDecider, exportJobStream, type ExportJobCommand } from '../../../libs/domain/jobs/export-job.decider';
import { importJobDecider, importJobStream, type ImportJobCommand } from '../../../libs/domain/jobs/import-job.decider';
import type { AppendResult } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';

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
  constructor(private readonly pipeline: CommandPipeline) {}

  async execute({ jobId, command, context }: ExecuteExportJobCommand): Promise<JobCommandResult> {
    const { appended } = await this.pipeline.handle(exportJobDecider, exportJobStream(jobId), command, context);
    return { jobId, position: positionOf(appended) };
  }
}

@CommandHandler(ExecuteImportJobCommand)
export class ExecuteImportJobCommandHandler implements ICommandHandler<ExecuteImportJobCommand, JobCommandResult> {
  constructor(private readonly pipeline: CommandPipeline) {}

  async execute({ jobId, command, context }: ExecuteImportJobCommand): Promise<JobCommandResult> {
    const { appended } = await this.pipeline.handle(importJobDecider, importJobStream(jobId), command, context);
    return { jobId, position: positionOf(appended) };
  }
}

/** Every job decision writes an event (a refusal throws), so there is always a position to answer. */
function positionOf(appended: AppendResult | null): string {
  if (!appended) throw new Error('a job decision wrote nothing');
  return appended.position.toString();
}

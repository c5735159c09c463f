import { Inject, Logger } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { exportJobFile, readJobFile } from '../../../libs/blob-store/job-file-store.port';
import type { ParleyConfig } from '../../../libs/config/config';
import type { Position } from '../../../libs/event-store/event-store.port';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { ExecuteExportJobCommand } from './job-command.command';
import { JobRunner } from './job-runner';

/** Most export jobs looked at per erasure. */
const EXPORTS_SCANNED = 10_000;

/**
 * What an erasure must reach beyond the destroyed key: copies of the removed
 * user's values that live outside the log. Once the read models have blanked
 * the account, the read store drops its write-ahead log (secure_delete has
 * zeroed the overwritten rows), and every finished export file that names
 * the account is removed, its job marked `purgedAt`.
 */
export class CleanUpAfterErasureCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly removedAt: Position,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(CleanUpAfterErasureCommand)
export class ErasureCleanup implements ICommandHandler<CleanUpAfterErasureCommand, void> {
  private readonly logger = new Logger('erasure');

  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly gate: ReadModelGate,
    private readonly runner: JobRunner,
    private readonly commands: CommandBus,
  ) {}

  async execute({ userId, removedAt, context }: CleanUpAfterErasureCommand): Promise<void> {
    await this.purgeExports(userId, context);
    // The projector blanks the account on UserRemoved; only then is there something to drop.
    if (!(await this.gate.waitFor(removedAt, this.config.minPositionWaitMs))) {
      this.logger.warn(`read models did not reach ${removedAt.toString()} in time; the write-ahead log is emptied at its next checkpoint`);
    }
    await this.readStore.purgeFreed?.();
  }

  private async purgeExports(userId: string, context: CommandContext): Promise<void> {
    const jobs = await this.readStore.find('export_jobs', { filter: { status: 'done' }, limit: EXPORTS_SCANNED, fields: ['purgedAt'] });
    for (const job of jobs) {
      if (job['purgedAt']) continue;
      const name = exportJobFile(job.id);
      const bytes = await readJobFile(this.runner.jobFiles, name);
      // Every export row names users by id: a file without the id holds nothing of them.
      if (bytes === null || !bytes.includes(userId)) continue;
      await this.runner.jobFiles.delete(name);
      await this.commands.execute(new ExecuteExportJobCommand(job.id, { type: 'PurgeExport', now: new Date().toISOString() }, context));
    }
  }
}

import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { exportJobFile, importJobFile, readJobFile, type JobFileStore, type JobFileWriter } from '../../../libs/blob-store/job-file-store.port';
import type { ParleyConfig } from '../../../libs/config/config';
import { DomainError } from '../../../libs/domain/errors';
import { exportJobStream } from '../../../libs/domain/jobs/export-job.decider';
import { importJobStream } from '../../../libs/domain/jobs/import-job.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { LEASES, LeaseKeeper, leaseHolder } from '../../../libs/read-store/lease-keeper';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { ADMIN_ACTOR } from '../admin/api-key.guard';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { ParleyMetrics } from '../infrastructure/metrics';
import { EVENT_STORE, PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { JOB_FILES } from './job-files';
import { ExecuteExportJobCommand, ExecuteImportJobCommand } from './job-command.command';
import { JobStates } from './job-states';
import { writeQiscusExport } from './qiscus-export';
import { QiscusImporter, type ImportOutcome } from './qiscus-import';

export type JobKind = 'export' | 'import';

/** A running job's progress, known only to the process running it. */
export interface JobProgress {
  readonly running: boolean;
  readonly percentage: number;
}

interface Current {
  readonly kind: JobKind;
  readonly jobId: string;
  percentage: number;
  readonly abort: AbortController;
}

/** How long an export waits for the read models to reach the log's head before it reads them. */
const READ_MODEL_WAIT_MS = 60_000;
/** How often the lease holder looks for jobs requested through other API processes. */
const JOB_DISCOVERY_MS = 5_000;

export const exportFileName = (jobId: string) => `${jobId}.json`;

/**
 * Runs export and import jobs in this process, one at a time, in the order
 * they were requested. A job's request and outcome are events; its progress
 * is in memory only. At start, jobs requested but never finished (the process
 * stopped while they waited or ran) are found in the `jobs` read model and
 * run again: exports write a fresh file, imports skip the rows already
 * written.
 *
 * Among several API processes, the one holding the job runner's lease
 * (LEASES.jobs) runs them: a job requested on another process waits in the
 * log as `queued` until the holder finds it (at once when it takes the lease,
 * then every few seconds). Losing the lease stops the running job at its
 * next page; the next holder runs it again.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private readonly queue: { kind: JobKind; jobId: string }[] = [];
  private current: Current | null = null;
  private pumping: Promise<void> | null = null;
  private stopped = false;
  private readonly lease: LeaseKeeper;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly commands: CommandBus,
    private readonly jobs: JobStates,
    private readonly importer: QiscusImporter,
    private readonly gate: ReadModelGate,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) config: ParleyConfig,
    @Inject(JOB_FILES) private readonly files: JobFileStore,
    metrics: ParleyMetrics,
  ) {
    metrics.gauge('parley_job_progress_percent', 'Percentage done of the export or import job running in this process', ['kind'], () =>
      this.current === null ? [] : [[{ kind: this.current.kind }, this.current.percentage]],
    );
    metrics.gauge('parley_jobs_waiting', 'Jobs queued behind the running one in this process', [], () => [[{}, this.queue.length]]);
    this.lease = new LeaseKeeper(readStore, LEASES.jobs, leaseHolder(), {
      ttlMs: config.leaseTtlMs,
      log: (msg, fields) => this.logger.log({ msg, ...fields }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const recover = () =>
      void this.recover().catch((error: unknown) => this.logger.error({ msg: 'job recovery failed', error: String(error) }));
    this.lease.onAcquired(recover);
    this.lease.onLost(() => {
      this.queue.length = 0;
      this.current?.abort.abort();
    });
    this.lease.start();
    await this.lease.tick();
    this.timer = setInterval(() => {
      if (this.lease.held() && this.pumping === null) recover();
    }, JOB_DISCOVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.queue.length = 0;
    this.current?.abort.abort();
    await this.pumping;
    await this.lease.stop();
  }

  enqueue(kind: JobKind, jobId: string): void {
    // Another process holds the runner's lease: it finds the job queued in the log.
    if (this.stopped || !this.lease.held()) return;
    if (this.current?.jobId === jobId || this.queue.some((job) => job.jobId === jobId)) return;
    this.queue.push({ kind, jobId });
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  progress(jobId: string): JobProgress | null {
    if (this.current?.jobId === jobId) return { running: true, percentage: this.current.percentage };
    return null;
  }

  /** Drops a waiting job, or stops the running one at its next page. */
  cancel(jobId: string): void {
    const at = this.queue.findIndex((job) => job.jobId === jobId);
    if (at >= 0) this.queue.splice(at, 1);
    if (this.current?.jobId === jobId) this.current.abort.abort();
  }

  /** Where the job's file lives (the job file store: DATA_DIR on the embedded profile, GridFS in production). */
  get jobFiles(): JobFileStore {
    return this.files;
  }

  private async pump(): Promise<void> {
    for (let next = this.queue.shift(); next && !this.stopped && this.lease.held(); next = this.queue.shift()) {
      const current: Current = { ...next, percentage: 0, abort: new AbortController() };
      this.current = current;
      try {
        if (next.kind === 'export') await this.runExport(current);
        else await this.runImport(current);
      } catch (error) {
        if (!current.abort.signal.aborted) {
          this.logger.error({ msg: 'job failed', kind: next.kind, jobId: next.jobId, error: String(error) });
        }
      } finally {
        this.current = null;
      }
    }
  }

  private async contextOf(streamId: string, jobId: string, importId?: string): Promise<CommandContext> {
    const [requested] = await this.store.readStream(streamId, { maxCount: 1 });
    return {
      // The job acts for whoever asked for it (the API key that requested it).
      actor: requested?.metadata.actor ?? ADMIN_ACTOR,
      correlationId: requested?.metadata.correlationId ?? jobId,
      causationId: requested?.id ?? jobId,
      ...(importId === undefined ? {} : { importId }),
    };
  }

  private async runExport(job: Current): Promise<void> {
    const { state } = await this.jobs.loadExport(job.jobId);
    if (state.status !== 'queued') return;
    const context = await this.contextOf(exportJobStream(job.jobId), job.jobId);
    const name = exportJobFile(job.jobId);
    let out: JobFileWriter | null = null;
    try {
      const head = await this.store.headPosition();
      if (head !== null && !(await this.gate.waitFor(head, READ_MODEL_WAIT_MS))) {
        throw new Error('the read models did not reach the log head in time');
      }
      out = await this.files.create(name);
      const totalRows = await writeQiscusExport(
        state,
        { store: this.store, readStore: this.readStore, head },
        out,
        (percentage) => {
          job.percentage = percentage;
        },
        job.abort.signal,
      );
      const { size } = await out.finish();
      out = null;
      await this.commands.execute(
        new ExecuteExportJobCommand(job.jobId, { type: 'CompleteExport', totalRows, size, file: exportFileName(job.jobId), now: now() }, context),
      );
    } catch (error) {
      await out?.abort();
      if (job.abort.signal.aborted) {
        if (!this.stopped) await this.files.delete(name);
        return;
      }
      if (error instanceof DomainError && error.code === 'EXPORT.DELETED') {
        await this.files.delete(name);
        return;
      }
      await this.commands.execute(
        new ExecuteExportJobCommand(job.jobId, { type: 'FailExport', error: message(error), now: now() }, context),
      );
    }
  }

  private async runImport(job: Current): Promise<void> {
    const { state } = await this.jobs.loadImport(job.jobId);
    if (state.status !== 'queued') return;
    const context = await this.contextOf(importJobStream(job.jobId), job.jobId, job.jobId);
    const name = importJobFile(job.jobId);
    let rows: unknown[];
    try {
      const bytes = await readJobFile(this.files, name);
      if (bytes === null) throw new Error('the uploaded file is gone');
      rows = JSON.parse(bytes.toString('utf8')) as unknown[];
    } catch (error) {
      await this.commands.execute(
        new ExecuteImportJobCommand(
          job.jobId,
          { type: 'FailImport', errors: [{ row: 0, field: 'file', reason: `cannot be read: ${message(error)}` }], written: 0, now: now() },
          context,
        ),
      );
      return;
    }
    let outcome: ImportOutcome;
    try {
      outcome = await this.importer.run(state.resource, rows, context, (p) => (job.percentage = p), job.abort.signal);
    } catch (error) {
      // Stopped with the process: the job stays queued and resumes at the next start.
      if (job.abort.signal.aborted) throw error;
      outcome = { ok: false, errors: [{ row: 0, field: 'file', reason: `import stopped: ${message(error)}` }], written: 0 };
    }
    await this.commands.execute(
      new ExecuteImportJobCommand(
        job.jobId,
        outcome.ok
          ? { type: 'CompleteImport', written: outcome.written, skipped: outcome.skipped, now: now() }
          : { type: 'FailImport', errors: outcome.errors, written: outcome.written, now: now() },
        context,
      ),
    );
    job.percentage = 100;
    await this.files.delete(name);
  }

  private async recover(): Promise<void> {
    const head = await this.store.headPosition();
    if (head !== null) await this.gate.waitFor(head, READ_MODEL_WAIT_MS);
    if (this.stopped) return;
    for (const [kind, collection] of [
      ['export', 'export_jobs'],
      ['import', 'import_jobs'],
    ] as const) {
      const waiting = await this.readStore.find(collection, {
        filter: { status: 'queued' },
        sort: [{ field: 'requestedAt', direction: 'asc' }],
        limit: 1000,
      });
      for (const doc of waiting) this.enqueue(kind, doc.id);
    }
  }
}

const now = () => new Date().toISOString();
const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { ImportRowError, JobResource } from '../../../libs/domain/events';
import type { ExportJobState } from '../../../libs/domain/jobs/export-job.decider';
import type { ImportJobState } from '../../../libs/domain/jobs/import-job.decider';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { READ_STORE } from '../infrastructure/tokens';
import { JobRunner } from './job-runner';
import { JobStates } from './job-states';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** An export job as the admin API shows it (after Qiscus' backup history). */
export interface ExportJobView {
  readonly id: string;
  readonly type: JobResource;
  readonly startDate: string;
  readonly endDate: string;
  readonly status: JobStatus;
  readonly percentage: number;
  readonly totalRows: number;
  /** Bytes of the file, once done. */
  readonly size: number;
  readonly downloadUrl: string | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /**
   * When the file was removed because an account it named was erased
   * (`POST /v1/me/remove`, admin removal); request a new export. Null otherwise.
   */
  readonly purgedAt: string | null;
}

export interface ImportJobView {
  readonly id: string;
  readonly type: JobResource;
  readonly filename: string;
  readonly size: number;
  readonly status: JobStatus;
  readonly percentage: number;
  /** Rows in the file. */
  readonly totalRows: number;
  readonly written: number;
  readonly skipped: number;
  /** Refused rows (the first 1000), `row` counting from 1. */
  readonly errors: readonly ImportRowError[];
  readonly errorCount: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

const LIST_LIMIT = 100;

type Running = { running: boolean; percentage: number } | null;

function status(stored: 'queued' | 'done' | 'failed', progress: Running): JobStatus {
  return stored === 'queued' && progress?.running ? 'running' : stored;
}

function percentage(stored: 'queued' | 'done' | 'failed', progress: Running): number {
  if (stored !== 'queued') return 100;
  return progress?.percentage ?? 0;
}

export const downloadUrl = (jobId: string) => `/v1/admin/exports/${jobId}/download`;

export function exportViewFromState(state: ExportJobState, progress: Running): ExportJobView {
  if (state.status === 'absent' || state.status === 'deleted') throw notFound('EXPORT.NOT_FOUND', 'Export not found');
  return {
    id: state.jobId,
    type: state.resource,
    startDate: state.startDate,
    endDate: state.endDate,
    status: status(state.status, progress),
    percentage: percentage(state.status, progress),
    totalRows: state.status === 'done' ? state.totalRows : 0,
    size: state.status === 'done' ? state.size : 0,
    downloadUrl: state.status === 'done' && state.purgedAt === null ? downloadUrl(state.jobId) : null,
    error: state.status === 'failed' ? state.error : null,
    createdAt: state.requestedAt,
    finishedAt: state.status === 'done' ? state.completedAt : state.status === 'failed' ? state.failedAt : null,
    purgedAt: state.status === 'done' ? state.purgedAt : null,
  };
}

function exportViewFromDoc(doc: Doc, progress: Running): ExportJobView {
  const stored = doc['status'] as 'queued' | 'done' | 'failed';
  return {
    id: doc.id,
    type: doc['resource'] as JobResource,
    startDate: doc['startDate'] as string,
    endDate: doc['endDate'] as string,
    status: status(stored, progress),
    percentage: percentage(stored, progress),
    totalRows: doc['totalRows'] as number,
    size: doc['size'] as number,
    downloadUrl: stored === 'done' && !doc['purgedAt'] ? downloadUrl(doc.id) : null,
    purgedAt: (doc['purgedAt'] as string | null | undefined) ?? null,
    error: (doc['error'] as string | null) ?? null,
    createdAt: doc['requestedAt'] as string,
    finishedAt: (doc['finishedAt'] as string | null) ?? null,
  };
}

export function importViewFromState(state: ImportJobState, progress: Running): ImportJobView {
  if (state.status === 'absent') throw notFound('IMPORT.NOT_FOUND', 'Import not found');
  return {
    id: state.jobId,
    type: state.resource,
    filename: state.filename,
    size: state.size,
    status: status(state.status, progress),
    percentage: percentage(state.status, progress),
    totalRows: state.rows,
    written: state.status === 'queued' ? 0 : state.written,
    skipped: state.status === 'done' ? state.skipped : 0,
    errors: state.status === 'failed' ? state.errors : [],
    errorCount: state.status === 'failed' ? state.errorCount : 0,
    createdAt: state.requestedAt,
    finishedAt: state.status === 'done' ? state.completedAt : state.status === 'failed' ? state.failedAt : null,
  };
}

function importViewFromDoc(doc: Doc, progress: Running): ImportJobView {
  const stored = doc['status'] as 'queued' | 'done' | 'failed';
  return {
    id: doc.id,
    type: doc['resource'] as JobResource,
    filename: doc['filename'] as string,
    size: doc['size'] as number,
    status: status(stored, progress),
    percentage: percentage(stored, progress),
    totalRows: doc['rows'] as number,
    written: doc['written'] as number,
    skipped: doc['skipped'] as number,
    errors: (doc['errors'] as ImportRowError[]) ?? [],
    errorCount: doc['errorCount'] as number,
    createdAt: doc['requestedAt'] as string,
    finishedAt: (doc['finishedAt'] as string | null) ?? null,
  };
}

export class ListExportsQuery extends Query<{ readonly items: readonly ExportJobView[] }> {}
export class GetExportQuery extends Query<ExportJobView> {
  constructor(readonly jobId: string) {
    super();
  }
}
export class ListImportsQuery extends Query<{ readonly items: readonly ImportJobView[] }> {}
export class GetImportQuery extends Query<ImportJobView> {
  constructor(readonly jobId: string) {
    super();
  }
}

/** The most recent export jobs first (at most 100), from the `jobs` read model; progress from the runner. */
@QueryHandler(ListExportsQuery)
export class ListExportsHandler implements IQueryHandler<ListExportsQuery, { readonly items: readonly ExportJobView[] }> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly runner: JobRunner,
  ) {}

  async execute(): Promise<{ readonly items: readonly ExportJobView[] }> {
    const docs = await this.readStore.find('export_jobs', {
      filter: { status: { $ne: 'deleted' } },
      sort: [{ field: 'requestedAt', direction: 'desc' }],
      limit: LIST_LIMIT,
    });
    return { items: docs.map((doc) => exportViewFromDoc(doc, this.runner.progress(doc.id))) };
  }
}

/** One export job, folded from its stream: never behind the log. */
@QueryHandler(GetExportQuery)
export class GetExportHandler implements IQueryHandler<GetExportQuery, ExportJobView> {
  constructor(
    private readonly jobs: JobStates,
    private readonly runner: JobRunner,
  ) {}

  async execute({ jobId }: GetExportQuery): Promise<ExportJobView> {
    const { state } = await this.jobs.loadExport(jobId);
    return exportViewFromState(state, this.runner.progress(jobId));
  }
}

@QueryHandler(ListImportsQuery)
export class ListImportsHandler implements IQueryHandler<ListImportsQuery, { readonly items: readonly ImportJobView[] }> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly runner: JobRunner,
  ) {}

  async execute(): Promise<{ readonly items: readonly ImportJobView[] }> {
    const docs = await this.readStore.find('import_jobs', {
      sort: [{ field: 'requestedAt', direction: 'desc' }],
      limit: LIST_LIMIT,
    });
    return { items: docs.map((doc) => importViewFromDoc(doc, this.runner.progress(doc.id))) };
  }
}

@QueryHandler(GetImportQuery)
export class GetImportHandler implements IQueryHandler<GetImportQuery, ImportJobView> {
  constructor(
    private readonly jobs: JobStates,
    private readonly runner: JobRunner,
  ) {}

  async execute({ jobId }: GetImportQuery): Promise<ImportJobView> {
    const { state } = await this.jobs.loadImport(jobId);
    return importViewFromState(state, this.runner.progress(jobId));
  }
}

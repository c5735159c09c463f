import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { importUpload } from '../../jobs/import-upload';
import { isJobResource, JobRequests } from '../../jobs/job-requests';
import { GetExportQuery, ListExportsQuery, ListImportsQuery, type ExportJobView, type ImportJobView } from '../../jobs/jobs.queries';
import { QiscusInput, invalid } from './qiscus-input';

/** Rows of a page of backups, as the seed lists them. */
const PAGE = 20;

/** Qiscus' times with an offset, as its backups show them (`2017-07-17T10:19:44+00:00`). */
const backupTime = (iso: string): string => iso.replace(/(\.\d+)?Z$/, '+00:00');

/** Parley's job status in the seed's words. */
function backupStatus(status: string): string {
  switch (status) {
    case 'done':
      return 'finished';
    case 'failed':
      return 'failed';
    default:
      return 'started';
  }
}

/**
 * The seed's backups (`/api/v2/rest/exports`, `/imports`) onto Parley's
 * export and import jobs: the same jobs the admin API starts, listed and
 * shaped as the seed shows them.
 */
@Injectable()
export class QiscusBackups {
  constructor(
    private readonly requests: JobRequests,
    private readonly queries: QueryBus,
  ) {}

  async requestExport(input: QiscusInput, caller: CommandContext) {
    const type = input.string('type', 20);
    if (!isJobResource(type)) throw invalid('type', 'must be users, rooms or comments');
    const startDate = input.string('start_date', 40);
    const endDate = input.string('end_date', 40);
    return exportView(await this.requests.requestExport(type, startDate, endDate, caller));
  }

  async exports(input: QiscusInput) {
    const page = input.optionalInteger('page', 1, 5) ?? 1;
    const { items } = await this.queries.execute(new ListExportsQuery());
    return { backup_histories: items.slice((page - 1) * PAGE, page * PAGE).map(exportView) };
  }

  async export(id: string) {
    return { backup_history: exportView(await this.queries.execute(new GetExportQuery(id))) };
  }

  async deleteExport(id: string, caller: CommandContext) {
    return { backup_history: exportView(await this.requests.deleteExport(id, caller)) };
  }

  exportFile(id: string) {
    return this.requests.exportFile(id);
  }

  async requestImport(request: FastifyRequest, caller: CommandContext) {
    return { backup_history: importView(await this.requests.requestImport(await importUpload(request), caller)) };
  }

  async imports(input: QiscusInput) {
    const page = input.optionalInteger('page', 1, 5) ?? 1;
    const { items } = await this.queries.execute(new ListImportsQuery());
    return { backup_histories: items.slice((page - 1) * PAGE, page * PAGE).map(importView) };
  }
}

function exportView(job: ExportJobView) {
  const createdAt = backupTime(job.createdAt);
  return {
    created_at: createdAt,
    download_url: job.status === 'done' && job.purgedAt === null ? `/api/v2/rest/exports/${job.id}/download` : '',
    error_message: job.error ?? '',
    original_filename: `${createdAt}_exported_${job.type}.json`,
    percentage: job.percentage,
    resource_name: job.type,
    size: job.size,
    status: backupStatus(job.status),
    total_rows: job.totalRows,
    unique_id: job.id,
  };
}

function importView(job: ImportJobView) {
  return {
    created_at: backupTime(job.createdAt),
    errors: {
      Message: job.errorCount === 0 ? '' : `${job.errorCount} rows refused; nothing was written`,
      Data: job.errorCount === 0 ? null : job.errors,
    },
    original_filename: job.filename,
    resource_name: job.type,
    size: job.size,
    status: backupStatus(job.status),
    total_rows: job.totalRows,
    unique_id: job.id,
  };
}

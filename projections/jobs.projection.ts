import type { Projection } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

/**
 * One document per export job and per import job, for the admin listings and
 * for the job runner to find unfinished jobs after a restart. A deleted export
 * stays as a tombstone (`status: 'deleted'`) so that a replay of its request
 * cannot bring it back. Progress while a job runs is not here: it is not an
 * event (the runner reports it from memory).
 */
export const jobsProjection: Projection = {
  name: 'jobs',
  version: 1,
  collections: [
    { name: 'export_jobs', indexes: [{ fields: ['status', 'requestedAt', 'id'] }, { fields: ['requestedAt', 'id'] }] },
    { name: 'import_jobs', indexes: [{ fields: ['status', 'requestedAt', 'id'] }, { fields: ['requestedAt', 'id'] }] },
  ],
  handlers: {
    ExportJobRequested: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'export_jobs',
        d.jobId,
        (doc) => revised(doc, {
          resource: d.resource,
          startDate: d.startDate,
          endDate: d.endDate,
          status: 'queued',
          requestedBy: d.requestedBy,
          requestedAt: d.requestedAt,
          totalRows: 0,
          size: 0,
          file: null,
          error: null,
          finishedAt: null,
        }),
        () => ({ id: d.jobId }),
      );
    },
    ExportJobCompleted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('export_jobs', d.jobId, (doc) =>
        doc['status'] !== 'queued'
          ? doc
          : revised(doc, { status: 'done', totalRows: d.totalRows, size: d.size, file: d.file, finishedAt: d.completedAt }),
      );
    },
    ExportJobFailed: async (event, ctx) => {
      const d = event.data;
      await ctx.update('export_jobs', d.jobId, (doc) =>
        doc['status'] !== 'queued' ? doc : revised(doc, { status: 'failed', error: d.error, finishedAt: d.failedAt }),
      );
    },
    ExportJobPurged: async (event, ctx) => {
      const d = event.data;
      await ctx.update('export_jobs', d.jobId, (doc) => revised(doc, { file: null, purgedAt: d.purgedAt }));
    },
    ExportJobDeleted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('export_jobs', d.jobId, (doc) => revised(doc, { status: 'deleted', file: null, deletedAt: d.deletedAt }));
    },
    ImportJobRequested: async (event, ctx) => {
      const d = event.data;
      await ctx.update(
        'import_jobs',
        d.jobId,
        (doc) => revised(doc, {
          resource: d.resource,
          filename: d.filename,
          size: d.size,
          rows: d.rows,
          sha256: d.sha256,
          status: 'queued',
          requestedBy: d.requestedBy,
          requestedAt: d.requestedAt,
          written: 0,
          skipped: 0,
          errors: [],
          errorCount: 0,
          finishedAt: null,
        }),
        () => ({ id: d.jobId }),
      );
    },
    ImportJobCompleted: async (event, ctx) => {
      const d = event.data;
      await ctx.update('import_jobs', d.jobId, (doc) =>
        doc['status'] !== 'queued'
          ? doc
          : revised(doc, { status: 'done', written: d.written, skipped: d.skipped, finishedAt: d.completedAt }),
      );
    },
    ImportJobFailed: async (event, ctx) => {
      const d = event.data;
      await ctx.update('import_jobs', d.jobId, (doc) =>
        doc['status'] !== 'queued'
          ? doc
          : revised(doc, {
              status: 'failed',
              errors: d.errors.map((e) => ({ ...e })),
              errorCount: d.errorCount,
              written: d.written,
              finishedAt: d.failedAt,
            }),
      );
    },
  },
};

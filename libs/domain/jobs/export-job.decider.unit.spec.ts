import type { ExportJobEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  decideExportJob,
  evolveExportJob,
  exportJobStream,
  initialExportJobState,
  parseJobDate,
  type ExportJobCommand,
  type ExportJobState,
} from './export-job.decider';

const ID = 'job-1';
const ADMIN = 'apikey:admin';
const NOW = '2024-05-01T12:00:00.000Z';
const LATER = '2024-05-01T12:05:00.000Z';

const { given, fold } = deciderSpec<ExportJobCommand, ExportJobEvent, ExportJobState>({
  initialState: initialExportJobState,
  evolve: evolveExportJob,
  decide: decideExportJob,
});

const request = (startDate: string, endDate: string): ExportJobCommand => ({
  type: 'RequestExport',
  jobId: ID,
  resource: 'comments',
  startDate,
  endDate,
  actor: ADMIN,
  now: NOW,
});
const requested: ExportJobEvent = {
  type: 'ExportJobRequested',
  data: {
    jobId: ID,
    resource: 'comments',
    startDate: '2024-01-01T00:00:00.000Z',
    endDate: '2024-02-01T00:00:00.000Z',
    requestedBy: ADMIN,
    requestedAt: NOW,
  },
};
const completed: ExportJobEvent = {
  type: 'ExportJobCompleted',
  data: { jobId: ID, totalRows: 3, size: 120, file: `${ID}.json`, completedAt: LATER },
};
const failed: ExportJobEvent = { type: 'ExportJobFailed', data: { jobId: ID, error: 'disk full', failedAt: LATER } };
const deleted: ExportJobEvent = { type: 'ExportJobDeleted', data: { jobId: ID, deletedBy: ADMIN, deletedAt: LATER } };

describe('export job decider', () => {
  it('names its stream', () => {
    expect(exportJobStream(ID)).toBe('export-job-job-1');
  });

  it('RequestExport: dates become ISO instants, a date-only value meaning midnight UTC', () => {
    given([]).when(request('2024-01-01', '2024-02-01')).then([requested]);
    given([])
      .when(request('2024-01-01T02:00:00+02:00', '2024-02-01T00:00:00Z'))
      .then([{ ...requested, data: { ...requested.data, startDate: '2024-01-01T00:00:00.000Z' } } as ExportJobEvent]);
  });

  it('RequestExport: a range of exactly one year is allowed, a day more is not', () => {
    given([]).when(request('2024-02-29', '2025-02-28')).then([
      { ...requested, data: { ...requested.data, startDate: '2024-02-29T00:00:00.000Z', endDate: '2025-02-28T00:00:00.000Z' } } as ExportJobEvent,
    ]);
    const error = given([]).when(request('2024-01-01', '2025-01-02')).thenThrows('EXPORT.DATES_INVALID', 'validation');
    expect(error.details).toEqual([{ field: 'endDate', reason: 'must be at most one year after startDate' }]);
  });

  it('RequestExport: refuses an end not after the start, naming endDate', () => {
    for (const end of ['2024-01-01', '2023-12-31']) {
      const error = given([]).when(request('2024-01-01', end)).thenThrows('EXPORT.DATES_INVALID', 'validation');
      expect(error.details).toEqual([{ field: 'endDate', reason: 'must be after startDate' }]);
    }
  });

  it('RequestExport: refuses what is not a date, naming each field', () => {
    const error = given([]).when(request('2024-13-01', 'soon')).thenThrows('EXPORT.DATES_INVALID', 'validation');
    expect(error.details?.map((d) => d.field)).toEqual(['startDate', 'endDate']);
    given([]).when(request('2024-02-30', '2024-03-01')).thenThrows('EXPORT.DATES_INVALID', 'validation');
    given([]).when(request('2024-01-01T00:00:00', '2024-03-01')).thenThrows('EXPORT.DATES_INVALID', 'validation');
  });

  it('RequestExport: once per job id', () => {
    given([requested]).when(request('2024-01-01', '2024-02-01')).thenThrows('EXPORT.EXISTS', 'conflict');
  });

  it('CompleteExport and FailExport: only while queued', () => {
    given([requested]).when({ type: 'CompleteExport', totalRows: 3, size: 120, file: `${ID}.json`, now: LATER }).then([completed]);
    given([requested]).when({ type: 'FailExport', error: 'disk full', now: LATER }).then([failed]);
    given([requested, completed]).when({ type: 'FailExport', error: 'late', now: LATER }).thenThrows('EXPORT.FINISHED', 'conflict');
    given([requested, failed]).when({ type: 'CompleteExport', totalRows: 0, size: 2, file: 'x', now: LATER }).thenThrows('EXPORT.FINISHED', 'conflict');
    given([requested, deleted]).when({ type: 'CompleteExport', totalRows: 0, size: 2, file: 'x', now: LATER }).thenThrows('EXPORT.DELETED', 'conflict');
    given([]).when({ type: 'FailExport', error: 'x', now: LATER }).thenThrows('EXPORT.NOT_FOUND', 'not_found');
  });

  it('PurgeExport: a finished job’s file, once; nothing for a job without a file', () => {
    const purged: ExportJobEvent = { type: 'ExportJobPurged', data: { jobId: ID, reason: 'erasure', purgedAt: LATER } };
    given([requested, completed]).when({ type: 'PurgeExport', now: LATER }).then([purged]);
    given([requested, completed, purged]).when({ type: 'PurgeExport', now: LATER }).then([]);
    given([requested]).when({ type: 'PurgeExport', now: LATER }).then([]);
    given([requested, failed]).when({ type: 'PurgeExport', now: LATER }).then([]);
    expect(fold([requested, completed, purged])).toMatchObject({ status: 'done', purgedAt: LATER });
  });

  it('DeleteExport: any job that exists, once', () => {
    for (const history of [[requested], [requested, completed], [requested, failed]]) {
      given(history).when({ type: 'DeleteExport', actor: ADMIN, now: LATER }).then([deleted]);
    }
    given([requested, deleted]).when({ type: 'DeleteExport', actor: ADMIN, now: LATER }).thenThrows('EXPORT.NOT_FOUND', 'not_found');
    given([]).when({ type: 'DeleteExport', actor: ADMIN, now: LATER }).thenThrows('EXPORT.NOT_FOUND', 'not_found');
  });

  it('evolve: the state follows the outcome', () => {
    expect(fold([requested])).toMatchObject({ status: 'queued', resource: 'comments' });
    expect(fold([requested, completed])).toMatchObject({ status: 'done', totalRows: 3, size: 120, file: `${ID}.json` });
    expect(fold([requested, failed])).toMatchObject({ status: 'failed', error: 'disk full' });
    expect(fold([requested, completed, deleted])).toEqual({ status: 'deleted', jobId: ID });
  });

  it('parseJobDate: dates and times with an offset only', () => {
    expect(parseJobDate('2024-03-01')).toBe('2024-03-01T00:00:00.000Z');
    expect(parseJobDate('2024-03-01T10:00Z')).toBe('2024-03-01T10:00:00.000Z');
    expect(parseJobDate('2024-03-01T10:00:00.123-05:00')).toBe('2024-03-01T15:00:00.123Z');
    for (const bad of ['2024-3-1', '2024-02-30', '1 March 2024', '2024-03-01T10:00:00', '']) expect(parseJobDate(bad)).toBeNull();
  });
});

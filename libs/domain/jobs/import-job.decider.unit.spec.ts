import type { ImportJobEvent, ImportRowError } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  decideImportJob,
  evolveImportJob,
  importJobStream,
  initialImportJobState,
  MAX_REPORTED_ROW_ERRORS,
  type ImportJobCommand,
  type ImportJobState,
} from './import-job.decider';

const ID = 'imp-1';
const ADMIN = 'apikey:admin';
const NOW = '2024-05-01T12:00:00.000Z';
const LATER = '2024-05-01T12:05:00.000Z';

const { given, fold } = deciderSpec<ImportJobCommand, ImportJobEvent, ImportJobState>({
  initialState: initialImportJobState,
  evolve: evolveImportJob,
  decide: decideImportJob,
});

const request: ImportJobCommand = {
  type: 'RequestImport',
  jobId: ID,
  resource: 'users',
  filename: 'users.json',
  size: 512,
  rows: 3,
  sha256: 'a'.repeat(64),
  actor: ADMIN,
  now: NOW,
};
const requested: ImportJobEvent = {
  type: 'ImportJobRequested',
  data: { jobId: ID, resource: 'users', filename: 'users.json', size: 512, rows: 3, sha256: 'a'.repeat(64), requestedBy: ADMIN, requestedAt: NOW },
};
const completed: ImportJobEvent = { type: 'ImportJobCompleted', data: { jobId: ID, written: 2, skipped: 1, completedAt: LATER } };
const rowError: ImportRowError = { row: 2, field: 'Email', reason: 'must be an email address' };
const failed: ImportJobEvent = { type: 'ImportJobFailed', data: { jobId: ID, errors: [rowError], errorCount: 1, written: 0, failedAt: LATER } };

describe('import job decider', () => {
  it('names its stream', () => {
    expect(importJobStream(ID)).toBe('import-job-imp-1');
  });

  it('RequestImport: once per job id', () => {
    given([]).when(request).then([requested]);
    given([requested]).when(request).thenThrows('IMPORT.EXISTS', 'conflict');
  });

  it('CompleteImport: counts written and skipped rows', () => {
    given([requested]).when({ type: 'CompleteImport', written: 2, skipped: 1, now: LATER }).then([completed]);
  });

  it('FailImport: keeps the row errors, at most 1000, and counts them all', () => {
    given([requested]).when({ type: 'FailImport', errors: [rowError], written: 0, now: LATER }).then([failed]);
    const many = Array.from({ length: MAX_REPORTED_ROW_ERRORS + 5 }, (_, i) => ({ ...rowError, row: i + 1 }));
    given([requested])
      .when({ type: 'FailImport', errors: many, written: 0, now: LATER })
      .then([{ type: 'ImportJobFailed', data: { jobId: ID, errors: many.slice(0, MAX_REPORTED_ROW_ERRORS), errorCount: many.length, written: 0, failedAt: LATER } }]);
  });

  it('an outcome only once, and only for a job that exists', () => {
    given([requested, completed]).when({ type: 'FailImport', errors: [], written: 0, now: LATER }).thenThrows('IMPORT.FINISHED', 'conflict');
    given([requested, failed]).when({ type: 'CompleteImport', written: 0, skipped: 0, now: LATER }).thenThrows('IMPORT.FINISHED', 'conflict');
    given([]).when({ type: 'CompleteImport', written: 0, skipped: 0, now: LATER }).thenThrows('IMPORT.NOT_FOUND', 'not_found');
  });

  it('evolve: the state follows the outcome', () => {
    expect(fold([requested])).toMatchObject({ status: 'queued', rows: 3 });
    expect(fold([requested, completed])).toMatchObject({ status: 'done', written: 2, skipped: 1 });
    expect(fold([requested, failed])).toMatchObject({ status: 'failed', errors: [rowError], errorCount: 1 });
  });
});

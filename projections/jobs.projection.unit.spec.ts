import type { ExportJobEvent, ImportJobEvent } from '../libs/domain/events';
import { jobsProjection } from './jobs.projection';
import { at } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const JOB = 'job-1';
const OTHER = 'job-2';
const ADMIN = 'apikey:admin';

const exportRequested = (jobId = JOB, minute = 0): ExportJobEvent => ({
  type: 'ExportJobRequested',
  data: { jobId, resource: 'rooms', startDate: '2024-01-01T00:00:00.000Z', endDate: '2024-02-01T00:00:00.000Z', requestedBy: ADMIN, requestedAt: at(minute) },
});
const exportCompleted: ExportJobEvent = { type: 'ExportJobCompleted', data: { jobId: JOB, totalRows: 7, size: 900, file: `${JOB}.json`, completedAt: at(2) } };
const exportFailed: ExportJobEvent = { type: 'ExportJobFailed', data: { jobId: JOB, error: 'disk full', failedAt: at(2) } };
const exportDeleted: ExportJobEvent = { type: 'ExportJobDeleted', data: { jobId: JOB, deletedBy: ADMIN, deletedAt: at(3) } };

const importRequested = (jobId = JOB): ImportJobEvent => ({
  type: 'ImportJobRequested',
  data: { jobId, resource: 'comments', filename: 'c.json', size: 100, rows: 4, sha256: 'f'.repeat(64), requestedBy: ADMIN, requestedAt: at(0) },
});
const importCompleted: ImportJobEvent = { type: 'ImportJobCompleted', data: { jobId: JOB, written: 3, skipped: 1, completedAt: at(4) } };
const importFailed: ImportJobEvent = {
  type: 'ImportJobFailed',
  data: { jobId: JOB, errors: [{ row: 2, field: 'CreatorEmail', reason: 'no user' }], errorCount: 1, written: 0, failedAt: at(4) },
};

describe('jobs projection', () => {
  it('ExportJobRequested: a queued export', async () => {
    const scenario = await given(jobsProjection);
    const [stored] = await scenario.when(exportRequested());
    expect(await scenario.doc('export_jobs', JOB)).toEqual({
      id: JOB,
      resource: 'rooms',
      startDate: '2024-01-01T00:00:00.000Z',
      endDate: '2024-02-01T00:00:00.000Z',
      status: 'queued',
      requestedBy: ADMIN,
      requestedAt: at(0),
      totalRows: 0,
      size: 0,
      file: null,
      error: null,
      finishedAt: null,
      _position: stored!.position.toString(),
    });
    await thenReplayChangesNothing(scenario, 'ExportJobRequested');
  });

  it('ExportJobCompleted: done, with rows, size and file', async () => {
    const scenario = await given(jobsProjection, [exportRequested()]);
    await scenario.when(exportCompleted);
    expect(await scenario.doc('export_jobs', JOB)).toMatchObject({ status: 'done', totalRows: 7, size: 900, file: `${JOB}.json`, finishedAt: at(2) });
    await thenReplayChangesNothing(scenario, 'ExportJobCompleted');
  });

  it('ExportJobFailed: failed, with the error', async () => {
    const scenario = await given(jobsProjection, [exportRequested()]);
    await scenario.when(exportFailed);
    expect(await scenario.doc('export_jobs', JOB)).toMatchObject({ status: 'failed', error: 'disk full', finishedAt: at(2) });
    await thenReplayChangesNothing(scenario, 'ExportJobFailed');
  });

  it('ExportJobDeleted: a tombstone that a late outcome does not revive', async () => {
    const scenario = await given(jobsProjection, [exportRequested()]);
    await scenario.when(exportDeleted);
    expect(await scenario.doc('export_jobs', JOB)).toMatchObject({ status: 'deleted', file: null, deletedAt: at(3) });
    await thenReplayChangesNothing(scenario, 'ExportJobDeleted');
    await scenario.when(exportCompleted);
    expect(await scenario.doc('export_jobs', JOB)).toMatchObject({ status: 'deleted', file: null });
  });

  it('ImportJobRequested: a queued import', async () => {
    const scenario = await given(jobsProjection);
    await scenario.when(importRequested());
    expect(await scenario.doc('import_jobs', JOB)).toMatchObject({
      resource: 'comments',
      filename: 'c.json',
      rows: 4,
      status: 'queued',
      written: 0,
      skipped: 0,
      errors: [],
      errorCount: 0,
      requestedAt: at(0),
    });
    await thenReplayChangesNothing(scenario, 'ImportJobRequested');
  });

  it('ImportJobCompleted: done, with written and skipped rows', async () => {
    const scenario = await given(jobsProjection, [importRequested()]);
    await scenario.when(importCompleted);
    expect(await scenario.doc('import_jobs', JOB)).toMatchObject({ status: 'done', written: 3, skipped: 1, finishedAt: at(4) });
    await thenReplayChangesNothing(scenario, 'ImportJobCompleted');
  });

  it('ImportJobFailed: failed, with the errors row by row', async () => {
    const scenario = await given(jobsProjection, [importRequested()]);
    await scenario.when(importFailed);
    expect(await scenario.doc('import_jobs', JOB)).toMatchObject({
      status: 'failed',
      errors: [{ row: 2, field: 'CreatorEmail', reason: 'no user' }],
      errorCount: 1,
      finishedAt: at(4),
    });
    await thenReplayChangesNothing(scenario, 'ImportJobFailed');
  });

  it('then not updated: one job changing leaves the others as they were', async () => {
    const scenario = await given(jobsProjection, [exportRequested(), exportRequested(OTHER, 1), importRequested(OTHER)]);
    const before = [await scenario.doc('export_jobs', OTHER), await scenario.doc('import_jobs', OTHER)];
    await scenario.when(exportCompleted, exportDeleted, importRequested(), importFailed);
    expect([await scenario.doc('export_jobs', OTHER), await scenario.doc('import_jobs', OTHER)]).toEqual(before);
  });
});

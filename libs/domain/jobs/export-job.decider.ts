import { assertNever, conflict, notFound, validationError, type ErrorDetail } from '../errors';
import type { Decider } from '../decider';
import type { ExportJobEvent, JobResource } from '../events';

/**
 * An export job after Qiscus' backups: which records (users, rooms or
 * comments whose own time falls in [startDate, endDate)) and what became of
 * it. Its life is the stream `export-job-<id>`. Progress while it runs is not
 * a decision and stays in the runner's memory; only the outcome is an event.
 */
export const exportJobStream = (jobId: string) => `export-job-${jobId}`;

export const JOB_RESOURCES: readonly JobResource[] = ['users', 'rooms', 'comments'];

export const isJobResource = (value: unknown): value is JobResource =>
  typeof value === 'string' && (JOB_RESOURCES as readonly string[]).includes(value);

interface ExportJobSpec {
  readonly jobId: string;
  readonly resource: JobResource;
  readonly startDate: string;
  readonly endDate: string;
  readonly requestedAt: string;
}

export type ExportJobState =
  | { readonly status: 'absent' }
  | (ExportJobSpec & { readonly status: 'queued' })
  | (ExportJobSpec & {
      readonly status: 'done';
      readonly totalRows: number;
      readonly size: number;
      readonly file: string;
      readonly completedAt: string;
      /** When the file was removed because an account it named was erased; null while it is there. */
      readonly purgedAt: string | null;
    })
  | (ExportJobSpec & { readonly status: 'failed'; readonly error: string; readonly failedAt: string })
  | { readonly status: 'deleted'; readonly jobId: string };

export const initialExportJobState: ExportJobState = { status: 'absent' };

export type ExportJobCommand =
  | {
      readonly type: 'RequestExport';
      readonly jobId: string;
      readonly resource: JobResource;
      /** As the client sent them: `YYYY-MM-DD` or an ISO 8601 time. */
      readonly startDate: string;
      readonly endDate: string;
      readonly actor: string;
      readonly now: string;
    }
  | { readonly type: 'CompleteExport'; readonly totalRows: number; readonly size: number; readonly file: string; readonly now: string }
  | { readonly type: 'FailExport'; readonly error: string; readonly now: string }
  | { readonly type: 'DeleteExport'; readonly actor: string; readonly now: string }
  /** An erasure removed the job's file (it named the erased account). */
  | { readonly type: 'PurgeExport'; readonly now: string };

export function evolveExportJob(state: ExportJobState, event: ExportJobEvent): ExportJobState {
  switch (event.type) {
    case 'ExportJobRequested': {
      const { jobId, resource, startDate, endDate, requestedAt } = event.data;
      return { status: 'queued', jobId, resource, startDate, endDate, requestedAt };
    }
    case 'ExportJobCompleted': {
      if (state.status !== 'queued') return state;
      const { totalRows, size, file, completedAt } = event.data;
      return { ...state, status: 'done', totalRows, size, file, completedAt, purgedAt: null };
    }
    case 'ExportJobFailed': {
      if (state.status !== 'queued') return state;
      return { ...state, status: 'failed', error: event.data.error, failedAt: event.data.failedAt };
    }
    case 'ExportJobDeleted':
      return { status: 'deleted', jobId: event.data.jobId };
    case 'ExportJobPurged':
      return state.status === 'done' ? { ...state, purgedAt: event.data.purgedAt } : state;
    default:
      return assertNever(event, 'export job event');
  }
}

/** A date-only value (Qiscus' `YYYY-MM-DD`) means midnight UTC; a time must name its offset. */
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant an export bound names, as ISO 8601 UTC; null when it is not a valid date or time. */
export function parseJobDate(value: string): string | null {
  if (!DATE.test(value) && !DATE_TIME.test(value)) return null;
  const time = Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) return null;
  const iso = new Date(time).toISOString();
  // Date.parse rolls 2024-02-31 over into March; a date that changed is not a date.
  if (DATE.test(value) && iso.slice(0, 10) !== value) return null;
  return iso;
}

function oneYearAfter(iso: string): string {
  const date = new Date(iso);
  date.setUTCFullYear(date.getUTCFullYear() + 1);
  return date.toISOString();
}

export function decideExportJob(command: ExportJobCommand, state: ExportJobState): ExportJobEvent[] {
  switch (command.type) {
    case 'RequestExport':
      return [request(command, state)];
    case 'CompleteExport': {
      const job = requireQueued(state);
      const { totalRows, size, file, now } = command;
      return [{ type: 'ExportJobCompleted', data: { jobId: job.jobId, totalRows, size, file, completedAt: now } }];
    }
    case 'FailExport': {
      const job = requireQueued(state);
      return [{ type: 'ExportJobFailed', data: { jobId: job.jobId, error: command.error, failedAt: command.now } }];
    }
    case 'PurgeExport': {
      // Only a finished job has a file; purging twice changes nothing.
      if (state.status !== 'done' || state.purgedAt !== null) return [];
      return [{ type: 'ExportJobPurged', data: { jobId: state.jobId, reason: 'erasure', purgedAt: command.now } }];
    }
    case 'DeleteExport': {
      if (state.status === 'absent' || state.status === 'deleted') throw notFound('EXPORT.NOT_FOUND', 'Export not found');
      return [{ type: 'ExportJobDeleted', data: { jobId: state.jobId, deletedBy: command.actor, deletedAt: command.now } }];
    }
    default:
      return assertNever(command, 'export job command');
  }
}

function request(command: Extract<ExportJobCommand, { type: 'RequestExport' }>, state: ExportJobState): ExportJobEvent {
  if (state.status !== 'absent') throw conflict('EXPORT.EXISTS', 'This export job exists already');
  const details: ErrorDetail[] = [];
  const start = parseJobDate(command.startDate);
  const end = parseJobDate(command.endDate);
  if (start === null) details.push({ field: 'startDate', reason: 'must be a date (YYYY-MM-DD) or an ISO 8601 time with offset' });
  if (end === null) details.push({ field: 'endDate', reason: 'must be a date (YYYY-MM-DD) or an ISO 8601 time with offset' });
  if (start !== null && end !== null) {
    if (end <= start) details.push({ field: 'endDate', reason: 'must be after startDate' });
    else if (end > oneYearAfter(start)) details.push({ field: 'endDate', reason: 'must be at most one year after startDate' });
  }
  if (details.length > 0 || start === null || end === null) {
    throw validationError('EXPORT.DATES_INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  }
  return {
    type: 'ExportJobRequested',
    data: {
      jobId: command.jobId,
      resource: command.resource,
      startDate: start,
      endDate: end,
      requestedBy: command.actor,
      requestedAt: command.now,
    },
  };
}

function requireQueued(state: ExportJobState): Extract<ExportJobState, { status: 'queued' }> {
  switch (state.status) {
    case 'queued':
      return state;
    case 'absent':
      throw notFound('EXPORT.NOT_FOUND', 'Export not found');
    case 'deleted':
      throw conflict('EXPORT.DELETED', 'The export was deleted');
    case 'done':
    case 'failed':
      throw conflict('EXPORT.FINISHED', `The export has ${state.status === 'done' ? 'completed' : 'failed'} already`);
    default:
      return assertNever(state, 'export job state');
  }
}

const EXPORT_JOB_EVENTS: ReadonlySet<string> = new Set<ExportJobEvent['type']>([
  'ExportJobRequested',
  'ExportJobCompleted',
  'ExportJobFailed',
  'ExportJobDeleted',
  'ExportJobPurged',
]);

/** One export job, stream `export-job-<id>`. */
export const exportJobDecider: Decider<ExportJobCommand, ExportJobState, ExportJobEvent> = {
  initialState: initialExportJobState,
  evolve: (state, event) => (EXPORT_JOB_EVENTS.has(event.type) ? evolveExportJob(state, event as ExportJobEvent) : state),
  decide: decideExportJob,
};

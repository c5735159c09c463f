import { assertNever, conflict, notFound } from '../errors';
import type { Decider } from '../decider';
import type { ImportJobEvent, ImportRowError, JobResource } from '../events';

/**
 * An import job: a Qiscus-format file of users, rooms or comments, checked
 * row by row before anything is written. Its life is `import-job-<id>`; the
 * rows' own events carry `metadata.importId` = the job id.
 */
export const importJobStream = (jobId: string) => `import-job-${jobId}`;

/** A failed job keeps this many row errors; the count says how many there were. */
export const MAX_REPORTED_ROW_ERRORS = 1000;

interface ImportJobSpec {
  readonly jobId: string;
  readonly resource: JobResource;
  readonly filename: string;
  readonly size: number;
  readonly rows: number;
  readonly sha256: string;
  readonly requestedAt: string;
}

export type ImportJobState =
  | { readonly status: 'absent' }
  | (ImportJobSpec & { readonly status: 'queued' })
  | (ImportJobSpec & { readonly status: 'done'; readonly written: number; readonly skipped: number; readonly completedAt: string })
  | (ImportJobSpec & {
      readonly status: 'failed';
      readonly errors: readonly ImportRowError[];
      readonly errorCount: number;
      readonly written: number;
      readonly failedAt: string;
    });

export const initialImportJobState: ImportJobState = { status: 'absent' };

export type ImportJobCommand =
  | ({ readonly type: 'RequestImport'; readonly actor: string; readonly now: string } & Omit<ImportJobSpec, 'requestedAt'>)
  | { readonly type: 'CompleteImport'; readonly written: number; readonly skipped: number; readonly now: string }
  | { readonly type: 'FailImport'; readonly errors: readonly ImportRowError[]; readonly written: number; readonly now: string };

export function evolveImportJob(state: ImportJobState, event: ImportJobEvent): ImportJobState {
  switch (event.type) {
    case 'ImportJobRequested': {
      const { jobId, resource, filename, size, rows, sha256, requestedAt } = event.data;
      return { status: 'queued', jobId, resource, filename, size, rows, sha256, requestedAt };
    }
    case 'ImportJobCompleted': {
      if (state.status !== 'queued') return state;
      const { written, skipped, completedAt } = event.data;
      return { ...state, status: 'done', written, skipped, completedAt };
    }
    case 'ImportJobFailed': {
      if (state.status !== 'queued') return state;
      const { errors, errorCount, written, failedAt } = event.data;
      return { ...state, status: 'failed', errors, errorCount, written, failedAt };
    }
    default:
      return assertNever(event, 'import job event');
  }
}

export function decideImportJob(command: ImportJobCommand, state: ImportJobState): ImportJobEvent[] {
  switch (command.type) {
    case 'RequestImport': {
      if (state.status !== 'absent') throw conflict('IMPORT.EXISTS', 'This import job exists already');
      const { jobId, resource, filename, size, rows, sha256, actor, now } = command;
      return [
        {
          type: 'ImportJobRequested',
          data: { jobId, resource, filename, size, rows, sha256, requestedBy: actor, requestedAt: now },
        },
      ];
    }
    case 'CompleteImport': {
      const job = requireQueued(state);
      const { written, skipped, now } = command;
      return [{ type: 'ImportJobCompleted', data: { jobId: job.jobId, written, skipped, completedAt: now } }];
    }
    case 'FailImport': {
      const job = requireQueued(state);
      return [
        {
          type: 'ImportJobFailed',
          data: {
            jobId: job.jobId,
            errors: command.errors.slice(0, MAX_REPORTED_ROW_ERRORS),
            errorCount: command.errors.length,
            written: command.written,
            failedAt: command.now,
          },
        },
      ];
    }
    default:
      return assertNever(command, 'import job command');
  }
}

function requireQueued(state: ImportJobState): Extract<ImportJobState, { status: 'queued' }> {
  if (state.status === 'queued') return state;
  if (state.status === 'absent') throw notFound('IMPORT.NOT_FOUND', 'Import not found');
  throw conflict('IMPORT.FINISHED', `The import has ${state.status === 'done' ? 'completed' : 'failed'} already`);
}

const IMPORT_JOB_EVENTS: ReadonlySet<string> = new Set<ImportJobEvent['type']>([
  'ImportJobRequested',
  'ImportJobCompleted',
  'ImportJobFailed',
]);

/** One import job, stream `import-job-<id>`. */
export const importJobDecider: Decider<ImportJobCommand, ImportJobState, ImportJobEvent> = {
  initialState: initialImportJobState,
  evolve: (state, event) => (IMPORT_JOB_EVENTS.has(event.type) ? evolveImportJob(state, event as ImportJobEvent) : state),
  decide: decideImportJob,
};

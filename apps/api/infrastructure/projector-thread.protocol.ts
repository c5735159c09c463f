import type { ProjectionStatus } from '../../../libs/projection/projector';
import type { ThreadError } from '../../../libs/threads/start-worker';
import type { StoresConfig } from '../../../libs/wiring/stores';

/** What the projector thread is started with: the stores' configuration, nothing that cannot be cloned. */
export type ProjectorThreadData = StoresConfig & { readonly batchSize: number };

/** The projector's progress as plain data. */
export interface ProjectorProgress {
  /** Lowest checkpoint of all projections, as decimal text; null before the first event. */
  readonly position: string | null;
  readonly lastEventAt: string | null;
  /** Each projection's state as the thread's Projector reports it (Projector.status()). */
  readonly status: readonly ProjectionStatus[];
}

/** From the API to the projector thread. */
export type ProjectorRequest = { readonly kind: 'committed' } | { readonly kind: 'stop' };

/** From the projector thread to the API. */
export type ProjectorReply =
  | { readonly kind: 'started'; readonly progress: ProjectorProgress }
  | { readonly kind: 'progress'; readonly progress: ProjectorProgress }
  | { readonly kind: 'failed'; readonly error: ThreadError }
  | { readonly kind: 'log'; readonly level: 'log' | 'error'; readonly message: string; readonly fields?: Record<string, unknown> }
  | { readonly kind: 'stopped' };

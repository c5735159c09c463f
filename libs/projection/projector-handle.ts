import type { Projector } from './projector';

/**
 * What the API asks of its projector, whether the Projector itself runs on the
 * API's event loop or on a thread of its own (apps/api ProjectorThread).
 */
export type ProjectorHandle = Pick<Projector, 'start' | 'stop' | 'position' | 'waitFor' | 'lag' | 'status'>;

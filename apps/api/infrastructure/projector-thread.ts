import type { Worker } from 'node:worker_threads';
import type { Position } from '../../../libs/event-store/event-store.port';
import type { ProjectionStatus, ProjectorLogger } from '../../../libs/projection/projector';
import type { ProjectorHandle } from '../../../libs/projection/projector-handle';
import { PositionWaiters } from '../../../libs/projection/position-waiters';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { startWorker } from '../../../libs/threads/start-worker';
import { parleyProjections } from '../../../projections';
import type { ProjectorProgress, ProjectorReply, ProjectorRequest, ProjectorThreadData } from './projector-thread.protocol';

const STOP_TIMEOUT_MS = 10_000;

/**
 * The in-process projector of the embedded profile, run on a worker thread so
 * that projecting never holds the API's event loop. This side mirrors the
 * thread's progress: `position()` and `waitFor()` answer from the checkpoints
 * the thread reports after each commit of documents and checkpoints, so a
 * read that waits for X-Min-Position sees the documents once it is released.
 */
export class ProjectorThread implements ProjectorHandle {
  private worker: Worker | null;
  private current: ProjectorProgress = { position: null, lastEventAt: null, status: [] };
  private currentPosition: Position | null = null;
  private readonly waiters = new PositionWaiters();
  private failure: string | null = null;
  private nudgeScheduled = false;

  private readonly started: Promise<void>;

  /** Starts the thread at once, so that it boots while the rest of the API is wired. */
  constructor(
    data: ProjectorThreadData,
    /** The API's read connection: it learns the collections once the thread made them. */
    private readonly readStore: ReadStore,
    private readonly logger: ProjectorLogger,
  ) {
    const worker = startWorker(__dirname, 'projector.worker', data);
    this.worker = worker;
    this.started = new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: ProjectorReply) => {
        switch (reply.kind) {
          case 'started':
            this.advance(reply.progress);
            resolve();
            return;
          case 'progress':
            this.advance(reply.progress);
            return;
          case 'failed':
            this.failure = reply.error.message;
            reject(new Error(`the projector thread failed to start: ${reply.error.message}`));
            return;
          case 'log':
            this.logger[reply.level](reply.message, reply.fields);
            return;
          case 'stopped':
            return;
          default: {
            const unknown: never = reply;
            throw new Error(`unknown projector reply ${JSON.stringify(unknown)}`);
          }
        }
      });
      worker.on('error', (error) => {
        this.failure = error.message;
        this.logger.error('projector thread failed', { error: error.message });
        reject(error);
      });
      worker.once('exit', (code) => {
        if (this.worker === worker) {
          this.worker = null;
          this.failure ??= `the projector thread exited (code ${code})`;
          this.logger.error('projector thread ended; read models stop following the log', { code });
        }
        reject(new Error(this.failure ?? 'the projector thread exited'));
      });
    });
    // A start nobody awaits yet must not count as an unhandled rejection; start() reports it.
    this.started.catch(() => undefined);
    // Background work: the thread keeps the process alive only while it is started or stopped.
    worker.unref();
  }

  /** Resolves once the thread's projections are prepared and it follows the log. */
  async start(): Promise<void> {
    this.worker?.ref();
    await this.started.finally(() => this.worker?.unref());
    await this.readStore.ensureCollections(parleyProjections.flatMap((projection) => projection.collections));
  }

  /** Lets the thread finish its batch and close its connections, then releases every waiter. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker !== null) {
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ kind: 'stop' } satisfies ProjectorRequest);
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    this.waiters.releaseAll();
  }

  /** Tells the thread the API's writer committed, at most once per turn of the event loop. */
  committed(): void {
    if (this.nudgeScheduled || this.worker === null) return;
    this.nudgeScheduled = true;
    setImmediate(() => {
      this.nudgeScheduled = false;
      this.worker?.postMessage({ kind: 'committed' } satisfies ProjectorRequest);
    });
  }

  position(): Position | null {
    return this.currentPosition;
  }

  lag(): { lastEventAt: string | null; position: string | null } {
    return { lastEventAt: this.current.lastEventAt, position: this.current.position };
  }

  /**
   * What the thread last reported of its projections. Once the thread itself
   * is gone every projection has stopped: each reads as failed, naming why.
   */
  status(): ProjectionStatus[] {
    const failure = this.failure;
    if (failure === null) return [...this.current.status];
    return this.current.status.map((status) => ({
      ...status,
      state: 'failed' as const,
      failure: status.failure ?? {
        position: status.checkpoint ?? '0',
        eventId: '',
        eventType: '',
        error: `projector thread: ${failure}`,
        failedAt: new Date().toISOString(),
      },
    }));
  }

  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    return this.waiters.wait(position, timeoutMs, this.currentPosition);
  }


  private advance(progress: ProjectorProgress): void {
    this.current = progress;
    this.currentPosition = progress.position === null ? null : BigInt(progress.position);
    this.waiters.release(this.currentPosition);
  }
}

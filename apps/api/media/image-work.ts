import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism, constants, setPriority } from 'node:os';
import { validationError } from '../../../libs/domain/errors';
import { startProcess } from '../../../libs/threads/start-worker';
import type { ImageFacts, ImageJob, ImageReply } from './image-examine';

export type { ImageFacts } from './image-examine';

/** At most this many images are worked on at once; the others wait their turn. */
const IMAGE_WORK_SLOTS = Math.max(1, Math.floor(availableParallelism() / 2));

interface Pending {
  readonly resolve: (facts: ImageFacts) => void;
  readonly reject: (error: unknown) => void;
  readonly maxPixels: number;
  readonly field: string;
}

/**
 * Image work (decoding, dimensions, thumbnails) off the API's process: in a
 * child process started on the first image, at the lowest CPU priority
 * (nice 19), so that on a busy machine sends, reads and the projector come
 * first and images take what is left (bench/media.bench.ts measures sends
 * while uploads run). Idle, the child costs nothing and does not keep the
 * API alive; it ends with the API. A child that dies fails the images in its
 * hands with 500 and is started again for the next one.
 */
@Injectable()
export class ImageWork implements OnApplicationShutdown {
  private readonly logger = new Logger('media');
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  /** What the image is (dimensions as shown) and its thumbnails; 400 naming `field` for a pixel bomb or a broken image. */
  async examine(bytes: Buffer, maxPixels: number, field: string): Promise<ImageFacts> {
    if (this.busy >= IMAGE_WORK_SLOTS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await new Promise<ImageFacts>((resolve, reject) => {
        const child = this.worker();
        const id = ++this.nextId;
        this.pending.set(id, { resolve, reject, maxPixels, field });
        child.ref();
        child.channel?.ref();
        const job: ImageJob = { id, bytes, maxPixels };
        child.send(job, (error) => {
          if (error) this.settle(id, { id, refused: { reason: 'failed', message: error.message } });
        });
      });
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    this.child?.kill();
    this.child = null;
  }

  private worker(): ChildProcess {
    if (this.closed) throw new Error('the API is shutting down');
    if (this.child !== null) return this.child;
    const child = startProcess(__dirname, 'image-worker.process');
    try {
      if (child.pid !== undefined) setPriority(child.pid, constants.priority.PRIORITY_LOW);
    } catch (error) {
      this.logger.warn(`the image worker runs at normal priority: ${(error as Error).message}`);
    }
    child.on('message', (reply: ImageReply) => this.settle(reply.id, reply));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      for (const [id] of this.pending) this.settle(id, { id, refused: { reason: 'failed', message: `the image worker ended (${signal ?? code})` } });
    });
    this.child = child;
    return child;
  }

  private settle(id: number, reply: ImageReply): void {
    const job = this.pending.get(id);
    if (job === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0 && this.child !== null) {
      // Idle: the child must not keep the API's process alive.
      this.child.unref();
      this.child.channel?.unref();
    }
    if ('facts' in reply) {
      job.resolve(reviveFacts(reply.facts));
      return;
    }
    const { reason, message } = reply.refused;
    if (reason === 'pixels') {
      job.reject(
        validationError('MEDIA.TOO_MANY_PIXELS', `${job.field} is an image of more than ${job.maxPixels} pixels`, [
          { field: job.field, reason: `the image has more than ${job.maxPixels} pixels (MEDIA_MAX_PIXELS)` },
        ]),
      );
    } else if (reason === 'decode') {
      job.reject(
        validationError('MEDIA.IMAGE_INVALID', `${job.field} is not a whole image: ${message}`, [
          { field: job.field, reason: 'the image cannot be decoded (truncated or corrupt)' },
        ]),
      );
    } else {
      job.reject(new Error(`image work failed: ${message}`));
    }
  }
}

/** Buffers cross the process boundary as plain byte arrays. */
function reviveFacts(facts: ImageFacts): ImageFacts {
  return {
    ...facts,
    thumbnails: facts.thumbnails.map((t) => ({ ...t, bytes: t.bytes === null ? null : Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength) })),
  };
}

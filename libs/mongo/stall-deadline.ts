import { Readable } from 'node:stream';

export interface StallDeadlineOptions {
  /** How long the reader may wait for the next chunk. */
  readonly ms: number;
  /** The error a stalled stream ends with. */
  readonly stalled: () => Error;
  /** Translates the source's own errors (a dropped connection into "store unavailable"); as is by default. */
  readonly failed?: (error: Error) => Error;
}

/**
 * Passes `source` through with a deadline that counts only while the reader
 * is waiting: from a read until the next chunk arrives. A client slow to
 * take the bytes (backpressure) never trips it; a store that stops sending
 * mid-download does, and the stream ends with `stalled()` instead of hanging
 * the response forever. The timer is cleared on end, error and destroy.
 */
export function withStallDeadline(source: Readable, options: StallDeadlineOptions): Readable {
  let timer: NodeJS.Timeout | null = null;
  const disarm = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const arm = (): void => {
    disarm();
    timer = setTimeout(() => {
      timer = null;
      out.destroy(options.stalled());
    }, options.ms);
  };
  const out = new Readable({
    read() {
      arm();
      source.resume();
    },
    destroy(error, callback) {
      disarm();
      source.destroy();
      callback(error);
    },
  });
  source.on('data', (chunk: Buffer) => {
    if (out.push(chunk)) {
      arm();
    } else {
      // The reader is full: it is not waiting, so nothing counts until it reads again.
      disarm();
      source.pause();
    }
  });
  source.once('end', () => {
    disarm();
    out.push(null);
  });
  source.once('error', (error: Error) => {
    disarm();
    out.destroy(options.failed ? options.failed(error) : error);
  });
  source.pause();
  return out;
}

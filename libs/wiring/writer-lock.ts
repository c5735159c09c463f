import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { holderMayBeAlive, leaseHolder } from '../read-store/lease-keeper';

/** A second API process on the same SQLite files: refused, with what to do instead. */
export class SecondWriterError extends Error {
  constructor(
    readonly file: string,
    readonly holder: string,
  ) {
    super(
      `${file} is already served by another Parley API process (${holder}). The embedded profile runs one API process per DATA_DIR: ` +
        'its caches and rate limits live in that process. Stop the other process, give this one its own DATA_DIR, ' +
        'or run several API processes on EventStoreDB + MongoDB (EVENT_STORE_URL=esdb://..., READ_STORE_URL=mongodb://...).',
    );
    this.name = 'SecondWriterError';
  }
}

export interface WriterLock {
  release(): void;
}

/**
 * Claims the embedded event log for this process: a lock file beside it
 * naming the holder (host/pid). One held by a process of this host that is
 * gone (a crash, a kill) is taken over; one held by a live process is refused.
 */
export function claimEmbeddedWriter(eventLogFile: string): WriterLock {
  const file = `${eventLogFile}.writer`;
  const holder = leaseHolder();
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, holder);
      } finally {
        closeSync(fd);
      }
      return {
        release: () => {
          try {
            if (readFileSync(file, 'utf8') === holder) rmSync(file, { force: true });
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let current: string;
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      if (holderMayBeAlive(current)) throw new SecondWriterError(eventLogFile, current);
      rmSync(file, { force: true });
    }
  }
  throw new SecondWriterError(eventLogFile, 'a process that keeps claiming it');
}

import type { LoggerService } from '@nestjs/common';
import * as fs from 'node:fs';
import type { ParleyConfig } from '../config/config';
import { redact, redactText } from './redact';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

let failedWrites = 0;
let guarded = false;

/**
 * A log line that cannot be written (a full disk under a redirected stdout,
 * a closed pipe) is dropped and counted: logging never takes a request, or
 * the process, down with it. Streams report such failures as 'error' events,
 * which crash the process when nobody listens; from here on somebody does.
 */
function guardOutput(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => void failedWrites++);
}

/** Log lines dropped because they could not be written, since the process started. */
export const droppedLogLines = (): number => failedWrites;

/** One JSON object per line on stdout: what a log shipper wants. Phone numbers and codes are redacted. */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    level: ParleyConfig['logLevel'] = 'info',
    private readonly out: { readonly destroyed: boolean; readonly fd: number; write(line: string): unknown } = process.stdout,
  ) {
    this.threshold = LEVELS[level];
    guardOutput();
  }

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write('error', message, context ?? stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }

  private write(level: Exclude<Level, 'silent'>, message: unknown, context?: string): void {
    if (LEVELS[level] < this.threshold) return;
    const fields =
      typeof message === 'object' && message !== null
        ? (redact(message) as Record<string, unknown>)
        : { msg: redactText(String(message)) };
    const line = JSON.stringify({ time: new Date().toISOString(), level, context, ...fields }) + '\n';
    try {
      // A stream that failed once is destroyed for good; the descriptor itself works again once there is space.
      if (this.out.destroyed) fs.writeSync(this.out.fd, line);
      else this.out.write(line);
    } catch {
      failedWrites++;
    }
  }
}

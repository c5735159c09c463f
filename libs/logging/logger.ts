import type { LoggerService } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import pino, { type Logger } from 'pino';
import type { ParleyConfig } from '../config/config';
import { redact, REDACTED } from './redact';

/** The request a line belongs to: set around each request's handler, read by every line logged within it. */
export interface LogScope {
  readonly reqId: string;
  readonly correlationId: string;
}
export const logScope = new AsyncLocalStorage<LogScope>();

/**
 * Paths censored by pino itself on every line, whatever the content-based
 * rules (redact.ts) make of them: request headers that carry credentials.
 * LOG_REDACT_PATHS adds the operator's own.
 */
export const BUILT_IN_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
];

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

export interface LogOutput {
  readonly destroyed: boolean;
  readonly fd: number;
  write(line: string): unknown;
}

/** pino's destination: synchronous, and a failed write is counted instead of thrown. */
function destination(out: LogOutput): { write(line: string): void } {
  return {
    write(line: string) {
      try {
        // A stream that failed once is destroyed for good; the descriptor itself works again once there is space.
        if (out.destroyed) fs.writeSync(out.fd, line);
        else out.write(line);
      } catch {
        failedWrites++;
      }
    },
  };
}

export type LogSettings = Partial<Pick<ParleyConfig, 'logLevel' | 'logRedactPaths'>>;

/**
 * Parley's one logger (API, Fastify, projector, CLI): pino, one JSON object a
 * line, ISO times and level names, the request and correlation ids of the
 * request being served on every line, and nothing personal or secret in clear.
 */
export function createPino(settings: LogSettings = {}, out: LogOutput = process.stdout): Logger {
  guardOutput();
  return pino(
    {
      level: settings.logLevel ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...BUILT_IN_REDACT_PATHS, ...(settings.logRedactPaths ?? [])], censor: REDACTED },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      mixin: () => {
        const scope = logScope.getStore();
        return scope ? { reqId: scope.reqId, correlationId: scope.correlationId } : {};
      },
    },
    destination(out),
  );
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/** The same logger as Nest's LoggerService: `context` becomes a field of the line. */
export class ParleyLogger implements LoggerService {
  readonly pino: Logger;

  constructor(settings: LogSettings | ParleyConfig['logLevel'] = {}, out: LogOutput = process.stdout) {
    this.pino = createPino(typeof settings === 'string' ? { logLevel: settings } : settings, out);
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

  private write(level: Level, message: unknown, context?: string): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields = typeof message === 'object' && message !== null && !(message instanceof Error) ? message : { msg: String(message) };
    this.pino[level]({ ...(context === undefined ? {} : { context }), ...fields });
  }
}

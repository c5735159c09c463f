import type { LoggerService } from '@nestjs/common';
import * as fs from 'node:fs';
import pino, { type Logger } from 'pino';
import type { ParleyConfig } from '../config/config';
import { redact, REDACTED } from './redact';

/**
 * The request a line is logged for, written as two fields of the line. Code
 * that serves a request passes it along explicitly (a command's context
 * carries both ids: `scopeOf`): an `AsyncLocalStorage` would find it without
 * help, but on Node 20 it turns on async hooks for every promise of every
 * request, about 35 µs of the API's thread a request
 * (docs/decisions/0062-log-scope-without-async-hooks.md).
 */
export interface LogScope {
  readonly reqId: string;
  readonly correlationId: string;
}

/** The log scope of an HTTP request: Fastify's request id, and the correlation id Parley took from it or its header. */
export const scopeOfRequest = (request: { readonly id: unknown; readonly correlationId?: string }): LogScope => ({
  reqId: String(request.id),
  correlationId: request.correlationId ?? String(request.id),
});

/** The log scope of the request a command serves: its causation id is the request's id. */
export const scopeOf = (context: { readonly correlationId: string; readonly causationId: string }): LogScope => ({
  reqId: context.causationId,
  correlationId: context.correlationId,
});

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

/** Dropped lines, counted once per process however many copies of this module are loaded. */
interface OutputGuard {
  failed: number;
}
const GUARD = Symbol.for('parley.logging.output-guard');

/**
 * A log line that cannot be written (a full disk under a redirected stdout,
 * a closed pipe) is dropped and counted: logging never takes a request, or
 * the process, down with it. Streams report such failures as 'error' events,
 * which crash the process when nobody listens; from here on somebody does.
 * One listener per process: the guard is kept on stdout itself, so a second
 * copy of this module (a test runner's fresh module registry and global
 * object per file) finds it instead of adding listeners to the same streams.
 */
function guardOutput(): OutputGuard {
  const holder = process.stdout as unknown as { [GUARD]?: OutputGuard };
  let guard = holder[GUARD];
  if (guard === undefined) {
    const created: OutputGuard = { failed: 0 };
    guard = holder[GUARD] = created;
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => void created.failed++);
  }
  return guard;
}

/** Log lines dropped because they could not be written, since the process started. */
export const droppedLogLines = (): number => guardOutput().failed;

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
        guardOutput().failed++;
      }
    },
  };
}

export type LogSettings = Partial<Pick<ParleyConfig, 'logLevel' | 'logRedactPaths'>>;

/**
 * Parley's one logger (API, Fastify, projector, CLI): pino, one JSON object a
 * line, ISO times and level names, and nothing personal or secret in clear.
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

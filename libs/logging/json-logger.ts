import type { LoggerService } from '@nestjs/common';
import type { ParleyConfig } from '../config/config';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

/** One JSON object per line on stdout: what a log shipper wants. */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(level: ParleyConfig['logLevel'] = 'info') {
    this.threshold = LEVELS[level];
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
    const fields = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : { msg: String(message) };
    process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, context, ...fields }) + '\n');
  }
}

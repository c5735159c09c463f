import { Logger } from '@nestjs/common';
import type { CodeSenderConfig } from '../../../libs/config/config';
import type { VerificationChannel } from '../../../libs/domain/events';
import type { LogScope } from '../../../libs/logging/logger';

/** One verification code on its way to a phone. */
export interface CodeMessage {
  /** E.164. */
  readonly phone: string;
  readonly channel: VerificationChannel;
  readonly code: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** The port through which Parley sends verification codes; a failure rejects. `scope`: the request it is sent for, on its log lines. */
export interface CodeSender {
  send(message: CodeMessage, scope: LogScope): Promise<void>;
}

export const CODE_SENDER = Symbol('CODE_SENDER');

/** A code that did not reach the provider; the message names no phone and no code. */
export class CodeNotSentError extends Error {
  constructor(reason: string) {
    super(`The verification code was not sent: ${reason}`);
    this.name = 'CodeNotSentError';
  }
}

export interface RecordedCode extends CodeMessage {
  readonly sentAt: string;
}

/**
 * The embedded sender: nothing leaves the server. Each code is kept in memory
 * (the last `capacity`) for `GET /v1/admin/verification-codes`, the one place
 * an operator reads it; the log line says a code is waiting there but names
 * neither the number nor the code (the API log is no place for them). A
 * restart forgets them.
 */
export class RecordingCodeSender implements CodeSender {
  private readonly logger = new Logger('verification-codes');
  private readonly recorded: RecordedCode[] = [];

  constructor(private readonly capacity = 200) {}

  send(message: CodeMessage, scope: LogScope): Promise<void> {
    const entry: RecordedCode = { ...message, sentAt: new Date().toISOString() };
    this.recorded.push(entry);
    if (this.recorded.length > this.capacity) this.recorded.splice(0, this.recorded.length - this.capacity);
    this.logger.log({
      ...scope,
      msg: 'verification code recorded (embedded sender): read it at GET /v1/admin/verification-codes?phone=',
      channel: message.channel,
      expiresAt: message.expiresAt,
    });
    return Promise.resolve();
  }

  /** Newest first; only those sent to `phone` (E.164) when given. */
  list(phone?: string): RecordedCode[] {
    return this.recorded.filter((entry) => phone === undefined || entry.phone === phone).reverse();
  }
}

/**
 * An SMS provider's HTTP endpoint: POSTs `{ to, channel, text, code }` as JSON,
 * with `Authorization: Bearer <token>` when a token is configured. Anything
 * but a 2xx within the timeout (redirects included) is a failure.
 */
export class HttpCodeSender implements CodeSender {
  private readonly logger = new Logger('verification-codes');

  constructor(
    private readonly url: string,
    private readonly token: string | null,
    private readonly timeoutMs = 5000,
  ) {}

  async send(message: CodeMessage, scope: LogScope): Promise<void> {
    const body = JSON.stringify({ to: message.phone, channel: message.channel, text: codeText(message), code: message.code });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token !== null) headers['authorization'] = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      const reason = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : 'provider unreachable';
      this.logger.warn({ ...scope, msg: 'verification code not sent', channel: message.channel, reason });
      throw new CodeNotSentError(reason);
    }
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) {
      const reason = `provider answered ${response.status}`;
      this.logger.warn({ ...scope, msg: 'verification code not sent', channel: message.channel, reason });
      throw new CodeNotSentError(reason);
    }
  }
}

/** What the phone shows or says; by voice the digits are spoken one by one. */
export function codeText(message: CodeMessage, now = Date.now()): string {
  const minutes = Math.max(1, Math.round((Date.parse(message.expiresAt) - now) / 60_000));
  const code = message.channel === 'voice' ? message.code.split('').join(' ') : message.code;
  return `Your Parley code is ${code}. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

export function createCodeSender(config: CodeSenderConfig): CodeSender {
  return config.kind === 'http' ? new HttpCodeSender(config.url, config.token) : new RecordingCodeSender();
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { StoreUnavailableError } from '../../../libs/config/store-connection';
import { AppendOutcomeUnknownError } from '../../../libs/event-store/settle-append';
import { DomainError, type ErrorCategory } from '../../../libs/domain/errors';
import { WrongExpectedRevisionError } from '../../../libs/event-store/event-store.port';
import { isStorageFull, STORAGE_FULL } from '../../../libs/event-store/storage-full';
import { scopeOfRequest, type LogScope } from '../../../libs/logging/logger';
import { surfaceOf } from './compat-surfaces';
import type { ErrorBody } from './error-body';

const STATUS: { readonly [K in ErrorCategory]: number } = {
  validation: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'ROUTE.NOT_FOUND',
  405: 'ROUTE.METHOD_NOT_ALLOWED',
  409: 'REQUEST.CONFLICT',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'REQUEST.RATE_LIMITED',
};

/** Maps every error to `{ statusCode, code, message, details? }`; nothing a client sends yields a 5xx. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<{ readonly id: unknown; readonly correlationId?: string; readonly url?: string }>();
    const body = this.toBody(exception, scopeOfRequest(request));
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    }
    const url = request.url ?? '';
    const surface = surfaceOf(url);
    if (surface) {
      const rendered = surface.renderError(body, url);
      void reply.status(rendered.status).header('content-type', 'application/json; charset=utf-8').send(rendered.body);
      return;
    }
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  /** The one error body; a server-side failure is logged with the request's ids (`scope`). */
  protected toBody(exception: unknown, scope: LogScope): ErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: STATUS[exception.category],
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof AppendOutcomeUnknownError) {
      // Sent, unanswered, and not found when checked: the client must not assume either outcome.
      return { statusCode: 503, code: 'STORE.OUTCOME_UNKNOWN', message: exception.message };
    }
    if (exception instanceof StoreUnavailableError) {
      // Nothing was acknowledged: the client may retry (an Idempotency-Key makes that safe).
      return { statusCode: 503, code: 'STORE.UNAVAILABLE', message: exception.message };
    }
    if (exception instanceof WrongExpectedRevisionError) {
      return { statusCode: 409, code: 'REQUEST.CONCURRENT_UPDATE', message: 'The resource changed meanwhile; retry' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) {
        return response as ErrorBody;
      }
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : exception.message;
      return { statusCode: status, code: HTTP_CODES[status] ?? `HTTP.${status}`, message };
    }
    // Fastify's own client errors (malformed JSON, body too large, bad content type).
    const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        statusCode: fastifyStatus,
        code: HTTP_CODES[fastifyStatus] ?? `HTTP.${fastifyStatus}`,
        message: (exception as Error).message,
      };
    }
    if (isStorageFull(exception)) {
      // Nothing was written; reads go on and the same request succeeds once there is space again.
      this.logger.error({ ...scope, msg: 'out of storage space: a write was refused', error: String(exception) });
      return { statusCode: 507, code: STORAGE_FULL, message: 'The server is out of storage space; nothing was written, retry later' };
    }
    this.logger.error({ ...scope, msg: 'unhandled error', error: String(exception), stack: (exception as Error)?.stack });
    return { statusCode: 500, code: 'SERVER.INTERNAL', message: 'Internal server error' };
  }
}

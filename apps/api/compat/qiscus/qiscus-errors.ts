import { ArgumentsHost, Catch } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../../../../libs/domain/errors';
import { scopeOfRequest } from '../../../../libs/logging/logger';
import type { ParleyRequest } from '../../auth/auth.decorators';
import { HttpExceptionFilter } from '../../common/http-exception.filter';

/**
 * Qiscus' error answer, `{ status, error: { message } }` (its clients read
 * `body.error.message`), carrying Parley's one error body beside it, so a
 * Qiscus client and a Parley client both find what they look for.
 */
@Catch()
export class QiscusExceptionFilter extends HttpExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception, scopeOfRequest(host.switchToHttp().getRequest<ParleyRequest>()));
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    }
    void reply
      .status(body.statusCode)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ ...body, status: body.statusCode, error: { message: body.message } });
  }
}

import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, type Observable, switchMap } from 'rxjs';
import type { ParleyConfig } from '../../../libs/config/config';
import { DomainError, validationError } from '../../../libs/domain/errors';
import { parsePosition, type EventStore } from '../../../libs/event-store/event-store.port';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { ApiErrors } from './openapi';
import { EVENT_STORE, PARLEY_CONFIG } from '../infrastructure/tokens';

/**
 * Read-your-writes for queries: `X-Min-Position: <position a command returned>`
 * holds the query until the read models have passed it, for a bounded time.
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(
    private readonly gate: ReadModelGate,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['x-min-position'];
    if (header === undefined || request.method !== 'GET') return next.handle();
    return from(this.wait(header, context.switchToHttp().getResponse<FastifyReply>())).pipe(switchMap(() => next.handle()));
  }

  private async wait(header: string | string[], reply: FastifyReply): Promise<void> {
    const position = typeof header === 'string' ? parsePosition(header.trim()) : null;
    if (position === null) {
      throw validationError('REQUEST.MIN_POSITION_INVALID', 'X-Min-Position must be a position this API returned', [
        { field: 'X-Min-Position', reason: 'must be a decimal position' },
      ]);
    }
    const head = await this.store.headPosition();
    if (head === null || position > head) {
      throw validationError('REQUEST.MIN_POSITION_AHEAD', 'X-Min-Position is past the end of the log', [
        { field: 'X-Min-Position', reason: `no event has been written at ${position.toString()} yet` },
      ]);
    }
    if (await this.gate.waitFor(position, this.config.minPositionWaitMs)) return;
    void reply.header('retry-after', '1');
    throw new DomainError(
      'READ_MODEL.BEHIND',
      'unavailable',
      `The read models did not reach position ${position.toString()} within ${this.config.minPositionWaitMs} ms`,
    );
  }
}

/** Marks a query served from the read models: it honours X-Min-Position, and OpenAPI says so. */
export const ReadModelQuery = () =>
  applyDecorators(
    UseInterceptors(MinPositionInterceptor),
    ApiHeader({
      name: 'X-Min-Position',
      required: false,
      description: 'Wait (bounded) until the read models have passed this position, as returned by a command',
      schema: { type: 'string', pattern: '^\\d{1,40}$' },
    }),
    // 400: an X-Min-Position that is not a position or is past the log; 503: the read models did not reach it in time.
    ApiErrors(400, 503),
  );

import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { from, type Observable, switchMap } from 'rxjs';
import type { ParleyConfig } from '../../../libs/config/config';
import { validationError } from '../../../libs/domain/errors';
import { parsePosition, type EventStore } from '../../../libs/event-store/event-store.port';
import type { Projection } from '../../../libs/projection/projection';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { ApiErrors } from './openapi';
import { EVENT_STORE, PARLEY_CONFIG } from '../infrastructure/tokens';

/** Metadata: names of the read models a query reads. */
const READ_MODELS = 'parley:read-models';

/**
 * Read-your-writes for queries: `X-Min-Position: <position a command returned>`
 * holds the query until the read models have passed it, for a bounded time.
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(
    private readonly gate: ReadModelGate,
    private readonly reflector: Reflector,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['x-min-position'];
    if (header === undefined || request.method !== 'GET') return next.handle();
    const readModels = this.reflector.get<readonly string[] | undefined>(READ_MODELS, context.getHandler()) ?? null;
    return from(this.wait(header, readModels)).pipe(
      switchMap(() => next.handle()),
    );
  }

  private async wait(header: string | string[], readModels: readonly string[] | null): Promise<void> {
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
    await this.gate.requireReadModels(position, this.config.minPositionWaitMs, readModels);
  }
}

/**
 * Marks a query served from the read models: it honours X-Min-Position, and
 * OpenAPI says so. Name the read models the query reads, so that it waits
 * only for them and keeps answering while an unrelated one is failed; none
 * named means all of them.
 */
export const ReadModelQuery = (...readModels: readonly Pick<Projection, 'name'>[]) =>
  applyDecorators(
    ...(readModels.length > 0 ? [SetMetadata(READ_MODELS, readModels.map((p) => p.name))] : []),
    UseInterceptors(MinPositionInterceptor),
    ApiHeader({
      name: 'X-Min-Position',
      required: false,
      description:
        'Wait (bounded) until the read models this query reads have passed this position, as returned by a command; ' +
        '503 READ_MODEL.BEHIND when the wait runs out, 503 READ_MODEL.FAILED at once when one of them is stopped before it',
      schema: { type: 'string', pattern: '^\\d{1,40}$' },
    }),
    // 400: an X-Min-Position that is not a position or is past the log; 503: the read models did not reach it in time.
    ApiErrors(400, 503),
  );

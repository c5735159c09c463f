import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { validationError } from '../../../libs/domain/errors';

/** The `Idempotency-Key` header, if any: 1-200 printable ASCII characters. */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(value)) {
    throw validationError('REQUEST.IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-200 printable ASCII characters', [
      { field: 'Idempotency-Key', reason: 'must be 1-200 printable ASCII characters' },
    ]);
  }
  return value;
});

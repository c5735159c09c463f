import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { assertCommentSize } from '../../../libs/domain/comments/comment.decider';
import { DomainError } from '../../../libs/domain/errors';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The size rule (COMMENT_MAX_BYTES) before the body's validation: a comment
 * too big is 413 COMMENT.TOO_LARGE whatever else is wrong with it, not a 400
 * about the text's length. Bodies it cannot measure are left to validation.
 * A guard rather than an interceptor: it runs after the authentication guard
 * and before the pipes all the same, and a route without interceptors spares
 * Nest its RxJS chain and two async-resource bindings per request, a tenth
 * of the send path's CPU (issue #12).
 */
@Injectable()
export class CommentSizeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const body = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    if (isObject(body) && typeof body['text'] === 'string') {
      const payload = isObject(body['payload']) ? body['payload'] : null;
      try {
        assertCommentSize(body['text'], payload);
      } catch (error) {
        // JSON.stringify of a pathological payload (too deep) throws: validation refuses it.
        if (error instanceof DomainError) throw error;
      }
    }
    return true;
  }
}

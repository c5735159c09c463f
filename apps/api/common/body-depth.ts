import { BadRequestException } from '@nestjs/common';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { ErrorBody } from './error-body';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Comment
 * payloads and other free-form JSON fields are bounded at depth 32 by the
 * domain; a body wraps them a level or two deeper, and 64 leaves headroom.
 * Nothing legitimate comes near it, while 5,000 levels overflow the stack of
 * class-transformer and class-validator, which walk bodies recursively.
 */
export const MAX_BODY_DEPTH = 64;

/**
 * Whether a JSON text nests arrays and objects deeper than `limit`: one pass
 * over the characters, no recursion, brackets inside strings not counted.
 * Malformed text is left for the JSON parser to refuse.
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

export function tooDeep(limit: number): BadRequestException {
  const body: ErrorBody = {
    statusCode: 400,
    code: 'REQUEST.TOO_DEEP',
    message: `The request body nests arrays and objects more than ${limit} levels deep`,
    details: [{ field: 'body', reason: `must not nest arrays and objects more than ${limit} levels deep` }],
  };
  return new BadRequestException(body);
}

/**
 * Installs Parley's JSON body parser on the adapter: Fastify's own (with
 * prototype poisoning refused) behind a depth check, so a deep body is a 400
 * before anything walks it. Nest's parsers are registered first and the JSON
 * one replaced, so `init()` leaves ours in place; form bodies keep Nest's
 * parser, which yields flat objects (`a[b]=c` is the key `a[b]`) and cannot nest.
 */
export function installDepthLimitedJsonParser(adapter: FastifyAdapter, globalPrefix: string, limit = MAX_BODY_DEPTH): void {
  adapter.registerParserMiddleware(globalPrefix);
  const fastify = adapter.getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // A DELETE carries no content: clients that label every request JSON (the Nexmo beta's) send the label without a body.
    if (text === '' && request.method === 'DELETE') {
      done(null, undefined);
      return;
    }
    if (jsonNestsDeeperThan(text, limit)) {
      done(tooDeep(limit), undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}

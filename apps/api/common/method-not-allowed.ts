import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from './error-body';

interface KnownPath {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/v1/rooms/:roomId` as a pattern of concrete paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escape(segment)))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * A request for a path Parley serves, with a method it does not serve there,
 * answers 405 with `Allow` (RFC 9110 15.5.6) instead of the router's 404.
 * Register before the routes: it learns them as they are added.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance): void {
  const paths = new Map<string, KnownPath>();
  fastify.addHook('onRoute', (route) => {
    const known = paths.get(route.url) ?? { pattern: pathPattern(route.url), methods: new Set<string>() };
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) known.methods.add(method.toUpperCase());
    paths.set(route.url, known);
  });
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?', 1)[0] ?? '';
    const allowed = new Set<string>();
    for (const known of paths.values()) if (known.pattern.test(path)) for (const method of known.methods) allowed.add(method);
    if (allowed.size === 0) return;
    const allow = [...allowed].sort().join(', ');
    const body: ErrorBody = {
      statusCode: 405,
      code: 'ROUTE.METHOD_NOT_ALLOWED',
      message: `${request.method} is not supported on this path; it supports ${allow}`,
    };
    return reply.status(405).header('allow', allow).header('content-type', 'application/json; charset=utf-8').send(body);
  });
}

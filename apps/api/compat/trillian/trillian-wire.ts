import { XMLBuilder } from 'fast-xml-parser';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validationError } from '../../../../libs/domain/errors';

/**
 * A Trillian answer before it is written: elements by name, attributes as
 * `@_name`, repeated elements as arrays, an empty string for an empty
 * element (`<topic/>`). XML is the seed's default; JSON is the same tree with
 * attributes as plain keys.
 */
export type WireValue = string | number | WireNode | readonly WireNode[];
export interface WireNode {
  readonly [name: string]: WireValue;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true });

export const wantsJson = (request: FastifyRequest): boolean => {
  const query = request.query as Record<string, unknown> | undefined;
  if (query?.['format'] === 'json') return true;
  if (query?.['format'] === 'xml') return false;
  const accept = String(request.headers.accept ?? '');
  return /\bapplication\/json\b/.test(accept) && !/\b(application|text)\/xml\b/.test(accept);
};

function asJson(value: WireValue): unknown {
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((node) => asJson(node as WireNode));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key === '#text' ? 'text' : key.startsWith('@_') ? key.slice(2) : key, asJson(inner as WireValue)]),
  );
}

/** Writes `<response>…</response>` (or its JSON) with the status. */
export function answer(request: FastifyRequest, reply: FastifyReply, status: number, response: WireNode): string {
  void reply.status(status);
  if (wantsJson(request)) {
    void reply.type('application/json; charset=utf-8');
    return JSON.stringify({ response: asJson(response) });
  }
  void reply.type('application/xml; charset=utf-8');
  return builder.build({ response }) as string;
}

/** The absolute URL of a Trillian resource on this server, as the seed's `href`s are. */
export function href(request: FastifyRequest, path: string): string {
  return `${request.protocol}://${request.hostname}/trillian/v1/${path}`;
}

/**
 * Trillian's paths end in a slash (`/v1/groups/`) and its clients send them
 * either way: a trailing slash under `/trillian/` is dropped before routing,
 * the query string kept. Other paths are left as they are.
 */
export function trillianUrl(url: string): string {
  if (!url.startsWith('/trillian/')) return url;
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === path ? url : trimmed + (at === -1 ? '' : url.slice(at));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A user's Trillian name (member, IM address, `:user`): their user id (an `@domain` after it is ignored). */
export function userIdOf(name: string, field = 'member'): string {
  const id = name.replace(/@.*$/, '').toLowerCase();
  if (!UUID.test(id)) throw validationError('REQUEST.VALIDATION_FAILED', `${field} must name a user`, [{ field, reason: 'must be a user id' }]);
  return id;
}

import { XMLBuilder } from 'fast-xml-parser';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Warmshowers (Drupal Services) answers XML unless the client asks for JSON
 * with `Accept: application/json`. XML wraps everything in `<result>`; a list
 * becomes repeated `<item>` elements, booleans 1 or 0, null an empty
 * element, and a list of one plain value (`[true]`, `["message"]`) that value.
 */
export const XML = 'application/xml';
export const JSON_TYPE = 'application/json';

const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false, processEntities: true });

export const wantsJson = (request: FastifyRequest): boolean => /application\/json/i.test(String(request.headers.accept ?? ''));

type Plain = string | number | boolean | null;
type Value = Plain | Value[] | { [key: string]: Value };

function forXml(value: Value): unknown {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return { item: value.map(forXml) };
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, forXml(child)]));
  return value;
}

export function toXml(value: Value): string {
  const single = Array.isArray(value) && value.length === 1 && (value[0] === null || typeof value[0] !== 'object') ? value[0]! : value;
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ result: forXml(single as Value) }) as string}`;
}

/** Sends `body` in the format the client asked for. */
export function send(request: FastifyRequest, reply: FastifyReply, status: number, body: Value): void {
  void reply.status(status);
  if (wantsJson(request)) void reply.type(JSON_TYPE).send(JSON.stringify(body));
  else void reply.type(XML).send(toXml(body));
}

export type { Value as WarmshowersValue };

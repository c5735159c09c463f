import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { notFound, unauthenticated, validationError } from '../../../../libs/domain/errors';
import type { ParleyRequest } from '../../auth/auth.decorators';
import { fromConversationsId } from './conversation-shapes';

/*
 * What the Vonage and Nexmo beta surfaces read off a request the same way:
 * the calling application, the command context, fields of a JSON body and
 * the prefixed ids in a path. Translation only.
 */

export type Json = Record<string, unknown>;

/** The application whose RS256 token the request carries; `surface` names the API in the refusal. */
export function applicationOf(request: ParleyRequest, surface: string): string {
  const application = request.user?.application;
  if (!application) throw unauthenticated('APPLICATION.TOKEN_REQUIRED', `The ${surface} API takes an application’s RS256 token`);
  return application.applicationId;
}

/** The command context of a request the surface checked with `applicationOf`: the application, or the user of its `sub`. */
export function contextOf(request: ParleyRequest): CommandContext {
  return { actor: request.user!.id, correlationId: request.correlationId ?? String(request.id), causationId: String(request.id) };
}

/** A string field of a JSON body; undefined when absent or null, refused when of another type. */
export function str(body: Json, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError('REQUEST.VALIDATION_FAILED', `${field} must be a string`, [{ field, reason: 'must be a string' }]);
  return value;
}

export function required(body: Json, field: string): string {
  const value = str(body, field);
  if (value === undefined) throw validationError('REQUEST.VALIDATION_FAILED', `${field} is required`, [{ field, reason: 'is required' }]);
  return value;
}

/** Parley's id in a prefixed path id; a wrong prefix or UUID is a missing resource. */
export function idOf(prefix: string, id: string, code: string, message: string): string {
  const inner = fromConversationsId(prefix, id);
  if (inner === null) throw notFound(code, message);
  return inner;
}

/** An event id in a path: a positive integer, else no such event. */
export function eventIdOf(eventId: string): number {
  const id = Number(eventId);
  if (!Number.isSafeInteger(id) || id < 1) throw notFound('EVENT.NOT_FOUND', 'No event with that id in this conversation');
  return id;
}

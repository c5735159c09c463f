import { validationError } from '../errors';
import type { EmailChanged } from '../events';

/** RFC 5321's limit on a whole address. */
export const EMAIL_MAX = 254;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An address as Parley keeps it: trimmed and lower-cased, so that claims are
 * case-insensitive (Qiscus treats `Alice@x.io` and `alice@x.io` as one user).
 * Null when it is not an address.
 */
export function normalizeEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  if (email.length < 3 || email.length > EMAIL_MAX || !EMAIL.test(email)) return null;
  // Control characters never belong in an address (and would reach names rendered from it).
  if ([...email].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return null;
  return email;
}

/** The address normalised, or a 400 naming `field`. */
export function requireEmail(input: unknown, field: string): string {
  const email = typeof input === 'string' ? normalizeEmail(input) : null;
  if (email === null) {
    throw validationError('USER.EMAIL_INVALID', `${field} must be an email address`, [{ field, reason: 'must be an email address' }]);
  }
  return email;
}

export interface SetEmail {
  readonly type: 'SetEmail';
  readonly userId: string;
  readonly email: string;
  readonly emailKey: string;
  readonly actor: string;
  readonly now: string;
}

/** The user's stream records the address once it is theirs; the same address again changes nothing. */
export function decideEmailChange(command: SetEmail, current: { readonly emailKey: string | null }): EmailChanged[] {
  if (current.emailKey === command.emailKey) return [];
  return [
    {
      type: 'EmailChanged',
      data: { userId: command.userId, emailKey: command.emailKey, email: command.email, changedBy: command.actor, changedAt: command.now },
    },
  ];
}

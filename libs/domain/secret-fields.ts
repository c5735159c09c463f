import type { ParleyEvent, ParleyEventType } from './events';

/**
 * Fields only the write side may read: credentials and signing keys. The
 * personal-data store seals the first four (personal-data.ts), so erasure
 * covers them and a backup carries them sealed; none of them appears in an
 * audit view, a webhook delivery or the feed, where they read `[redacted]`.
 * Hashes of random keys and codes are not sealed (they reveal nothing) but
 * stay out of views all the same.
 */
type SecretFieldMap = {
  readonly [K in ParleyEventType]?: readonly (keyof Extract<ParleyEvent, { type: K }>['data'] & string)[];
};

export const SECRET_FIELDS: SecretFieldMap = {
  UserRegistered: ['passwordHash'],
  PasswordChanged: ['passwordHash'],
  WebhookRegistered: ['secret'],
  WebhookUpdated: ['secret'],
  ApiKeyCreated: ['secretHash'],
  VerificationCodeIssued: ['codeHash'],
};

export const REDACTED = '[redacted]';

/** `data` as views may show it: each secret field that holds a value reads `[redacted]` (null stays null). */
export function redactSecrets(type: string, data: unknown): unknown {
  const fields = Object.prototype.hasOwnProperty.call(SECRET_FIELDS, type)
    ? (SECRET_FIELDS[type as ParleyEventType] as readonly string[] | undefined)
    : undefined;
  if (!fields || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const record = data as Record<string, unknown>;
  if (!fields.some((field) => record[field] !== null && record[field] !== undefined)) return data;
  const redacted: Record<string, unknown> = { ...record };
  for (const field of fields) if (redacted[field] !== null && redacted[field] !== undefined) redacted[field] = REDACTED;
  return redacted;
}

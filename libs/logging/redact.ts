/**
 * What the API log must never carry in clear: phone numbers and verification
 * codes (issue #11). Fields are judged by name (`phone`, `to`, a `code` made
 * of digits) and every string by content (an E.164 number, also
 * percent-encoded as in a URL), so a number that turns up somewhere new (a
 * path, an error message) is caught too.
 */
const PHONE_FIELDS = new Set(['phone', 'phonenumber', 'phone_number', 'msisdn', 'to', 'number']);
const CODE_FIELDS = new Set(['code', 'verificationcode', 'verification_code', 'otp']);
const E164 = /(?:\+|%2b)\d{6,15}/gi;
const DIGITS = /^\s*\d{3,10}\s*$/;
const MAX_DEPTH = 8;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(E164, REDACTED);
}

export function redact(value: unknown, key = '', depth = 0): unknown {
  const name = key.toLowerCase();
  if (typeof value === 'string') {
    if (PHONE_FIELDS.has(name)) return REDACTED;
    if (CODE_FIELDS.has(name) && DIGITS.test(value)) return REDACTED;
    return redactText(value);
  }
  if (typeof value === 'number' && (PHONE_FIELDS.has(name) || CODE_FIELDS.has(name))) return REDACTED;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[deep]';
  if (Array.isArray(value)) return value.map((item) => redact(item, key, depth + 1));
  if (value instanceof Error) return redactText(String(value));
  const out: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value as Record<string, unknown>)) out[field] = redact(inner, field, depth + 1);
  return out;
}

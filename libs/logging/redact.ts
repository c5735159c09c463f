/**
 * What Parley's log must never carry in clear: phone numbers and verification
 * codes (issue #11), credentials and tokens. Fields are judged by name
 * (`phone`, `to`, a `code` made of digits, `password`, `token`, ...) at any
 * depth, and every string by content (an E.164 number, also percent-encoded
 * as in a URL; a token in a query string), so a value that turns up somewhere
 * new (a path, an error message) is caught too. Operators add exact paths of
 * their own with LOG_REDACT_PATHS (pino's redaction, libs/logging/logger.ts).
 */
const PHONE_FIELDS = new Set(['phone', 'phonenumber', 'phone_number', 'msisdn', 'to', 'number']);
const CODE_FIELDS = new Set(['code', 'verificationcode', 'verification_code', 'otp']);
const SECRET_FIELDS = new Set([
  'password',
  'passwordhash',
  'secret',
  'token',
  'access_token',
  'accesstoken',
  'refresh_token',
  'refreshtoken',
  'id_token',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'apikey',
  'api_key',
]);
const E164 = /(?:\+|%2b)\d{6,15}/gi;
/** `?access_token=…`, `&token=…`, `&api_key=…`: a query string carrying a credential (a browser's WebSocket feed does). */
const QUERY_TOKEN = /([?&;](?:access_token|refresh_token|id_token|token|api_key|apikey|key|code|otp)=)[^&#\s"']+/gi;
const DIGITS = /^\s*\d{3,10}\s*$/;
const MAX_DEPTH = 8;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(E164, REDACTED).replace(QUERY_TOKEN, `$1${REDACTED}`);
}

export function redact(value: unknown, key = '', depth = 0): unknown {
  const name = key.toLowerCase();
  if (typeof value === 'string') {
    if (PHONE_FIELDS.has(name) || SECRET_FIELDS.has(name)) return REDACTED;
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

import { validationError, type ErrorDetail } from '../errors';
import type { PolicyItem } from '../events';

/** A policy key: dotted words, as Trillian's (`trillian.history.cloud`). */
const KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const POLICY_MAX_ITEMS = 1000;
export const POLICY_KEY_MAX = 200;
export const POLICY_VALUE_MAX = 4096;

/**
 * The items of a policy as Trillian carries them: base64 of UTF-8 `key value`
 * lines. Whitespace around the base64 is tolerated (the seed's own examples
 * pad it); anything else that is not base64, or a line that is not
 * `key value`, refuses the whole policy naming `field` and the line.
 */
export function parsePolicyData(data: string, field = 'data'): PolicyItem[] {
  const compact = data.trim();
  if (!BASE64.test(compact)) throw refused(field, 'is not base64');
  const text = Buffer.from(compact, 'base64').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('base64') !== compact) throw refused(field, 'does not decode to UTF-8 text');
  const lines = text.split(/\r?\n/);
  const details: ErrorDetail[] = [];
  const pairs: [string, string][] = [];
  lines.forEach((line, index) => {
    if (line === '') return;
    const space = line.indexOf(' ');
    if (space <= 0) {
      details.push({ field, reason: `line ${index + 1} is not "key value"` });
      return;
    }
    pairs.push([line.slice(0, space), line.slice(space + 1)]);
  });
  if (details.length > 0) throw validationError('POLICY.INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  return checkPolicyItems(pairs, field);
}

/** Items given as pairs (Parley's own API gives an object): keys well formed and unique, values text without line breaks. */
export function checkPolicyItems(pairs: readonly (readonly [string, string])[], field = 'items'): PolicyItem[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  if (pairs.length > POLICY_MAX_ITEMS) details.push({ field, reason: `holds at most ${POLICY_MAX_ITEMS} items` });
  for (const [key, value] of pairs) {
    if (!KEY.test(key) || key.length > POLICY_KEY_MAX) details.push({ field, reason: `key "${key.slice(0, 50)}" is not dotted words of letters, digits, _ and -` });
    else if (seen.has(key)) details.push({ field, reason: `key ${key} appears twice` });
    seen.add(key);
    if (typeof value !== 'string' || value.length > POLICY_VALUE_MAX || /[\r\n\0]/.test(value)) {
      details.push({ field, reason: `value of ${key.slice(0, 50)} must be one line of at most ${POLICY_VALUE_MAX} characters` });
    }
  }
  if (details.length > 0) throw validationError('POLICY.INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  return pairs.map(([key, value]) => ({ key, value }));
}

/** Back to Trillian's `data`: one `key value` line each, newline-terminated, base64. */
export function policyData(items: readonly PolicyItem[]): string {
  return Buffer.from(items.map((item) => `${item.key} ${item.value}\n`).join(''), 'utf8').toString('base64');
}

const refused = (field: string, reason: string) => validationError('POLICY.INVALID', `${field} ${reason}`, [{ field, reason }]);

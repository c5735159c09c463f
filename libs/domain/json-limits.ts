/**
 * Bounds on free-form JSON that Parley accepts into its log (a comment's
 * `payload`, an imported row's `Payload`). Every accepted event must be
 * projectable by every read store: SQLite's JSON1 refuses text nested deeper
 * than 1,000 levels (counting the document around the value), MongoDB refuses
 * documents nested deeper than 100 levels or larger than 16 MiB and field names
 * holding NUL, and a lone surrogate does not survive MongoDB's UTF-8 strings.
 * The limits below sit well inside all of that, so a value that passes them can
 * be stored, indexed beside and read back unchanged by either store.
 */
export interface JsonLimits {
  /** Levels of objects and arrays: `{}` is 1, `{"a":[1]}` is 2. */
  readonly maxDepth: number;
  readonly maxKeysPerObject: number;
  readonly maxItemsPerArray: number;
  /** In UTF-16 code units, as JavaScript and class-validator count string length. */
  readonly maxStringLength: number;
  readonly maxKeyLength: number;
  /** Bytes of the value serialized as JSON text, UTF-8. */
  readonly maxBytes: number;
}

/** A comment's `payload` (and an imported comment's `Payload`). */
export const PAYLOAD_LIMITS: JsonLimits = {
  maxDepth: 32,
  maxKeysPerObject: 256,
  maxItemsPerArray: 1_000,
  maxStringLength: 16_384,
  maxKeyLength: 256,
  maxBytes: 32 * 1024,
};

/** A room's or a user's `custom_data`: kept in the room's or user's document and read with it, so smaller than a comment's payload. */
export const PROPERTIES_LIMITS: JsonLimits = {
  maxDepth: 16,
  maxKeysPerObject: 128,
  maxItemsPerArray: 256,
  maxStringLength: 4_096,
  maxKeyLength: 128,
  maxBytes: 8 * 1024,
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `value` is beyond `limits` (a phrase to follow the field's name, e.g.
 * "nests deeper than 32 levels"), or null when it is within them. Never
 * recurses deeper than `maxDepth` + 1, so any input is safe to check.
 */
export function jsonLimitViolation(value: unknown, limits: JsonLimits): string | null {
  const structural = checkValue(value, limits, 0);
  if (structural !== null) return structural;
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > limits.maxBytes) return `is larger than ${limits.maxBytes} bytes as JSON (${bytes} bytes)`;
  return null;
}

function checkValue(value: unknown, limits: JsonLimits, depth: number): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'holds a number JSON cannot represent';
  if (typeof value === 'string') {
    if (value.length > limits.maxStringLength) return `holds a string longer than ${limits.maxStringLength} characters`;
    if (LONE_SURROGATE.test(value)) return 'holds a string that is not well-formed Unicode (a lone surrogate)';
    return null;
  }
  if (typeof value !== 'object') return `holds a ${typeof value}, which is not JSON`;
  if (depth + 1 > limits.maxDepth) return `nests deeper than ${limits.maxDepth} levels`;
  if (Array.isArray(value)) {
    if (value.length > limits.maxItemsPerArray) return `holds an array of more than ${limits.maxItemsPerArray} items`;
    for (const item of value) {
      const found = checkValue(item, limits, depth + 1);
      if (found !== null) return found;
    }
    return null;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return 'holds an object that is not plain JSON';
  const keys = Object.keys(value);
  if (keys.length > limits.maxKeysPerObject) return `holds an object with more than ${limits.maxKeysPerObject} keys`;
  for (const key of keys) {
    if (key.length > limits.maxKeyLength) return `holds a key longer than ${limits.maxKeyLength} characters`;
    if (key.includes('\u0000')) return 'holds a key with a NUL character';
    if (LONE_SURROGATE.test(key)) return 'holds a key that is not well-formed Unicode (a lone surrogate)';
    const found = checkValue((value as Record<string, unknown>)[key], limits, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

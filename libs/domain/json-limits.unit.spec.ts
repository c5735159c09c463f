import { jsonLimitViolation, PAYLOAD_LIMITS, type JsonLimits } from './json-limits';

const nested = (levels: number): unknown => {
  let value: unknown = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
};
const nestedArrays = (levels: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
};
const objectWithKeys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));

describe('JSON limits of free-form values (comment payloads)', () => {
  const L = PAYLOAD_LIMITS;

  it('documents limits well inside what SQLite JSON1 (1,000 levels) and MongoDB (100 levels, 16 MiB) hold', () => {
    expect(L.maxDepth).toBeLessThan(100);
    expect(L.maxBytes).toBeLessThan(16 * 1024 * 1024);
  });

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['scalars of every JSON kind', { s: 'text', n: -1.5e10, t: true, f: false, z: null }],
    ['objects and arrays at exactly the depth limit', nested(L.maxDepth)],
    ['arrays at exactly the depth limit', { a: nestedArrays(L.maxDepth - 1) }],
    ['exactly the key limit', objectWithKeys(L.maxKeysPerObject)],
    ['exactly the item limit', { a: Array.from({ length: L.maxItemsPerArray }, () => 0) }],
    ['a string of exactly the limit', { s: 'x'.repeat(L.maxStringLength) }],
    ['a key of exactly the limit', { ['k'.repeat(L.maxKeyLength)]: 1 }],
    ['emoji, RTL text, NUL inside strings, and $ or . in keys', { 'a.b': '😀 שלום \u0000', $where: 1 }],
  ])('accepts %s', (_, value) => {
    expect(jsonLimitViolation(value, L)).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ['nesting one level too deep', nested(L.maxDepth + 1), `nests deeper than ${L.maxDepth} levels`],
    ['arrays one level too deep', { a: nestedArrays(L.maxDepth) }, `nests deeper than ${L.maxDepth} levels`],
    ['1,000 levels (the value that stopped every read model)', nested(1000), `nests deeper than ${L.maxDepth} levels`],
    ['one key too many', objectWithKeys(L.maxKeysPerObject + 1), `holds an object with more than ${L.maxKeysPerObject} keys`],
    ['one item too many', { a: Array.from({ length: L.maxItemsPerArray + 1 }, () => 0) }, `holds an array of more than ${L.maxItemsPerArray} items`],
    ['a string one character too long', { s: 'x'.repeat(L.maxStringLength + 1) }, `holds a string longer than ${L.maxStringLength} characters`],
    ['a key one character too long', { ['k'.repeat(L.maxKeyLength + 1)]: 1 }, `holds a key longer than ${L.maxKeyLength} characters`],
    ['a key holding NUL (MongoDB cannot store it)', { 'a\u0000b': 1 }, 'holds a key with a NUL character'],
    ['a lone surrogate in a string', { s: 'a\uD800b' }, 'holds a string that is not well-formed Unicode (a lone surrogate)'],
    ['a lone surrogate in a key', { '\uDC00': 1 }, 'holds a key that is not well-formed Unicode (a lone surrogate)'],
    ['a non-finite number', { n: Number.POSITIVE_INFINITY }, 'holds a number JSON cannot represent'],
    ['a value that is not JSON', { d: new Date(0) }, 'holds an object that is not plain JSON'],
  ])('refuses %s', (_, value, reason) => {
    expect(jsonLimitViolation(value, L)).toBe(reason);
  });

  it('measures size as UTF-8 bytes of the JSON text: one byte over the limit is refused', () => {
    const small: JsonLimits = { ...L, maxBytes: 20 };
    // {"s":"ééé"} is 11 characters but 14 bytes.
    expect(jsonLimitViolation({ s: 'ééé' }, { ...small, maxBytes: 14 })).toBeNull();
    expect(jsonLimitViolation({ s: 'ééé' }, { ...small, maxBytes: 13 })).toBe('is larger than 13 bytes as JSON (14 bytes)');
  });

  it('checks a value nested 100,000 levels deep without overflowing the stack', () => {
    expect(jsonLimitViolation(nested(100_000), L)).toBe(`nests deeper than ${L.maxDepth} levels`);
  });
});

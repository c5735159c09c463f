import fc from 'fast-check';
import { jsonLimitViolation, PAYLOAD_LIMITS } from '../libs/domain/json-limits';
import { ParleyHarness, type TestUser } from './support/parley-app';

const L = PAYLOAD_LIMITS;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys the JSON body parser itself refuses (prototype poisoning); not what these limits are about. */
const key = fc.string({ unit: 'grapheme', maxLength: 24 }).filter((k) => k !== '__proto__' && k !== 'constructor');
const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const { value } = fc.letrec<{ value: Json; array: Json[]; object: { [key: string]: Json } }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 6 }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 8 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 8 }),
}));

const wrap = (inner: Json, levels: number): Json => {
  let wrapped = inner;
  for (let i = 0; i < levels; i++) wrapped = { n: wrapped };
  return wrapped;
};
const objectWithKeys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));

/** Values at exactly one of the limits, mixed into random payloads. */
const atALimit = fc.constantFrom<[string, Json]>(
  ['depth', wrap({}, L.maxDepth - 2)],
  ['string', 'é'.repeat(L.maxStringLength)],
  ['key', { ['k'.repeat(L.maxKeyLength)]: true }],
  ['items', Array.from({ length: L.maxItemsPerArray }, (_, i) => i)],
  ['keys', objectWithKeys(L.maxKeysPerObject - 1)],
);

/** A random payload within the documented limits. */
const withinLimits = fc
  .record({
    body: fc.dictionary(key, value, { maxKeys: 10 }),
    levels: fc.integer({ min: 0, max: L.maxDepth - 8 }),
    edge: fc.option(atALimit, { nil: undefined }),
  })
  .map(({ body, levels, edge }) => {
    const payload: Record<string, Json> = { body: wrap(body, levels) };
    if (edge) payload[`edge_${edge[0]}`] = edge[1];
    return payload;
  })
  .filter((payload) => jsonLimitViolation(payload, L) === null);

/** Just beyond each limit, and the reason the API must give. */
const beyondALimit = fc.constantFrom<[string, Json, string]>(
  ['depth', wrap({}, L.maxDepth), `nests deeper than ${L.maxDepth} levels`],
  ['keys', objectWithKeys(L.maxKeysPerObject + 1), `holds an object with more than ${L.maxKeysPerObject} keys`],
  ['items', Array.from({ length: L.maxItemsPerArray + 1 }, () => 0), `holds an array of more than ${L.maxItemsPerArray} items`],
  ['string', 'x'.repeat(L.maxStringLength + 1), `holds a string longer than ${L.maxStringLength} characters`],
  ['key', { ['k'.repeat(L.maxKeyLength + 1)]: 1 }, `holds a key longer than ${L.maxKeyLength} characters`],
  [
    'size',
    Object.fromEntries(Array.from({ length: Math.ceil(L.maxBytes / L.maxStringLength) }, (_, i) => [`s${i}`, 'x'.repeat(L.maxStringLength)])),
    `is larger than ${L.maxBytes} bytes as JSON`,
  ],
);

describe('comment payloads: what the API accepts, every read model holds', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let roomId: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    const bob = await parley.user('bob', 'Bob');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Payloads', participants: [bob.id] }).expect(201)).body.id;
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('projects any payload within the limits and serves it back unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(withinLimits, async (payload) => {
        const posted = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'p', type: 'custom', payload });
        expect(posted.status).toBe(201);
        const page = await parley
          .http()
          .get(`/v1/rooms/${roomId}/comments?limit=1`)
          .set(alice.auth)
          .set('X-Min-Position', posted.body.position);
        expect(page.status).toBe(200);
        expect(page.body.items[0].id).toBe(posted.body.id);
        // What JSON carries (-0 travels as 0).
        expect(page.body.items[0].payload).toEqual(JSON.parse(JSON.stringify(payload)));
      }),
      { numRuns: 60 },
    );
    const health = await parley.http().get('/health').expect(200);
    expect(health.body.status).toBe('ok');
  }, 180_000);

  it("keeps keys named like Object.prototype's members, constructor included, exactly as posted", async () => {
    // class-transformer once walked payloads as DTOs: it dropped these keys (toString, prototype) and failed on constructor.
    const payload = { constructor: 1, nested: { prototype: {}, toString: 'x', valueOf: { hasOwnProperty: [1] } } };
    const posted = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'keys', type: 'custom', payload });
    expect(posted.status).toBe(201);
    expect(posted.body.payload).toEqual(payload);
    const page = await parley.http().get(`/v1/rooms/${roomId}/comments?limit=1`).set(alice.auth).set('X-Min-Position', posted.body.position).expect(200);
    expect(page.body.items[0].id).toBe(posted.body.id);
    expect(page.body.items[0].payload).toEqual(payload);
  });

  it('refuses a payload just beyond any one limit with 400 naming payload, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(withinLimits, beyondALimit, key, async (base, [, beyond, reason], at) => {
        const payload = { ...base, [`x${at}`]: beyond };
        const before = (await parley.http().get('/health')).body.eventStore.head;
        const response = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'p', type: 'custom', payload });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('REQUEST.VALIDATION_FAILED');
        const detail = (response.body.details as { field: string; reason: string }[]).find((d) => d.field === 'payload');
        expect(detail?.reason.startsWith(`payload ${reason}`)).toBe(true);
        expect((await parley.http().get('/health')).body.eventStore.head).toBe(before);
      }),
      { numRuns: 30 },
    );
  }, 180_000);
});

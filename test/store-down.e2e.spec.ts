import { ParleyHarness } from './support/parley-app';

/*
 * EventStoreDB unreachable (nothing listens on the port: no fake server).
 * Requests that need the log fail with 503 and the store named, instead of
 * hanging, and the answer says whether anything may have been written.
 */
describe('the event store is down', () => {
  let parley: ParleyHarness;

  beforeAll(async () => {
    parley = await ParleyHarness.start({
      EVENT_STORE_URL: 'esdb://127.0.0.1:1?tls=false',
      READ_STORE_URL: 'memory:',
      KEY_STORE_URL: 'memory:',
      JWT_SECRET: 'a-test-secret-that-is-long-enough-for-parley',
      PERSONAL_DATA_KEY: Buffer.alloc(32, 9).toString('base64'),
      STORE_DEADLINE_MS: '2000',
    });
  }, 60_000);

  afterAll(async () => {
    await parley?.stop();
  });

  it('answers a command 503 STORE.UNAVAILABLE naming EventStoreDB, every time, without waiting for a deadline per request', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await parley.http().post('/v1/users').send({ username: `down${i}`, password: 'correct horse battery' });
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ statusCode: 503, code: 'STORE.UNAVAILABLE', message: expect.stringContaining('EventStoreDB at esdb://127.0.0.1:1') });
    }
  });
});

/*
 * MongoDB unreachable (nothing listens on the port): here the personal-data
 * key store, which a registration needs before anything is appended. The
 * request fails with 503 and the store named within MONGODB_DEADLINE_MS,
 * not after the driver's 30 s (a username claim appended before it stays
 * for the next registration of the name, as after any failure between the two).
 */
describe('the MongoDB key store is down', () => {
  let parley: ParleyHarness;

  beforeAll(async () => {
    parley = await ParleyHarness.start({
      EVENT_STORE_URL: 'memory:',
      READ_STORE_URL: 'memory:',
      KEY_STORE_URL: 'mongodb://parley:secret@127.0.0.1:1/parley',
      MONGODB_DEADLINE_MS: '500',
    });
  }, 60_000);

  afterAll(async () => {
    await parley?.stop();
  });

  it('answers a registration 503 STORE.UNAVAILABLE naming the MongoDB key store, without its password', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await parley.http().post('/v1/users').send({ username: `keyless${i}`, password: 'correct horse battery' });
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        statusCode: 503,
        code: 'STORE.UNAVAILABLE',
        message: expect.stringContaining('MongoDB (personal-data keys) at mongodb://parley:***@127.0.0.1:1/parley is unavailable'),
      });
      expect(response.body.message).not.toContain('secret');
    }
  });
});

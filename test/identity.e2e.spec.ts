import { ParleyHarness } from './support/parley-app';

describe('identity: registration, tokens, authentication', () => {
  let parley: ParleyHarness;
  beforeAll(async () => {
    parley = await ParleyHarness.start();
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('registers a user and answers with id, username and display name', async () => {
    const res = await parley.http().post('/v1/users').send({ username: 'alice', password: 'wonderland!', displayName: 'Alice' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: 'alice', displayName: 'Alice' });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toHaveProperty('password');
    expect(res.body).not.toHaveProperty('passwordHash');
  });

  it('refuses a taken username with 409, case-insensitively', async () => {
    await parley.http().post('/v1/users').send({ username: 'bob', password: 'builder123' }).expect(201);
    const res = await parley.http().post('/v1/users').send({ username: 'BOB', password: 'another123' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ statusCode: 409, code: 'USER.USERNAME_TAKEN' });
  });

  it('lets exactly one of 10 concurrent registrations of one username win', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        parley.http().post('/v1/users').send({ username: 'racer', password: `password-${i}` }),
      ),
    );
    const statuses = attempts.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
  });

  it('refuses bad registrations with 400 naming the field, and writes nothing', async () => {
    const before = (await parley.http().get('/health')).body.eventStore.head;
    const cases: [Record<string, unknown>, string][] = [
      [{ username: 'a', password: 'longenough' }, 'username'],
      [{ username: 'valid_name', password: 'short' }, 'password'],
      [{ username: 'valid_name2', password: 'longenough', admin: true }, 'admin'],
      [{ password: 'longenough' }, 'username'],
    ];
    for (const [body, field] of cases) {
      const res = await parley.http().post('/v1/users').send(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await parley.http().get('/health')).body.eventStore.head).toBe(before);
  });

  it('issues tokens for the password grant as JSON and as a form', async () => {
    await parley.http().post('/v1/users').send({ username: 'carol', password: 'secret-pass' }).expect(201);
    const json = await parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username: 'carol', password: 'secret-pass' });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(typeof json.body.access_token).toBe('string');
    expect(typeof json.body.refresh_token).toBe('string');
    const form = await parley
      .http()
      .post('/v1/oauth/token')
      .type('form')
      .send('grant_type=password&username=carol&password=secret-pass&client_id=windu-app');
    expect(form.status).toBe(200);
    expect(form.body.token_type).toBe('Bearer');
  });

  it('refreshes with the refresh_token grant, and refuses an access token there', async () => {
    const user = await parley.user('dave');
    const first = await parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username: user.username, password: 'correct horse battery' });
    const refreshed = await parley.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(refreshed.status).toBe(200);
    await parley.http().get('/v1/rooms').set('Authorization', `Bearer ${refreshed.body.access_token}`).expect(200);
    const wrong = await parley.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: first.body.access_token });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('AUTH.TOKEN_WRONG_TYPE');
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    await parley.user('erin');
    const wrong = await parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username: 'carol', password: 'not-it' });
    const unknown = await parley.http().post('/v1/oauth/token').send({ grant_type: 'password', username: 'nobody', password: 'whatever' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('AUTH.INVALID_CREDENTIALS');
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refuses an unknown grant type with 400', async () => {
    const res = await parley.http().post('/v1/oauth/token').send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('grant_type');
  });

  it('needs a valid Bearer token on every other endpoint', async () => {
    const none = await parley.http().get('/v1/rooms');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ statusCode: 401, code: 'AUTH.TOKEN_MISSING', message: expect.any(String) });
    const forged = await parley.http().get('/v1/rooms').set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl');
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('AUTH.TOKEN_INVALID');
    const basic = await parley.http().post('/v1/rooms').set('Authorization', 'Basic abc').send({ name: 'x', participants: [] });
    expect(basic.status).toBe(401);
  });

  it('answers unknown routes and malformed JSON with the common error body', async () => {
    const missing = await parley.http().get('/v1/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: expect.any(String), message: expect.any(String) });
    const bad = await parley.http().post('/v1/users').set('content-type', 'application/json').send('{"username": ');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, code: expect.any(String) });
  });

  it('serves OpenAPI at /docs and health at /health', async () => {
    const docs = await parley.http().get('/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/rooms', '/v1/rooms/{roomId}/comments', '/v1/oauth/token']));
    const ui = await parley.http().get('/docs');
    expect([200, 301, 302]).toContain(ui.status);
    const health = await parley.http().get('/health');
    expect(health.body.status).toBe('ok');
  });
});

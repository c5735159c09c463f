import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyHarness } from './support/parley-app';

const API_KEY = 'sign-in-limits-e2e-admin-key-0123456789abcdef';
const PASSWORD = 'correct horse battery';

const signIn = (h: ParleyHarness, username: string, password: string, from?: string) => {
  const req = h.http().post('/v1/oauth/token');
  if (from) void req.set('X-Forwarded-For', from);
  return req.send({ grant_type: 'password', username, password });
};

/** The one refusal of a locked account or address, whatever was sent. */
const expectLocked = (res: { status: number; body: unknown; headers: Record<string, string> }) => {
  expect({ status: res.status, body: res.body }).toEqual({
    status: 429,
    body: { statusCode: 429, code: 'AUTH.TOO_MANY_ATTEMPTS', message: expect.any(String) },
  });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
};

describe('sign-in attempt limits', () => {
  it('locks an account after the allowed failures: even the right password then answers 429 with Retry-After, also after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-sign-in-'));
    const env = { SIGN_IN_MAX_FAILURES: '3', SIGN_IN_ADDRESS_MAX_FAILURES: '1000' };
    let h = await ParleyHarness.start(env, dir);
    try {
      const victim = await h.user('victim');
      for (let i = 0; i < 3; i++) {
        const res = await signIn(h, victim.username, `guess ${i}`);
        expect(res.status).toBe(401);
      }
      const right = await signIn(h, victim.username, PASSWORD);
      const wrong = await signIn(h, victim.username, 'guess 4');
      expectLocked(right);
      expectLocked(wrong);
      // A locked account answers the same to the right and a wrong password.
      expect(right.body).toEqual(wrong.body);
      // Another account is not affected.
      const other = await h.user('bystander');
      await signIn(h, other.username, PASSWORD).expect(200);

      await h.stop();
      h = await ParleyHarness.start(env, dir);
      expectLocked(await signIn(h, victim.username, PASSWORD));
    } finally {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forgets an account’s failures when it signs in', async () => {
    const h = await ParleyHarness.start({ SIGN_IN_MAX_FAILURES: '3' });
    try {
      const user = await h.user('forgetful');
      await signIn(h, user.username, 'nope 1').expect(401);
      await signIn(h, user.username, 'nope 2').expect(401);
      await signIn(h, user.username, PASSWORD).expect(200);
      await signIn(h, user.username, 'nope 3').expect(401);
      await signIn(h, user.username, 'nope 4').expect(401);
      await signIn(h, user.username, PASSWORD).expect(200);
    } finally {
      await h.stop();
    }
  });

  it('locks a client address that tries many accounts, while other addresses sign in', async () => {
    const h = await ParleyHarness.start({ SIGN_IN_MAX_FAILURES: '100', SIGN_IN_ADDRESS_MAX_FAILURES: '4' });
    try {
      const user = await h.user('sprayed');
      for (let i = 0; i < 4; i++) await signIn(h, `nobody${i}`, 'spray', '198.51.100.7').expect(401);
      expectLocked(await signIn(h, user.username, PASSWORD, '198.51.100.7'));
      await signIn(h, user.username, PASSWORD, '198.51.100.8').expect(200);
    } finally {
      await h.stop();
    }
  });

  it('counts wrong phone verification codes against the account the same way', async () => {
    const h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, SIGN_IN_MAX_FAILURES: '2', VERIFICATION_MAX_ATTEMPTS: '10' });
    try {
      const phone = `+1555${String(process.pid % 1000).padStart(3, '0')}9001`;
      await h.http().post('/v1/accounts').send({ phone, nickname: 'Mace' }).expect(201);
      const codes = await h.http().get('/v1/admin/verification-codes').query({ phone }).set('X-Api-Key', API_KEY).expect(200);
      const code = codes.body.items[0].code as string;
      const wrong = code === '000000' ? '000001' : '000000';
      const verify = (c: string) => h.http().post('/v1/accounts/verify').send({ phone, code: c });
      await verify(wrong).expect(401);
      await verify(wrong).expect(401);
      expectLocked(await verify(code));
    } finally {
      await h.stop();
    }
  });
});

describe('requests without credentials, per client address', () => {
  it('answers 429 REQUEST.RATE_LIMITED with Retry-After beyond the budget, while signed-in calls go on', async () => {
    const h = await ParleyHarness.start({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW: '600' });
    try {
      // Registration and sign-in: two of the five.
      const user = await h.user('flooder');
      for (let i = 0; i < 3; i++) await h.http().get('/health').expect(200);
      const refused = await h.http().post('/v1/users').send({ username: 'one-too-many', password: PASSWORD });
      expect({ status: refused.status, body: refused.body }).toEqual({
        status: 429,
        body: { statusCode: 429, code: 'REQUEST.RATE_LIMITED', message: expect.any(String) },
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await h.http().get('/health').expect(429);
      await h.http().get('/v1/rooms').set(user.auth).expect(200);
    } finally {
      await h.stop();
    }
  });
});

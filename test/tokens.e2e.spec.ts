import { createHash, createHmac, createPublicKey, generateKeyPairSync, randomUUID, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventWriter } from '../libs/command-pipeline/event-writer';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import type { UserRemoved } from '../libs/domain/events';
import { streams } from '../libs/domain/streams';
import type { EventStore } from '../libs/event-store/event-store.port';
import { ParleyHarness } from './support/parley-app';

const PASSWORD = 'correct horse battery';

interface Pair {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
}

// ---------------------------------------------------------------- JWTs by hand

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const part = (token: string, index: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const claimsOf = (token: string) => part(token, 1);
const headerOf = (token: string) => part(token, 0);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT with any header and payload, signed by `sign` over `header.payload` (or unsigned). */
function craft(header: Record<string, unknown>, payload: Record<string, unknown>, sign: ((input: string) => Buffer) | null): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign ? sign(input).toString('base64url') : ''}`;
}
const hmac = (algorithm: 'sha256' | 'sha384', key: string | Buffer) => (input: string) =>
  createHmac(algorithm, key).update(input).digest();
const rsa = (key: KeyObject) => (input: string) => rsaSign('sha256', Buffer.from(input), key);

describe('tokens: rotation, reuse detection, revocation, signing', () => {
  let h: ParleyHarness;
  let store: EventStore;
  let secret: string;

  beforeAll(async () => {
    h = await ParleyHarness.start();
    store = h.app.get<EventStore>(EVENT_STORE);
    secret = h.config.jwtSecret;
  });
  afterAll(async () => {
    await h.stop();
  });

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  /** Types of the events written after `since` (a head read before). */
  const writtenSince = async (since: string | null): Promise<string[]> =>
    (await store.readAll({ ...(since === null ? {} : { after: BigInt(since) }), maxCount: 100 })).map((e) => e.type);
  const familyEvents = async (familyId: string) => store.readStream(streams.tokenFamily(familyId));

  const signIn = async (username: string): Promise<Pair> =>
    (await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: PASSWORD }).expect(200)).body as Pair;
  const refresh = (refreshToken: string) => h.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const rooms = (accessToken: string) => h.http().get('/v1/rooms').set('Authorization', `Bearer ${accessToken}`);
  const revoke = (body: Record<string, string>) => h.http().post('/v1/oauth/revoke').send(body);
  const newUser = async (prefix: string) => (await h.user(prefix)).username;

  it('signs in with a token family: access and refresh JWTs naming it, one TokenFamilyStarted written', async () => {
    const username = await newUser('issue');
    const before = await head();
    const res = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'user' });
    const access = claimsOf(res.body.access_token);
    const refreshClaims = claimsOf(res.body.refresh_token);
    expect(headerOf(res.body.access_token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(access).toMatchObject({ typ: 'access', scope: 'user', sid: expect.any(String), sub: expect.any(String) });
    expect(Number(access['exp']) - Number(access['iat'])).toBe(900);
    expect(refreshClaims).toMatchObject({ typ: 'refresh', sid: access['sid'], sub: access['sub'], jti: expect.any(String) });
    expect(refreshClaims).not.toHaveProperty('scope');
    expect(await writtenSince(before)).toEqual(['TokenFamilyStarted']);
    const [started] = await familyEvents(String(access['sid']));
    expect(started?.data).toMatchObject({ userId: access['sub'], tokenId: refreshClaims['jti'], grant: 'password' });
    expect(started?.metadata.actor).toBe(access['sub']);
    const session = await h.http().get('/v1/oauth/session').set('Authorization', `Bearer ${res.body.access_token}`);
    expect(session.status).toBe(200);
    expect(session.body).toEqual({ userId: access['sub'], scopes: ['user'], familyId: access['sid'] });
  });

  it('rotates the refresh token on every use: the new one works, the family stays the same', async () => {
    const first = await signIn(await newUser('rotate'));
    const before = await head();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ token_type: 'Bearer', scope: 'user' });
    expect(claimsOf(second.body.refresh_token)['sid']).toBe(claimsOf(first.refresh_token)['sid']);
    expect(claimsOf(second.body.refresh_token)['jti']).not.toBe(claimsOf(first.refresh_token)['jti']);
    expect(await writtenSince(before)).toEqual(['RefreshTokenRotated']);
    await rooms(second.body.access_token).expect(200);
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);
    // The access token of an earlier rotation stays valid until it expires: only the family can end it.
    await rooms(first.access_token).expect(200);
  });

  it('treats a used refresh token coming back as theft: 401, the whole family revoked, durably', async () => {
    const username = await newUser('reuse');
    const first = await signIn(username);
    const other = await signIn(username); // another device: its own family
    const second = (await refresh(first.refresh_token).expect(200)).body as Pair;
    const familyId = String(claimsOf(first.refresh_token)['sid']);

    const before = await head();
    const reused = await refresh(first.refresh_token);
    expect(reused.status).toBe(401);
    expect(reused.body).toEqual({ statusCode: 401, code: 'AUTH.REFRESH_TOKEN_REUSED', message: expect.any(String) });
    expect(await writtenSince(before)).toEqual(['TokenFamilyRevoked']);
    const last = (await familyEvents(familyId)).at(-1);
    expect(last?.data).toMatchObject({ reason: 'reuse', tokenId: claimsOf(first.refresh_token)['jti'], familyId });

    // Every token of the family is refused now, the current one included, and nothing more is written.
    const after = await head();
    const current = await refresh(second.refresh_token);
    expect(current.status).toBe(401);
    expect(current.body.code).toBe('AUTH.TOKEN_REVOKED');
    const again = await refresh(first.refresh_token);
    expect(again.body.code).toBe('AUTH.TOKEN_REVOKED');
    for (const access of [first.access_token, second.access_token]) {
      const res = await rooms(access);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.TOKEN_REVOKED');
    }
    expect(await head()).toBe(after);

    // The other sign-in is untouched.
    await rooms(other.access_token).expect(200);
    await refresh(other.refresh_token).expect(200);
  });

  it('lets exactly one of two simultaneous refreshes with one token win; the other counts as reuse', async () => {
    const pair = await signIn(await newUser('race'));
    const before = await head();
    const results = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    const loser = results.find((r) => r.status === 401)!;
    expect(loser.body.code).toBe('AUTH.REFRESH_TOKEN_REUSED');
    expect(await writtenSince(before)).toEqual(['RefreshTokenRotated', 'TokenFamilyRevoked']);
    // The safe reading: the winner's tokens belong to a revoked family too.
    expect((await refresh(winner.body.refresh_token)).body.code).toBe('AUTH.TOKEN_REVOKED');
    expect((await rooms(winner.body.access_token)).body.code).toBe('AUTH.TOKEN_REVOKED');
  });

  describe('POST /v1/oauth/revoke', () => {
    it('revokes a refresh token: its family, access tokens included, stops working; a second revoke writes nothing', async () => {
      const pair = await signIn(await newUser('revoke'));
      const before = await head();
      const res = await revoke({ token: pair.refresh_token, token_type_hint: 'refresh_token' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(await writtenSince(before)).toEqual(['TokenFamilyRevoked']);
      const last = (await familyEvents(String(claimsOf(pair.refresh_token)['sid']))).at(-1);
      expect(last?.data).toMatchObject({ reason: 'revoked', tokenId: claimsOf(pair.refresh_token)['jti'] });
      expect((await refresh(pair.refresh_token)).body.code).toBe('AUTH.TOKEN_REVOKED');
      expect((await rooms(pair.access_token)).body.code).toBe('AUTH.TOKEN_REVOKED');
      const after = await head();
      await revoke({ token: pair.refresh_token }).expect(200);
      expect(await head()).toBe(after);
    });

    it('revokes an access token (form-encoded, wrong hint): its sign-in ends, the refresh token with it', async () => {
      const pair = await signIn(await newUser('revacc'));
      const before = await head();
      const res = await h
        .http()
        .post('/v1/oauth/revoke')
        .type('form')
        .send(`token=${pair.access_token}&token_type_hint=refresh_token&client_id=windu-app`);
      expect(res.status).toBe(200);
      expect(await writtenSince(before)).toEqual(['TokenFamilyRevoked']);
      expect((await rooms(pair.access_token)).body.code).toBe('AUTH.TOKEN_REVOKED');
      expect((await refresh(pair.refresh_token)).body.code).toBe('AUTH.TOKEN_REVOKED');
    });

    it('answers 200 for unknown, invalid and foreign tokens and writes nothing', async () => {
      const pair = await signIn(await newUser('revunk'));
      const claims = claimsOf(pair.refresh_token);
      const before = await head();
      const tokens = [
        'not-a-token',
        craft({ alg: 'HS256', typ: 'JWT' }, { ...claims, sid: randomUUID() }, hmac('sha256', secret)), // no such family
        craft({ alg: 'HS256', typ: 'JWT' }, claims, hmac('sha256', 'another secret of at least thirty-two characters')),
        craft({ alg: 'none', typ: 'JWT' }, claims, null),
        craft({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: randomUUID() }, hmac('sha256', secret)), // someone else's family
      ];
      for (const token of tokens) {
        const res = await revoke({ token });
        expect(res.status).toBe(200);
        expect(res.text).toBe('');
      }
      expect(await head()).toBe(before);
      await rooms(pair.access_token).expect(200);
    });

    it('refuses a request without a token or with an unknown hint with 400 naming the field, and writes nothing', async () => {
      const before = await head();
      const cases: [Record<string, string>, string][] = [
        [{}, 'token'],
        [{ token: '' }, 'token'],
        [{ token: 'x', token_type_hint: 'id_token' }, 'token_type_hint'],
        [{ token: 'x', scope: 'all' }, 'scope'],
      ];
      for (const [body, field] of cases) {
        const res = await revoke(body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await head()).toBe(before);
    });
  });

  describe('tokens that are refused', () => {
    let pair: Pair;
    let access: Record<string, unknown>;
    let refreshClaims: Record<string, unknown>;
    beforeAll(async () => {
      pair = await signIn(await newUser('refused'));
      access = claimsOf(pair.access_token);
      refreshClaims = claimsOf(pair.refresh_token);
    });

    /** Sends `token` as an access token and as a refresh token; answers both codes; asserts nothing was written. */
    async function refusedBoth(token: string): Promise<[string, string]> {
      const before = await head();
      const asAccess = await rooms(token);
      const asRefresh = await refresh(token);
      expect(asAccess.status).toBe(401);
      expect(asRefresh.status).toBe(401);
      expect(await head()).toBe(before);
      return [asAccess.body.code, asRefresh.body.code];
    }

    it('refuses an expired access token and an expired refresh token with AUTH.TOKEN_EXPIRED', async () => {
      const past = { iat: nowSeconds() - 3600, exp: nowSeconds() - 60 };
      const expiredAccess = craft({ alg: 'HS256', typ: 'JWT' }, { ...access, ...past }, hmac('sha256', secret));
      const expiredRefresh = craft({ alg: 'HS256', typ: 'JWT' }, { ...refreshClaims, ...past }, hmac('sha256', secret));
      expect((await refusedBoth(expiredAccess))[0]).toBe('AUTH.TOKEN_EXPIRED');
      expect((await refusedBoth(expiredRefresh))[1]).toBe('AUTH.TOKEN_EXPIRED');
      // The same claims unexpired are accepted: it was the expiry that failed.
      const fresh = craft({ alg: 'HS256', typ: 'JWT' }, { ...access, exp: nowSeconds() + 60 }, hmac('sha256', secret));
      await rooms(fresh).expect(200);
    });

    it('refuses a forged signature, another key, another algorithm and alg none with AUTH.TOKEN_INVALID', async () => {
      const [headerPart, payloadPart, signature] = pair.access_token.split('.');
      const flipped = `${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
      const tampered = `${headerPart}.${b64({ ...access, sub: randomUUID() })}.${signature}`;
      const cases = {
        forged: `${headerPart}.${payloadPart}.${flipped}`,
        tampered,
        otherKey: craft({ alg: 'HS256', typ: 'JWT' }, access, hmac('sha256', 'another secret of at least thirty-two characters')),
        hs384: craft({ alg: 'HS384', typ: 'JWT' }, access, hmac('sha384', secret)),
        none: craft({ alg: 'none', typ: 'JWT' }, access, null),
        noneRefresh: craft({ alg: 'none', typ: 'JWT' }, refreshClaims, null),
        garbage: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      };
      for (const [name, token] of Object.entries(cases)) {
        expect([name, ...(await refusedBoth(token))]).toEqual([name, 'AUTH.TOKEN_INVALID', 'AUTH.TOKEN_INVALID']);
      }
    });

    it('refuses a validly signed token naming another user\'s sign-in, or none, with AUTH.TOKEN_INVALID', async () => {
      const stranger = claimsOf((await signIn(await newUser('stranger'))).access_token);
      const foreign = craft({ alg: 'HS256', typ: 'JWT' }, { ...access, sid: stranger['sid'] }, hmac('sha256', secret));
      const nowhere = craft({ alg: 'HS256', typ: 'JWT' }, { ...refreshClaims, sid: randomUUID() }, hmac('sha256', secret));
      expect((await refusedBoth(foreign))[0]).toBe('AUTH.TOKEN_INVALID');
      expect((await refusedBoth(nowhere))[1]).toBe('AUTH.TOKEN_INVALID');
    });

    it('refuses a refresh token as an access token and the other way round with AUTH.TOKEN_WRONG_TYPE', async () => {
      const before = await head();
      const refreshAsAccess = await rooms(pair.refresh_token);
      expect(refreshAsAccess.status).toBe(401);
      expect(refreshAsAccess.body.code).toBe('AUTH.TOKEN_WRONG_TYPE');
      const accessAsRefresh = await refresh(pair.access_token);
      expect(accessAsRefresh.status).toBe(401);
      expect(accessAsRefresh.body.code).toBe('AUTH.TOKEN_WRONG_TYPE');
      expect(await head()).toBe(before);
      // Neither refusal used anything up.
      await refresh(pair.refresh_token).expect(200);
    });

    it('refuses a refresh request without refresh_token with 400 naming it', async () => {
      const before = await head();
      const res = await h.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token' });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('refresh_token');
      expect(await head()).toBe(before);
    });
  });

  describe('accounts', () => {
    it('answers a wrong password and an unknown user alike, and writes nothing', async () => {
      const username = await newUser('creds');
      const before = await head();
      const wrong = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: 'not it at all' });
      const unknown = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username: 'nobody-here', password: PASSWORD });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('AUTH.INVALID_CREDENTIALS');
      expect(unknown.body).toEqual(wrong.body);
      expect(await head()).toBe(before);
    });

    it('refuses every token of a removed account with AUTH.ACCOUNT_REMOVED and its sign-in as wrong credentials, writing nothing', async () => {
      const username = await newUser('removed');
      const pair = await signIn(username);
      const userId = String(claimsOf(pair.access_token)['sub']);
      const removal: UserRemoved = {
        type: 'UserRemoved',
        data: { userId, reason: 'admin', feedback: null, removedBy: 'apikey:admin', removedAt: new Date().toISOString() },
      };
      // Removal itself is the accounts issue's endpoint; here its event is written as that endpoint would.
      await h.app.get(EventWriter).append(streams.user(userId), [removal], 'stream_exists', {
        actor: 'apikey:admin',
        correlationId: randomUUID(),
        causationId: randomUUID(),
      });
      const before = await head();
      const byAccess = await rooms(pair.access_token);
      expect(byAccess.status).toBe(401);
      expect(byAccess.body.code).toBe('AUTH.ACCOUNT_REMOVED');
      const byRefresh = await refresh(pair.refresh_token);
      expect(byRefresh.status).toBe(401);
      expect(byRefresh.body.code).toBe('AUTH.ACCOUNT_REMOVED');
      const byPassword = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: PASSWORD });
      const byWrongPassword = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password: 'not it at all' });
      const byStranger = await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username: 'nobody-here', password: 'not it at all' });
      // A removed account is not told apart from wrong credentials: same status, code and message.
      expect(byStranger.status).toBe(401);
      expect(byStranger.body.code).toBe('AUTH.INVALID_CREDENTIALS');
      expect({ status: byPassword.status, body: byPassword.body }).toEqual({ status: byStranger.status, body: byStranger.body });
      expect({ status: byWrongPassword.status, body: byWrongPassword.body }).toEqual({ status: byStranger.status, body: byStranger.body });
      expect(await head()).toBe(before);
    });
  });

  it('publishes no keys at /.well-known/jwks.json when tokens are signed HS256', async () => {
    const res = await h.http().get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ keys: [] });
    expect((await h.http().get('/v1/.well-known/jwks.json')).status).toBe(404);
  });
});

describe('tokens: RS256 with JWKS', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start({ JWT_ALGORITHM: 'RS256' });
  });
  afterAll(async () => {
    await h.stop();
  });

  const rooms = (token: string) => h.http().get('/v1/rooms').set('Authorization', `Bearer ${token}`);

  it('signs RS256 with a kid, publishes the key, and its tokens verify with node:crypto against the JWK', async () => {
    const user = await h.user('rsa');
    const pair = (await h.http().post('/v1/oauth/token').send({ grant_type: 'password', username: user.username, password: PASSWORD }).expect(200))
      .body as Pair;
    const jwks = await h.http().get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers['cache-control']).toContain('max-age');
    expect(jwks.body.keys).toHaveLength(1);
    const jwk = jwks.body.keys[0] as { kty: string; n: string; e: string; alg: string; use: string; kid: string };
    expect(jwk).toEqual({ kty: 'RSA', n: expect.any(String), e: 'AQAB', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    // kid is the RFC 7638 thumbprint of the key.
    const thumbprint = createHash('sha256').update(`{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`).digest('base64url');
    expect(jwk.kid).toBe(thumbprint);
    // The key published is the one configured under DATA_DIR.
    const stored = JSON.parse(readFileSync(join(h.dataDir, 'jwt-rs256.json'), 'utf8')) as { publicKeyPem: string };
    expect(createPublicKey(stored.publicKeyPem).export({ format: 'jwk' }).n).toBe(jwk.n);

    const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
    for (const token of [pair.access_token, pair.refresh_token]) {
      expect(headerOf(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: jwk.kid });
      const [header, payload, signature] = token.split('.');
      expect(rsaVerify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature!, 'base64url'))).toBe(true);
    }
    await rooms(pair.access_token).expect(200);
    const next = await h.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
    expect(next.status).toBe(200);
    expect(headerOf(next.body.refresh_token)['alg']).toBe('RS256');
  });

  it('refuses HS256 tokens (with the public key or the HS secret as key) and RS256 tokens of another key', async () => {
    const user = await h.user('rsa');
    const access = claimsOf(user.token);
    const kid = headerOf(user.token)['kid'];
    const publicPem = createPublicKey(
      (JSON.parse(readFileSync(join(h.dataDir, 'jwt-rs256.json'), 'utf8')) as { publicKeyPem: string }).publicKeyPem,
    ).export({ type: 'spki', format: 'pem' });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cases = {
      confusedWithPublicKey: craft({ alg: 'HS256', typ: 'JWT' }, access, hmac('sha256', publicPem)),
      hsSecret: craft({ alg: 'HS256', typ: 'JWT' }, access, hmac('sha256', h.config.jwtSecret)),
      otherRsaKey: craft({ alg: 'RS256', typ: 'JWT', kid }, access, rsa(stranger)),
      none: craft({ alg: 'none', typ: 'JWT' }, access, null),
    };
    const before = (await h.http().get('/health')).body.eventStore.head;
    for (const [name, token] of Object.entries(cases)) {
      const res = await rooms(token);
      expect([name, res.status, res.body.code]).toEqual([name, 401, 'AUTH.TOKEN_INVALID']);
    }
    expect((await h.http().get('/health')).body.eventStore.head).toBe(before);
    await rooms(user.token).expect(200);
  });
});

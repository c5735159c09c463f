import { generateKeyPairSync, sign } from 'node:crypto';
import { deciderSpec } from '../testing/given-when-then';
import type { ApplicationEvent } from '../events';
import { applicationDecider, type ApplicationCommand, type ApplicationState } from './application.decider';
import { aclAllows, readApplicationToken, verifyApplicationToken } from './application-token';
import { DomainError } from '../errors';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const NOW = '2026-01-01T00:00:00.000Z';
const APP = 'app-1';
const { given } = deciderSpec<ApplicationCommand, ApplicationEvent, ApplicationState>(applicationDecider);

const register = (fields: Partial<Extract<ApplicationCommand, { type: 'RegisterApplication' }>> = {}): ApplicationCommand => ({
  type: 'RegisterApplication',
  applicationId: APP,
  name: 'Chat app',
  publicKey: PEM,
  keyGenerated: false,
  actor: 'apikey:k',
  now: NOW,
  ...fields,
});
const registered: ApplicationEvent = {
  type: 'ApplicationRegistered',
  data: { applicationId: APP, name: 'Chat app', publicKey: PEM, keyGenerated: false, registeredBy: 'apikey:k', registeredAt: NOW },
};

describe('application decider', () => {
  it('registers an application with its RS256 public key', () => {
    given([]).when(register()).then([registered]);
  });
  it('refuses a key that is not an RSA public key, naming publicKey', () => {
    const { publicKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const error = given([]).when(register({ publicKey: ec.export({ type: 'spki', format: 'pem' }).toString() })).thenThrows('APPLICATION.INVALID', 'validation');
    expect(error.details).toEqual([{ field: 'publicKey', reason: 'must be an RSA public key (RS256)' }]);
    given([]).when(register({ publicKey: 'not a key' })).thenThrows('APPLICATION.INVALID', 'validation');
  });
  it('refuses an empty name and a second registration of the same id', () => {
    given([]).when(register({ name: '  ' })).thenThrows('APPLICATION.INVALID', 'validation');
    given([registered]).when(register()).thenThrows('APPLICATION.ALREADY_EXISTS', 'conflict');
  });
  it('removes once; an unknown application is a 404', () => {
    const remove: ApplicationCommand = { type: 'RemoveApplication', actor: 'apikey:k', now: NOW };
    const removed: ApplicationEvent = { type: 'ApplicationRemoved', data: { applicationId: APP, removedBy: 'apikey:k', removedAt: NOW } };
    given([registered]).when(remove).then([removed]);
    given([registered, removed]).when(remove).then([]);
    given([]).when(remove).thenThrows('APPLICATION.NOT_FOUND', 'not_found');
  });
});

const jwt = (payload: Record<string, unknown>, key = privateKey, alg = 'RS256'): string => {
  const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key).toString('base64url');
  return `${head}.${body}.${signature}`;
};
const code = (run: () => unknown): string => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.code;
  }
};

describe('application tokens', () => {
  const now = 1_800_000_000;
  it('accepts a signed token and defaults its life to 15 minutes after iat', () => {
    const claims = verifyApplicationToken(jwt({ application_id: APP, iat: now, jti: 'j1', sub: 'alice' }), PEM, now + 10);
    expect(claims).toEqual({ applicationId: APP, issuedAt: now, expiresAt: now + 900, jti: 'j1', sub: 'alice', acl: null });
    expect(code(() => verifyApplicationToken(jwt({ application_id: APP, iat: now, jti: 'j1' }), PEM, now + 900))).toBe('APPLICATION.TOKEN_EXPIRED');
  });
  it('refuses another key, a missing jti or iat, an expired exp, and lives longer than a day', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(code(() => verifyApplicationToken(jwt({ application_id: APP, iat: now, jti: 'j' }, other), PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
    expect(code(() => verifyApplicationToken(jwt({ application_id: APP, iat: now }), PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
    expect(code(() => verifyApplicationToken(jwt({ application_id: APP, jti: 'j' }), PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
    expect(code(() => verifyApplicationToken(jwt({ application_id: APP, iat: now - 100, exp: now - 1, jti: 'j' }), PEM, now))).toBe('APPLICATION.TOKEN_EXPIRED');
    expect(code(() => verifyApplicationToken(jwt({ application_id: APP, iat: now, exp: now + 90_000, jti: 'j' }), PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
  });
  it('reads an application token once, without trusting it, and refuses a bad header or signature', () => {
    const token = jwt({ application_id: APP, iat: now, jti: 'j2' });
    const read = readApplicationToken(token);
    expect(read).toMatchObject({ applicationId: APP, payload: { jti: 'j2' } });
    expect(verifyApplicationToken(read!, PEM, now)).toMatchObject({ jti: 'j2' });
    // Parley's own tokens and anything else are not an application's: the guard passes them on.
    expect(readApplicationToken(jwt({ sub: 'someone', iat: now }))).toBeNull();
    expect(readApplicationToken('a.b')).toBeNull();
    expect(readApplicationToken(`${token}.x`)).toBeNull();
    const [head, body] = token.split('.');
    expect(code(() => verifyApplicationToken(`${head}.${body}.not*base64`, PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
    expect(code(() => verifyApplicationToken(`${head}.${body}.`, PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
    expect(code(() => verifyApplicationToken(jwt({ application_id: APP, iat: now, jti: 'j' }, privateKey, 'HS256'), PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
    expect(code(() => verifyApplicationToken('not-a-jwt', PEM, now))).toBe('APPLICATION.TOKEN_INVALID');
  });
  it('matches acl paths: ** any rest, * one segment', () => {
    const acl = ['/*/users/**', '/v1/conversations/**'];
    expect(aclAllows(acl, '/v1/users')).toBe(true);
    expect(aclAllows(acl, '/v1/users/USR-1')).toBe(true);
    expect(aclAllows(acl, '/v1/conversations/CON-1/events')).toBe(true);
    expect(aclAllows(acl, '/v1/sessions/x')).toBe(false);
    expect(aclAllows(acl, '/beta/conversations')).toBe(false);
    expect(aclAllows(null, '/anything')).toBe(true);
  });
});

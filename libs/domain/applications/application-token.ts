import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { forbidden, unauthenticated } from '../errors';

/**
 * An application's own RS256 token (the Vonage/Nexmo scheme): claims
 * `application_id`, `iat`, `jti`, optional `exp`, `sub` (act as that user of
 * the application) and `acl.paths` (what it may call).
 */
export interface ApplicationClaims {
  readonly applicationId: string;
  readonly issuedAt: number;
  /** Seconds since the epoch: `exp`, or `iat` + 15 minutes when the token names none. */
  readonly expiresAt: number;
  readonly jti: string;
  readonly sub: string | null;
  /** Path patterns; null when the token names none (every path). */
  readonly acl: readonly string[] | null;
}

/** A token without `exp` is good for 15 minutes after `iat`, as the Nexmo reference says. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 15 * 60;
/** A longer life would make the memory of used `jti`s unbounded in time; a day covers every client library's default. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** Clocks of the application and Parley may disagree this much. */
export const CLOCK_SKEW_SECONDS = 60;

const invalid = (message: string) => unauthenticated('APPLICATION.TOKEN_INVALID', message);

function decodePart(part: string | undefined, what: string): Record<string, unknown> {
  if (part === undefined || !/^[A-Za-z0-9_-]*$/.test(part)) throw invalid(`The token's ${what} is not base64url`);
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw invalid(`The token's ${what} is not a JSON object`);
  }
}

/** A token that names `application_id`, decoded once and not yet trusted. */
export interface UnverifiedApplicationToken {
  readonly applicationId: string;
  /** `header.payload` as sent: what the signature covers. */
  readonly signingInput: string;
  readonly encodedHeader: string;
  readonly payload: Record<string, unknown>;
  readonly signature: string;
}

/** Decodes a token that must be an application's, naming what is wrong with it (401). */
function decodeApplicationToken(token: string): UnverifiedApplicationToken {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw invalid('The token is not a JWT (header.payload.signature)');
  const payload = decodePart(token.slice(first + 1, second), 'payload');
  const applicationId = payload['application_id'];
  if (typeof applicationId !== 'string') throw invalid('The token has no application_id');
  return { applicationId, signingInput: token.slice(0, second), encodedHeader: token.slice(0, first), payload, signature: token.slice(second + 1) };
}

/**
 * Whether a bearer token is an application's (its payload names
 * `application_id`), decoded without trusting it yet: null for any other
 * token. The decoded token is what `verifyApplicationToken` checks, so the
 * payload is parsed once per request.
 */
export function readApplicationToken(token: string): UnverifiedApplicationToken | null {
  try {
    return decodeApplicationToken(token);
  } catch {
    return null;
  }
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** RS256, checked on the calling thread: on the thread pool it measured slower (the hop costs more than the check). */
function signatureHolds(signingInput: string, publicKey: KeyObject, signature: string): boolean {
  return verify('RSA-SHA256', Buffer.from(signingInput), publicKey, Buffer.from(signature, 'base64url'));
}

/**
 * Checks the signature with the application's public key (a PEM, or the key
 * already parsed, as the token guard keeps it) and the claims at
 * `nowSeconds`; answers the claims or throws 401 naming what is wrong. Whether
 * the `jti` was used before is asked by the caller, who keeps that memory.
 */
export function verifyApplicationToken(token: string | UnverifiedApplicationToken, publicKey: string | KeyObject, nowSeconds: number): ApplicationClaims {
  const read = typeof token === 'string' ? decodeApplicationToken(token) : token;
  const header = decodePart(read.encodedHeader, 'header');
  if (header['alg'] !== 'RS256') throw invalid('The token must be signed with RS256');
  if (!/^[A-Za-z0-9_-]*$/.test(read.signature)) throw invalid('The token’s signature is not base64url');
  let signed: boolean;
  try {
    signed = signatureHolds(read.signingInput, typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey, read.signature);
  } catch {
    signed = false;
  }
  if (!signed) throw invalid('The token is not signed with the application’s key');
  const payload = read.payload;
  const applicationId = read.applicationId;
  const iat = payload['iat'];
  const jti = payload['jti'];
  if (!isInteger(iat)) throw invalid('The token needs iat, in seconds since the epoch');
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 200) throw invalid('The token needs a jti of 1 to 200 characters');
  const exp = payload['exp'];
  if (exp !== undefined && !isInteger(exp)) throw invalid('The token’s exp must be seconds since the epoch');
  const expiresAt = exp ?? iat + DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS) throw invalid('The token is issued in the future (iat)');
  if (expiresAt - iat > MAX_TOKEN_LIFETIME_SECONDS) throw invalid('The token may live at most 24 hours after iat');
  if (expiresAt <= nowSeconds) throw unauthenticated('APPLICATION.TOKEN_EXPIRED', 'The token has expired');
  const sub = payload['sub'];
  if (sub !== undefined && (typeof sub !== 'string' || sub.length === 0)) throw invalid('The token’s sub must be a user name');
  return { applicationId, issuedAt: iat, expiresAt, jti, sub: sub ?? null, acl: aclPaths(payload['acl']) };
}

function aclPaths(acl: unknown): readonly string[] | null {
  if (acl === undefined) return null;
  const paths = (acl as { paths?: unknown } | null)?.paths;
  if (paths === null || typeof paths !== 'object' || Array.isArray(paths)) throw invalid('The token’s acl must be { paths: { "<pattern>": {} } }');
  return Object.keys(paths);
}

/** `**` matches any rest of a path, `*` one segment (or any text within one). */
function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') {
      source += '[^/]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** Whether the token's acl lets it call `path` (the surface's own path, without query). */
export function aclAllows(acl: readonly string[] | null, path: string): boolean {
  if (acl === null) return true;
  return acl.some((pattern) => patternToRegExp(pattern).test(path) || patternToRegExp(pattern).test(`${path}/`));
}

export function assertAclAllows(acl: readonly string[] | null, path: string): void {
  if (!aclAllows(acl, path)) throw forbidden('APPLICATION.ACL_DENIED', `The token's acl does not cover ${path}`);
}

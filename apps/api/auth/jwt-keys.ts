import type { JwtModuleOptions } from '@nestjs/jwt';
import { createHash, createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { JwtSigning } from '../../../libs/config/config';

/** One public signing key as `GET /.well-known/jwks.json` publishes it (RFC 7517). */
export interface PublishedJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly kid: string;
}

export interface JwtKeys {
  /** The one algorithm tokens are signed with and the only one verification accepts. */
  readonly algorithm: JwtSigning['algorithm'];
  readonly signingKey: KeyObject;
  readonly verificationKey: KeyObject;
  /** RS256: the key's RFC 7638 thumbprint, sent as the `kid` header. */
  readonly kid: string | null;
  readonly jwks: { readonly keys: readonly PublishedJwk[] };
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function rsaThumbprint(jwk: { readonly e: string; readonly n: string }): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

const cache = new WeakMap<JwtSigning, JwtKeys>();

/**
 * Key objects made once: jsonwebtoken otherwise parses a string key on every
 * call (for HS256 it tries the secret as a PEM key first, 1.5 ms a request).
 */
export function jwtKeys(signing: JwtSigning): JwtKeys {
  const known = cache.get(signing);
  if (known) return known;
  let keys: JwtKeys;
  if (signing.algorithm === 'HS256') {
    const secret = createSecretKey(Buffer.from(signing.secret, 'utf8'));
    keys = { algorithm: 'HS256', signingKey: secret, verificationKey: secret, kid: null, jwks: { keys: [] } };
  } else {
    const publicKey = createPublicKey(signing.publicKeyPem);
    const jwk = publicKey.export({ format: 'jwk' });
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
      throw new Error('JWT_PUBLIC_KEY_FILE must hold an RSA public key for RS256');
    }
    const privateKey = createPrivateKey(signing.privateKeyPem);
    if (createPublicKey(privateKey).export({ format: 'jwk' }).n !== jwk.n) {
      throw new Error('JWT_PRIVATE_KEY_FILE and JWT_PUBLIC_KEY_FILE do not hold the two halves of one key pair');
    }
    const kid = rsaThumbprint({ e: jwk.e, n: jwk.n });
    keys = {
      algorithm: 'RS256',
      signingKey: privateKey,
      verificationKey: publicKey,
      kid,
      jwks: { keys: [{ kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', use: 'sig', kid }] },
    };
  }
  cache.set(signing, keys);
  return keys;
}

/** JwtModule's options for the configured signing, with the algorithm pinned both ways. */
export function jwtModuleOptions(signing: JwtSigning): JwtModuleOptions {
  const keys = jwtKeys(signing);
  const verifyOptions = { algorithms: [keys.algorithm] };
  return keys.algorithm === 'HS256'
    ? { secret: keys.signingKey, signOptions: { algorithm: 'HS256' }, verifyOptions }
    : {
        privateKey: keys.signingKey,
        publicKey: keys.verificationKey,
        signOptions: { algorithm: 'RS256', ...(keys.kid ? { keyid: keys.kid } : {}) },
        verifyOptions,
      };
}

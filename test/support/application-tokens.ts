import { randomUUID, sign } from 'node:crypto';

/** Signs an application token as a Vonage/Nexmo application does (RS256), with the claims given. */
export function applicationToken(
  applicationId: string,
  privateKeyPem: string,
  claims: { readonly sub?: string; readonly acl?: unknown; readonly iat?: number; readonly exp?: number; readonly jti?: string } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ application_id: applicationId, iat: claims.iat ?? now, jti: claims.jti ?? randomUUID(), ...claims }),
  ).toString('base64url');
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKeyPem).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

import { randomUUID, sign } from 'node:crypto';
import { ParleyHarness } from './parley-app';

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

/** Registers an application through the admin API with a key pair Parley generates: its id and the private key (answered once). */
export async function registerApplication(parley: ParleyHarness, apiKey: string, name: string): Promise<{ readonly id: string; readonly privateKey: string }> {
  const created = await parley.http().post('/v1/admin/applications').set('X-Api-Key', apiKey).send({ name }).expect(201);
  return { id: created.body.id as string, privateKey: created.body.privateKey as string };
}

/** A Parley started for the describe block it is called in, with one application registered and a socket listening. */
export interface ApplicationFixture {
  readonly parley: ParleyHarness;
  readonly appId: string;
  readonly privateKey: string;
  /** The listening socket's base URL. */
  readonly base: string;
}

/** Starts Parley (ADMIN_API_KEY set) before the block's tests, registers `name`, listens; stops it after them. */
export function applicationFixture(apiKey: string, name: string): ApplicationFixture {
  const fixture = {} as { parley: ParleyHarness; appId: string; privateKey: string; base: string };
  beforeAll(async () => {
    fixture.parley = await ParleyHarness.start({ ADMIN_API_KEY: apiKey });
    ({ id: fixture.appId, privateKey: fixture.privateKey } = await registerApplication(fixture.parley, apiKey, name));
    fixture.base = await fixture.parley.listen();
  });
  afterAll(async () => {
    await fixture.parley.stop();
  });
  return fixture;
}

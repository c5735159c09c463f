import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryRefusedError, guardedPost, type Resolver } from './guarded-post';

describe('guarded webhook POST', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(`${request.headers.host} ${request.url}`);
      response.statusCode = 204;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => received.splice(0));

  /** Stands in for DNS: every name resolves to these addresses. */
  const resolvingTo =
    (...addresses: string[]): Resolver =>
    () =>
      Promise.resolve(addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })));
  const post = (url: string, allowPrivateNetworks: boolean, resolve?: Resolver) =>
    guardedPost({
      url,
      body: '{}',
      headers: { 'content-type': 'application/json' },
      signal: new AbortController().signal,
      allowPrivateNetworks,
      ...(resolve ? { resolve } : {}),
    });

  it('refuses a name that resolves to a loopback address, and sends nothing', async () => {
    const refusal = post(`http://hooks.example.com:${port}/hook`, false, resolvingTo('127.0.0.1'));
    await expect(refusal).rejects.toBeInstanceOf(DeliveryRefusedError);
    await expect(refusal).rejects.toThrow(/hooks\.example\.com resolves to 127\.0\.0\.1, a loopback address/);
    expect(received).toEqual([]);
  });

  it('refuses a name when any of its addresses is private (a public one beside it does not help)', async () => {
    await expect(post(`http://hooks.example.com:${port}/`, false, resolvingTo('93.184.216.34', '10.0.0.7'))).rejects.toThrow(
      /10\.0\.0\.7, a private/,
    );
    await expect(post(`http://hooks.example.com:${port}/`, false, resolvingTo('::ffff:169.254.169.254'))).rejects.toThrow(/link-local/);
    expect(received).toEqual([]);
  });

  it('refuses literal private addresses and localhost without resolving anything', async () => {
    const never: Resolver = () => Promise.reject(new Error('no lookup expected'));
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::1]:${port}/`, 'http://169.254.169.254/']) {
      await expect(post(url, false, never)).rejects.toBeInstanceOf(DeliveryRefusedError);
    }
    expect(received).toEqual([]);
  });

  it('connects to the address it resolved and checked, keeping the name as Host', async () => {
    // Allowed here, so the loopback receiver stands in for a public one: what matters is where the socket went.
    await expect(post(`http://hooks.example.com:${port}/hook`, true, resolvingTo('127.0.0.1'))).resolves.toBe(204);
    expect(received).toEqual([`hooks.example.com:${port} /hook`]);
  });
});

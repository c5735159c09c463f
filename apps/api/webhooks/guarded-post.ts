import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressProblem, hostProblem, isIpLiteral } from '../../../libs/domain/webhooks/network-address';

/** A delivery Parley will not make: the target is, or resolves to, an address outside the public internet. */
export class DeliveryRefusedError extends Error {
  constructor(reason: string) {
    super(`refused, not sent: ${reason} (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`);
    this.name = 'DeliveryRefusedError';
  }
}

/** Every address a name resolves to (as `dns.lookup` with `all`: /etc/hosts included). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

export interface GuardedPost {
  readonly url: string;
  readonly body: string;
  readonly headers: OutgoingHttpHeaders;
  readonly signal: AbortSignal;
  readonly allowPrivateNetworks: boolean;
  readonly resolve?: Resolver;
}

/**
 * POSTs and answers the receiver's status. Unless private networks are
 * allowed, the host is judged before anything is sent: a literal address
 * directly, a name after resolution, and the connection goes to the very
 * address that was checked (the resolver runs inside the socket's lookup), so
 * a name that answers differently a moment later (DNS rebinding) gains
 * nothing. A name with any non-public address is refused as a whole.
 */
export function guardedPost(options: GuardedPost): Promise<number> {
  const url = new URL(options.url);
  const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!options.allowPrivateNetworks) {
    const literal = hostProblem(url.hostname);
    if (literal) return Promise.reject(new DeliveryRefusedError(`${url.hostname} is ${literal}`));
  }
  const resolve = options.resolve ?? systemResolver;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (found) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const addresses = family === 0 ? found : found.filter((a) => a.family === family);
        if (addresses.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (!options.allowPrivateNetworks) {
          for (const { address } of addresses) {
            const problem = addressProblem(address);
            if (problem) {
              callback(new DeliveryRefusedError(`${hostname} resolves to ${address}, ${problem}`), '', 0);
              return;
            }
          }
        }
        // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
        if (lookupOptions.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((done, fail) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
        // No pooled socket: each delivery connects to an address checked for it.
        agent: false,
        ...(isIpLiteral(bare) ? {} : { lookup }),
        signal: options.signal,
      },
      (response) => {
        done(response.statusCode ?? 0);
        response.on('error', () => undefined);
        response.resume();
      },
    );
    request.on('error', (error) => {
      const reason: unknown = options.signal.aborted ? options.signal.reason : undefined;
      fail(reason instanceof Error ? reason : error);
    });
    request.end(options.body);
  });
}

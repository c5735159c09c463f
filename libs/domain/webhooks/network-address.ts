/**
 * Which network addresses a webhook may be delivered to. Without this, a
 * webhook is a way to make Parley POST into its own network: the loopback
 * interface, private ranges, the cloud metadata service at 169.254.169.254.
 * Pure: the delivery worker resolves names and asks here about each address;
 * the decider asks about the literal host of a URL.
 */

interface Range {
  readonly base: bigint;
  readonly bits: number;
  readonly what: string;
}

const V4_RANGES: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private (RFC 1918) address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT (RFC 6598) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'a private (RFC 1918) address'],
  ['192.0.0.0', 24, 'an IETF protocol assignment address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.168.0.0', 16, 'a private (RFC 1918) address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved or broadcast address'],
];

const V6_RANGES: readonly (readonly [string, number, string])[] = [
  ['::', 128, 'the unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['fc00::', 7, 'a unique-local address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['100::', 64, 'a discard-only address'],
];

/** IPv6 prefixes that carry an IPv4 address in their last 32 bits: judged by that address. */
const V4_CARRIERS: readonly (readonly [string, number])[] = [
  ['::ffff:0:0', 96], // IPv4-mapped
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local-use NAT64
];

export function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

export function parseIpv6(text: string): bigint | null {
  let rest = text.toLowerCase();
  const zone = rest.indexOf('%');
  if (zone >= 0) rest = rest.slice(0, zone);
  // An embedded dotted IPv4 (::ffff:127.0.0.1) stands for the last two groups.
  const lastColon = rest.lastIndexOf(':');
  if (rest.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(rest.slice(lastColon + 1));
    if (v4 === null) return null;
    rest = `${rest.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string | undefined): bigint[] | null => {
    if (half === undefined || half === '') return [];
    const out: bigint[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
      out.push(BigInt(parseInt(group, 16)));
    }
    return out;
  };
  const head = groups(halves[0]);
  const after = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || after === null) return null;
  const known = head.length + after.length;
  if (halves.length === 1 && known !== 8) return null;
  if (halves.length === 2 && known > 7) return null;
  const all = [...head, ...Array<bigint>(8 - known).fill(0n), ...after];
  return all.reduce((value, group) => (value << 16n) | group, 0n);
}

const ranges = (list: readonly (readonly [string, number, string])[], parse: (t: string) => bigint | null): Range[] =>
  list.map(([text, bits, what]) => ({ base: parse(text)!, bits, what }));
const V4 = ranges(V4_RANGES, parseIpv4);
const V6 = ranges(V6_RANGES, parseIpv6);
const CARRIERS = V4_CARRIERS.map(([text, bits]) => ({ base: parseIpv6(text)!, bits }));

const within = (value: bigint, width: number, base: bigint, bits: number): boolean =>
  value >> BigInt(width - bits) === base >> BigInt(width - bits);

function v4Problem(value: bigint): string | null {
  return V4.find((range) => within(value, 32, range.base, range.bits))?.what ?? null;
}

function v6Problem(value: bigint): string | null {
  const own = V6.find((range) => within(value, 128, range.base, range.bits));
  if (own) return own.what;
  if (CARRIERS.some((carrier) => within(value, 128, carrier.base, carrier.bits))) {
    const inner = v4Problem(value & 0xffffffffn);
    return inner ? `${inner} (as IPv6)` : null;
  }
  return null;
}

/**
 * Why Parley must not deliver to this IP address (IPv4 dotted or IPv6, with
 * or without brackets), or null when it is a public address. Null as well
 * for text that is no IP address: that is a name, judged by `hostProblem`.
 */
export function addressProblem(text: string): string | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4 !== null) return v4Problem(v4);
  const v6 = bare.includes(':') ? parseIpv6(bare) : null;
  if (v6 !== null) return v6Problem(v6);
  return null;
}

/** Whether the text is an IPv4 or IPv6 literal. */
export const isIpLiteral = (text: string): boolean => {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIpv4(bare) !== null || (bare.includes(':') && parseIpv6(bare) !== null);
};

/**
 * Why a URL's host (as WHATWG URL normalises it: IPv4 in dotted form, IPv6
 * in brackets) must not be delivered to, judged without DNS: private
 * literals, and `localhost` names (RFC 6761). A name that resolves to a
 * private address is caught at delivery, after resolution.
 */
export function hostProblem(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback name';
  return addressProblem(host);
}

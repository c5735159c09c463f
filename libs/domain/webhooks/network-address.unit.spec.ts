import { addressProblem, hostProblem, parseIpv6 } from './network-address';

describe('network addresses a webhook may reach', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:a9fe:a9fe]', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(addressProblem(address)).toContain(kind);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001::200e'])(
    'lets the public address %s through',
    (address) => {
      expect(addressProblem(address)).toBeNull();
    },
  );

  it('judges names without DNS only when they are localhost names', () => {
    expect(hostProblem('localhost')).toContain('loopback');
    expect(hostProblem('api.LOCALHOST.')).toContain('loopback');
    expect(hostProblem('hooks.example.com')).toBeNull();
    expect(hostProblem('[fd00::1]')).toContain('unique-local');
  });

  it('reads IPv6 in every written form and rejects what is not one', () => {
    expect(parseIpv6('::ffff:127.0.0.1')).toBe(parseIpv6('0:0:0:0:0:ffff:7f00:1'));
    expect(parseIpv6('1::')).toBe(1n << 112n);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '::ffff:300.0.0.1', '1:2:3:4:5:6:7']) {
      expect(parseIpv6(bad)).toBeNull();
    }
  });
});

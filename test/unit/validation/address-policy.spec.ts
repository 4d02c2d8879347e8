import { AcmeError } from '../../../src/domain/errors';
import { addressRangeOf, assertAddressAllowed, assertAddressesAllowed, isAddressAllowed } from '../../../src/validation/address-policy';

describe('address policy', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2002:c000:204::1', '6to4'],
    ['2001:0:4136:e378::1', 'teredo'],
    ['100::1', 'discard'],
    ['64:ff9b:1::a00:1', 'localNat64'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
  ])('%s (%s) is refused by default and allowed for labs', (address, range) => {
    expect(addressRangeOf(address)).toBe(range);
    expect(isAddressAllowed(address, false)).toBe(false);
    expect(() => assertAddressAllowed(address, 'example.com', false)).toThrow(AcmeError);
    expect(isAddressAllowed(address, true)).toBe(true);
    expect(() => assertAddressAllowed(address, 'example.com', true)).not.toThrow();
  });

  test.each([
    '93.184.216.34',
    '8.8.8.8',
    '100.63.255.255', // just below carrier-grade NAT
    '100.128.0.0', // just above it
    '172.32.0.1', // just above 172.16.0.0/12
    '2606:2800:220:1:248:1893:25c8:1946',
    '2a00:1450:4001:82b::200e',
    '::ffff:93.184.216.34', // IPv4-mapped public address: the socket goes to the public address
    '64:ff9b::5db8:d822', // NAT64 of 93.184.216.34, how an IPv6-only CA reaches IPv4 hosts
  ])('%s (public) is allowed', (address) => {
    expect(isAddressAllowed(address, false)).toBe(true);
    expect(() => assertAddressAllowed(address, 'example.com', false)).not.toThrow();
  });

  test('a refusal is a connection problem naming the host, the address and its range', () => {
    const e = catchProblem(() => assertAddressAllowed('::ffff:127.0.0.1', 'example.com', false));
    expect(e.type).toBe('connection');
    expect(e.detail).toBe('example.com resolves to ::ffff:127.0.0.1 (IPv4-mapped loopback range), an address this CA does not connect to');
  });

  test('one refused address among public ones refuses the name', () => {
    const e = catchProblem(() => assertAddressesAllowed(['93.184.216.34', '10.0.0.5'], 'mixed.example', false));
    expect(e.detail).toMatch(/^mixed\.example resolves to 10\.0\.0\.5 \(private range\)/);
  });

  test('something that is not an IP address is never allowed', () => {
    expect(isAddressAllowed('example.com', false)).toBe(false);
    expect(isAddressAllowed('example.com', true)).toBe(false);
    expect(catchProblem(() => assertAddressAllowed('1.2.3', 'h.example', false)).detail).toMatch(/not an IP address/);
  });
});

function catchProblem(fn: () => void): AcmeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AcmeError);
    return e as AcmeError;
  }
  throw new Error('expected a problem');
}

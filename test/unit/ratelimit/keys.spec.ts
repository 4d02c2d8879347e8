import { addressMatcher, canonicalAddress, ipv6Prefix48, nameSetKey, registeredDomain, registeredDomains } from '../../../src/ratelimit/keys';

describe('rate-limit keys', () => {
  test('registered domains come from the public suffix list', () => {
    expect(registeredDomain('www.example.co.uk')).toBe('example.co.uk');
    expect(registeredDomain('a.b.example.com')).toBe('example.com');
    expect(registeredDomain('*.example.org')).toBe('example.org');
    expect(registeredDomain('Foo.GitHub.io')).toBe('foo.github.io'); // a private suffix counts
    expect(registeredDomain('localhost')).toBe('localhost');
    expect(registeredDomains(['a.example.com', 'b.example.com', 'example.net'])).toEqual(['example.com', 'example.net']);
  });

  test('IPv6 addresses group by /48; IPv4-mapped addresses count as IPv4', () => {
    expect(ipv6Prefix48(canonicalAddress('2001:db8:1:2::5')!)).toBe('2001:db8:1::/48');
    expect(ipv6Prefix48(canonicalAddress('192.0.2.1')!)).toBeNull();
    expect(canonicalAddress('::ffff:192.0.2.1')!.toString()).toBe('192.0.2.1');
    expect(canonicalAddress('not an ip')).toBeNull();
  });

  test('the same set of names has one key whatever the order and case', () => {
    expect(nameSetKey(['b.example.com', 'A.example.com'])).toBe(nameSetKey(['a.example.com', 'b.example.com', 'a.example.com']));
    expect(nameSetKey(['a.example.com'])).not.toBe(nameSetKey(['a.example.com', 'b.example.com']));
  });

  test('the allow-list matches addresses and CIDRs of either family', () => {
    const allowed = addressMatcher(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    expect(allowed('10.1.2.3')).toBe(true);
    expect(allowed('::ffff:10.1.2.3')).toBe(true);
    expect(allowed('192.0.2.7')).toBe(true);
    expect(allowed('192.0.2.8')).toBe(false);
    expect(allowed('2001:db8:5::1')).toBe(true);
    expect(allowed('127.0.0.1')).toBe(false);
    expect(allowed(undefined)).toBe(false);
    expect(addressMatcher([])('127.0.0.1')).toBe(false);
  });
});

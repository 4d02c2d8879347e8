import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AcmeError } from '../domain/errors';

/**
 * Where validation may connect. A CA that fetches URLs chosen by its subscribers must not be
 * turned against its own network, so only globally routable unicast addresses are allowed:
 * loopback, private (RFC 1918, ULA fc00::/7), link-local, unspecified, multicast, broadcast,
 * carrier-grade NAT (100.64.0.0/10), reserved, benchmarking, documentation and the IPv6
 * transition ranges are refused, unless allowPrivateNetworks is set (tests and labs).
 *
 * Addresses that carry an IPv4 address are judged by that address: IPv4-mapped (::ffff:0:0/96)
 * because the socket really goes to the embedded IPv4 address, and the well-known NAT64 prefix
 * (64:ff9b::/96) because an IPv6-only CA reaches the IPv4 world through it and a NAT64 gateway
 * would otherwise relay to internal IPv4 addresses.
 *
 * A refusal is a `connection` problem, as Boulder reports failures to reach an address, and not
 * `rejectedIdentifier`: the identifier itself is acceptable (the order was created for it); it is
 * where its DNS points right now that this CA will not go. Once the subscriber fixes the records
 * a new validation can succeed, which is what `connection` tells a client.
 */

/** ipaddr.js ranges that are reachable across the Internet. */
const ROUTABLE_RANGES = new Set(['unicast', 'as112', 'amt', 'as112v6']);

/** Narrower names than ipaddr.js gives, so a refusal says what the address is. */
const NAMED_RANGES: Record<string, Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>> = {
  documentation: [
    ipaddr.parseCIDR('192.0.2.0/24'),
    ipaddr.parseCIDR('198.51.100.0/24'),
    ipaddr.parseCIDR('203.0.113.0/24'),
    ipaddr.parseCIDR('2001:db8::/32'),
    ipaddr.parseCIDR('3fff::/20'),
  ],
  benchmarking: [ipaddr.parseCIDR('198.18.0.0/15')],
  nat64: [ipaddr.parseCIDR('64:ff9b::/96')],
  localNat64: [ipaddr.parseCIDR('64:ff9b:1::/48')],
};

export interface AddressClassification {
  /** The address judged (the embedded IPv4 address for IPv4-mapped and NAT64 addresses). */
  judged: string;
  /** ipaddr.js range name, or a narrower one of NAMED_RANGES; "invalid" for an unparsable string. */
  range: string;
  /** Prefix shown in details: "IPv4-mapped " or "NAT64 " for embedded addresses. */
  via: string;
  routable: boolean;
}

/** Only the plain forms count as addresses (ipaddr.js also reads legacy ones like "127.1"). */
function isPlainAddress(address: string): boolean {
  return isIP(address) !== 0;
}

export function classifyAddress(address: string): AddressClassification {
  if (!isPlainAddress(address)) return { judged: address, range: 'invalid', via: '', routable: false };
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return { ...classifyAddress(v6.toIPv4Address().toString()), via: 'IPv4-mapped ' };
    if (v6.match(NAMED_RANGES.nat64[0])) {
      const embedded = ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString();
      return { ...classifyAddress(embedded), via: 'NAT64 ' };
    }
  }
  const named = ipaddr.subnetMatch(parsed, NAMED_RANGES, '');
  const range = named || parsed.range();
  return { judged: parsed.toString(), range, via: '', routable: ROUTABLE_RANGES.has(range) };
}

/** The range name of an address (IPv4-mapped and NAT64 addresses: that of the embedded address). */
export function addressRangeOf(address: string): string {
  return classifyAddress(address).range;
}

export function isAddressAllowed(address: string, allowPrivateNetworks: boolean): boolean {
  return allowPrivateNetworks ? isPlainAddress(address) : classifyAddress(address).routable;
}

/** Throws a `connection` problem naming the address when validation may not connect to it. */
export function assertAddressAllowed(address: string, hostname: string, allowPrivateNetworks: boolean): void {
  if (isAddressAllowed(address, allowPrivateNetworks)) return;
  const c = classifyAddress(address);
  const what = c.range === 'invalid' ? 'not an IP address' : `${c.via}${c.range} range`;
  // `addressPolicy` tells the caller that trying again cannot help (unlike a refused connection).
  throw new AcmeError('connection', `${hostname} resolves to ${address} (${what}), an address this CA does not connect to`, [], { extra: { addressPolicy: true } });
}

/**
 * Every address must pass: a name pointing partly inside a private network is refused as a whole
 * rather than validated through its other addresses (Boulder drops the refused ones). The outcome
 * then never depends on which address happens to be tried, and the detail names the culprit.
 */
export function assertAddressesAllowed(addresses: string[], hostname: string, allowPrivateNetworks: boolean): void {
  for (const address of addresses) assertAddressAllowed(address, hostname, allowPrivateNetworks);
}

import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { getDomain } from 'tldts';

/** A client address in canonical form (IPv4-mapped IPv6 as IPv4), or null when it does not parse. */
export function canonicalAddress(ip: string | undefined | null): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ip || !ipaddr.isValid(ip)) return null;
  return ipaddr.process(ip);
}

/** The /48 an IPv6 address belongs to ("2001:db8:1::/48"), or null for IPv4. */
export function ipv6Prefix48(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  if (address.kind() !== 'ipv6') return null;
  const parts = (address as ipaddr.IPv6).parts.slice(0, 3);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0, 0]).toString()}/48`;
}

/**
 * The registered domain of a name from the public suffix list ("www.example.co.uk" ->
 * "example.co.uk"); a wildcard counts as its base; a name under no known suffix counts as itself.
 */
export function registeredDomain(name: string): string {
  const base = name.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  if (ipaddr.isValid(base)) return base;
  return getDomain(base, { allowPrivateDomains: true }) ?? base;
}

/** The distinct registered domains of an order's names. */
export function registeredDomains(names: string[]): string[] {
  return [...new Set(names.map(registeredDomain))].sort();
}

/** One key for "the same set of names", whatever their order or case. */
export function nameSetKey(names: string[]): string {
  const set = [...new Set(names.map((n) => n.toLowerCase()))].sort();
  return createHash('sha256').update(set.join(',')).digest('base64url').slice(0, 32);
}

/** Whether `ip` is in one of the entries (addresses or CIDRs). */
export function addressMatcher(entries: string[]): (ip: string | undefined | null) => boolean {
  const ranges = entries.map((e) => (e.includes('/') ? ipaddr.parseCIDR(e) : ([ipaddr.parse(e), ipaddr.parse(e).kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number])));
  const normalized = ranges.map(([a, bits]) => [a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a, a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? bits - 96 : bits] as const);
  return (ip) => {
    const a = canonicalAddress(ip);
    if (!a) return false;
    return normalized.some(([range, bits]) => range.kind() === a.kind() && a.match(range as never, bits));
  };
}

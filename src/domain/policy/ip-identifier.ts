import ipaddr from 'ipaddr.js';

/**
 * IP identifiers (RFC 8738 §3): an IPv4 address in dotted-decimal form (four decimal parts, no
 * leading zeros) or an IPv6 address, which is recorded in its RFC 5952 form so the same address
 * is always the same identifier. Returns the canonical text, or a problem.
 */
export function canonicalIp(value: string): { ip: string } | { problem: string } {
  // ipaddr.js, not node:net: the domain stays free of network modules.
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) {
    if (value.split('.').some((part) => part.length > 1 && part.startsWith('0'))) return { problem: `IPv4 address '${value}' has a part with a leading zero` };
    if (!ipaddr.IPv4.isValidFourPartDecimal(value)) return { problem: `'${value}' is not a valid IPv4 address` };
    return { ip: value };
  }
  if (value.includes(':')) {
    if (value.includes('%')) return { problem: `IPv6 address '${value}' must not carry a zone index` };
    if (!ipaddr.IPv6.isValid(value)) return { problem: `'${value}' is not an IPv4 or IPv6 address in textual form` };
    if ((ipaddr.parse(value) as ipaddr.IPv6).isIPv4MappedAddress()) return { problem: `'${value}' is an IPv4-mapped IPv6 address; order the IPv4 address itself` };
    return { ip: ipaddr.parse(value).toString() };
  }
  return { problem: `'${value}' is not an IPv4 or IPv6 address in textual form` };
}

/** The name tls-alpn-01 uses as SNI for an IP identifier (RFC 8738 §6): its reverse-DNS name. */
export function reverseName(ip: string): string {
  const parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv4') return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const nibbles = (parsed as ipaddr.IPv6).toByteArray().flatMap((b) => [b >> 4, b & 15]);
  return `${nibbles.reverse().map((n) => n.toString(16)).join('.')}.ip6.arpa`;
}

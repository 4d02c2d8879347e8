import ipaddr from 'ipaddr.js';
import { AcmeError } from '../domain/errors';

/**
 * Validation must not be turned against the CA's own network: loopback, private, link-local,
 * carrier-grade NAT, multicast, reserved and documentation ranges are refused (IPv4-mapped IPv6
 * included) unless allow_private_networks is set for a lab. Refusals are `connection` problems,
 * as Boulder reports them, naming the address.
 */
const PUBLIC_RANGES = new Set(['unicast']);

export function addressRangeOf(address: string): string {
  let addr = ipaddr.parse(address);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range();
}

export function assertAddressAllowed(address: string, hostname: string, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const range = addressRangeOf(address);
  if (!PUBLIC_RANGES.has(range)) {
    throw new AcmeError('connection', `${hostname} resolves to ${address}, a ${range} address this CA does not connect to`);
  }
}

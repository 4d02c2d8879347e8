import { isIP } from 'node:net';
import { AcmeError } from '../domain/errors';
import { assertAddressesAllowed } from './address-policy';
import type { Deadline } from './deadline';
import type { ValidationOptions } from './options';
import type { ValidationResolver } from './resolver';

/** What one validation step works with: settings, resolver and the shared time budget. */
export interface ValidationContext {
  options: ValidationOptions;
  resolver: ValidationResolver;
  deadline: Deadline;
}

/** A host name resolved once and checked against the address policy. */
export interface CheckedTarget {
  hostname: string;
  addressesResolved: string[];
  /** Absent for an IP literal (no DNS was consulted). */
  resolverUsed?: string;
  /** Addresses to try, in order; each was checked, and connections go to these and nowhere else. */
  connectionOrder: string[];
}

/**
 * Resolves hostname (an IP literal is taken as is) and checks EVERY address against the policy
 * before any connection. Connections then go to these checked addresses directly, so a second
 * DNS answer (DNS rebinding) can never swap in an address that was not checked.
 */
export async function resolveCheckedTarget(hostname: string, ctx: ValidationContext): Promise<CheckedTarget> {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  const answer = isIP(bare) ? { addresses: [bare], resolverUsed: undefined } : await ctx.resolver.addresses(bare, ctx.deadline);
  assertAddressesAllowed(answer.addresses, bare, ctx.options.allowPrivateNetworks);
  return { hostname: bare, addressesResolved: answer.addresses, resolverUsed: answer.resolverUsed, connectionOrder: connectionOrder(answer.addresses) };
}

/**
 * Boulder's order: the first IPv6 address, then the first IPv4 address as a fallback. A host with
 * a broken AAAA record still validates over IPv4, and a name with many records costs at most two
 * connection attempts.
 */
export function connectionOrder(addresses: string[]): string[] {
  const v6 = addresses.find((a) => isIP(a) === 6);
  const v4 = addresses.find((a) => isIP(a) === 4);
  return [v6, v4].filter((a): a is string => a !== undefined);
}

/** Errors that happen before any byte was exchanged: the next address may do better. */
const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  EAFNOSUPPORT: 'address family not supported',
};

/** A `connection` problem raised before a connection was established (see tryInOrder). */
export class UnreachableAddressError extends AcmeError {
  constructor(detail: string) {
    super('connection', detail);
  }
}

/** Wording of a socket error for a problem detail. */
export function describeSocketError(e: NodeJS.ErrnoException): string {
  return (e.code && UNREACHABLE_CODES[e.code]) ?? (e.code === 'ECONNRESET' ? 'connection reset' : e.message);
}

export function isUnreachable(e: NodeJS.ErrnoException): boolean {
  return e.code !== undefined && e.code in UNREACHABLE_CODES;
}

/**
 * Attempts each address in order until one connects; every address tried is appended to `tried`.
 * Only an address that could not be reached at all moves on to the next one: an answer that was
 * received, however wrong, is the answer.
 */
export async function tryInOrder<T>(addresses: string[], ctx: ValidationContext, tried: string[], attempt: (address: string) => Promise<T>): Promise<{ address: string; result: T }> {
  let last: unknown;
  for (const address of addresses) {
    tried.push(address);
    try {
      return { address, result: await attempt(address) };
    } catch (e) {
      last = e;
      if (!(e instanceof UnreachableAddressError) || ctx.deadline.expired) break;
    }
  }
  throw last ?? new AcmeError('connection', 'no address to connect to');
}

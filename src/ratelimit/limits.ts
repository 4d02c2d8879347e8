/** Durations in milliseconds (as every duration of the configuration). */
type Milliseconds = number;

/**
 * The limits certledger enforces. Each has a configured count per period (count 0 = off);
 * `pending_authorizations_per_account` is a ceiling on a current count, not a rate.
 */
export const RATE_LIMITS = {
  new_accounts_per_ip: 'new accounts per IP address',
  new_accounts_per_ipv6_48: 'new accounts per IPv6 /48',
  new_orders_per_account: 'new orders per account',
  failed_validations_per_account_and_hostname: 'failed validations per account and hostname',
  certificates_per_registered_domain: 'certificates per registered domain',
  duplicate_certificates: 'certificates for the same set of names',
  new_nonces_per_ip: 'new nonces per IP address',
} as const;

export type RateLimitName = keyof typeof RATE_LIMITS | 'pending_authorizations_per_account';

export const RATE_LIMIT_NAMES = [...Object.keys(RATE_LIMITS), 'pending_authorizations_per_account'] as RateLimitName[];

export interface RateLimit {
  count: number;
  period: Milliseconds;
}

/** The `rate_limits` configuration section, durations in milliseconds. */
export interface RateLimitSettings {
  new_accounts_per_ip: RateLimit;
  new_accounts_per_ipv6_48: RateLimit;
  new_orders_per_account: RateLimit;
  pending_authorizations_per_account: number;
  failed_validations_per_account_and_hostname: RateLimit;
  certificates_per_registered_domain: RateLimit;
  duplicate_certificates: RateLimit;
  new_nonces_per_ip: RateLimit;
  /** Addresses and CIDRs exempt from every limit. */
  allow_addresses: string[];
  /** Account ids exempt from every limit. */
  allow_accounts: string[];
  /** Names issued again to the same account within this window are a renewal (exempt from the per-domain limit). */
  renewal_window: Milliseconds;
  /** Where a rateLimited problem points (Link rel="help"). */
  docs_url: string;
}

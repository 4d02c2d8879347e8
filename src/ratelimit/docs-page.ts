import { formatPeriod } from './rate-limiter';
import { RATE_LIMITS, type RateLimit, type RateLimitSettings } from './limits';

/**
 * The page a rateLimited problem links to when rate_limits.docs_url is not set: this server's
 * limits as configured, so a client's operator sees the numbers that refused them.
 */
export function rateLimitsPage(s: RateLimitSettings): string {
  const lines = ['Rate limits of this ACME server', '', 'A refused request gets a rateLimited problem (HTTP 429) with Retry-After; retry after that delay.', ''];
  for (const [name, what] of Object.entries(RATE_LIMITS)) {
    const l = s[name as keyof typeof RATE_LIMITS] as RateLimit;
    lines.push(`${name}: ${l.count === 0 ? 'off' : `${l.count} ${what} per ${formatPeriod(l.period)}`}`);
  }
  const pending = s.pending_authorizations_per_account;
  lines.push(`pending_authorizations_per_account: ${pending === 0 ? 'off' : `at most ${pending} pending authorizations per account`}`);
  lines.push('', `Renewals (the same names by the same account within ${formatPeriod(s.renewal_window)}) are exempt from certificates_per_registered_domain.`);
  return `${lines.join('\n')}\n`;
}

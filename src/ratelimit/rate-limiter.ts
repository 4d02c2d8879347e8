import { pendingAuthorizationsAndCeiling } from '../../projections/authorizations/queries';
import { hasRecentOrderForNames } from '../../projections/orders/queries';
import type { Db } from '../db/db';
import { type BucketDecision, peekBucket, purgeFullBuckets, spendBucket } from '../db/rate-limit-buckets-store';
import { AcmeError } from '../domain/errors';
import { addressMatcher, canonicalAddress, ipv6Prefix48, nameSetKey, registeredDomains } from './keys';
import { RATE_LIMITS, type RateLimit, type RateLimitName, type RateLimitSettings } from './limits';

/** Who a request comes from: the client address and, once authenticated, the account. */
export interface LimitContext {
  ip?: string | null;
  accountId?: string | null;
  requestId?: string | null;
}

/** What a refusal tells the operator (metric, audit line). */
export interface Refusal {
  limit: RateLimitName;
  subject: string;
  count: number;
  periodMs: number;
  retryAfterMs: number;
  resetsAt: Date;
  context: LimitContext;
}

interface Spend {
  limit: RateLimitName;
  /** Bucket key: the limit plus what it counts by. */
  bucket: string;
  /** What an admin override of this limit names (an account id, a registered domain, an address). */
  subject: string;
  /** Shown in the refusal. */
  what: string;
}

/**
 * Rate limits kept in PostgreSQL, so every instance of a fleet counts the same requests. A check
 * costs one statement. A database error fails open (the request goes on, a warning is logged), as
 * Boulder does: the limits protect the CA, they must not take it down.
 */
export class RateLimiter {
  private readonly allowedAddress: (ip: string | null | undefined) => boolean;
  private readonly allowedAccounts: Set<string>;

  constructor(
    private readonly pool: Db,
    private readonly settings: RateLimitSettings,
    private readonly hooks: { refused?: (r: Refusal) => void; failedOpen?: (limit: RateLimitName, err: Error) => void } = {},
  ) {
    this.allowedAddress = addressMatcher(settings.allow_addresses);
    this.allowedAccounts = new Set(settings.allow_accounts);
  }

  /** Whether the allow-list exempts this request from every limit. */
  exempt(ctx: LimitContext): boolean {
    return this.allowedAddress(ctx.ip) || (ctx.accountId != null && this.allowedAccounts.has(ctx.accountId));
  }

  /** newAccount: per address, and per /48 for IPv6. */
  async newAccount(ctx: LimitContext): Promise<void> {
    if (this.exempt(ctx)) return;
    const address = canonicalAddress(ctx.ip);
    if (!address) return;
    const ip = address.toString();
    await this.spend(ctx, { limit: 'new_accounts_per_ip', bucket: `new_accounts_per_ip:${ip}`, subject: ip, what: `from ${ip}` });
    const prefix = ipv6Prefix48(address);
    if (prefix) await this.spend(ctx, { limit: 'new_accounts_per_ipv6_48', bucket: `new_accounts_per_ipv6_48:${prefix}`, subject: prefix, what: `from ${prefix}` });
  }

  /** An explicit newNonce request (not the Replay-Nonce every response carries). */
  async newNonce(ctx: LimitContext): Promise<void> {
    if (this.exempt(ctx)) return;
    const address = canonicalAddress(ctx.ip);
    if (!address) return;
    const ip = address.toString();
    await this.spend(ctx, { limit: 'new_nonces_per_ip', bucket: `new_nonces_per_ip:${ip}`, subject: ip, what: `from ${ip}` });
  }

  /**
   * newOrder: spends the account's order budget; refuses names that failed validation too often,
   * an account with too many pending authorizations, and names whose certificates would pass
   * the per-domain or same-set limits (those are spent at issuance).
   */
  async newOrder(ctx: LimitContext & { accountId: string }, names: string[], newAuthorizations: number): Promise<void> {
    if (this.exempt(ctx)) return;
    // The checks that spend nothing come first, so an order they refuse costs no order budget.
    await this.pendingAuthorizations(ctx, newAuthorizations);
    for (const name of new Set(names.map((n) => n.toLowerCase()))) await this.failedValidations(ctx, name);
    await this.certificates(ctx, names, false);
    await this.spend(ctx, { limit: 'new_orders_per_account', bucket: `new_orders_per_account:${ctx.accountId}`, subject: ctx.accountId, what: `for account ${ctx.accountId}` });
  }

  /** newAuthz: the pending-authorization ceiling and the failed-validation limit of the name. */
  async newAuthz(ctx: LimitContext & { accountId: string }, name: string): Promise<void> {
    if (this.exempt(ctx)) return;
    await this.pendingAuthorizations(ctx, 1);
    await this.failedValidations(ctx, name.toLowerCase());
  }

  /** A challenge response: refused while the name has failed too often for this account. */
  async challenge(ctx: LimitContext & { accountId: string }, name: string): Promise<void> {
    if (this.exempt(ctx)) return;
    await this.failedValidations(ctx, name.toLowerCase());
  }

  /** Finalize: spends the per-domain (unless a renewal) and the same-set budgets. */
  async issuance(ctx: LimitContext & { accountId: string }, names: string[]): Promise<void> {
    if (this.exempt(ctx)) return;
    await this.certificates(ctx, names, true);
  }

  /**
   * Deletes up to `batchSize` buckets that are full again (TAT passed): a missing row and a full
   * bucket decide the same. Returns how many it deleted.
   */
  async purgeFull(batchSize: number): Promise<number> {
    return purgeFullBuckets(this.pool, batchSize);
  }

  /** Records a failed validation (never refuses: the failure has happened). */
  async recordFailedValidation(accountId: string, name: string): Promise<void> {
    const l = this.settings.failed_validations_per_account_and_hostname;
    if (l.count === 0 || this.allowedAccounts.has(accountId)) return;
    await spendBucket(this.pool, { bucket: failedKey(accountId, name.toLowerCase()), limit: 'failed_validations_per_account_and_hostname', count: l.count, periodMs: l.period, subject: accountId }).catch((e) =>
      this.hooks.failedOpen?.('failed_validations_per_account_and_hostname', e as Error),
    );
  }

  private async failedValidations(ctx: LimitContext & { accountId: string }, name: string): Promise<void> {
    await this.peek(ctx, { limit: 'failed_validations_per_account_and_hostname', bucket: failedKey(ctx.accountId, name), subject: ctx.accountId, what: `for ${name} by account ${ctx.accountId}` });
  }

  private async pendingAuthorizations(ctx: LimitContext & { accountId: string }, adding: number): Promise<void> {
    const ceiling = this.settings.pending_authorizations_per_account;
    if (ceiling === 0 || adding === 0) return;
    let row: { ceiling: number; pending: number };
    try {
      row = await pendingAuthorizationsAndCeiling(this.pool, ctx.accountId, ceiling);
    } catch (e) {
      this.hooks.failedOpen?.('pending_authorizations_per_account', e as Error);
      return;
    }
    if (row.ceiling === 0 || row.pending + adding <= row.ceiling) return;
    // Not a rate: it frees up as authorizations are validated, deactivated or expire.
    const refusal: Refusal = { limit: 'pending_authorizations_per_account', subject: ctx.accountId, count: row.ceiling, periodMs: 0, retryAfterMs: 60_000, resetsAt: new Date(Date.now() + 60_000), context: ctx };
    this.hooks.refused?.(refusal);
    throw this.problem(refusal, `too many pending authorizations for account ${ctx.accountId}: ${row.pending} pending, ${adding} more asked, at most ${row.ceiling} (rate_limits.pending_authorizations_per_account); validate or deactivate some, or retry after ${refusal.resetsAt.toISOString()}`);
  }

  private async certificates(ctx: LimitContext & { accountId: string }, names: string[], spend: boolean): Promise<void> {
    const check = (s: Spend) => (spend ? this.spend(ctx, s) : this.peek(ctx, s));
    if (this.settings.certificates_per_registered_domain.count > 0 && !(await this.isRenewal(ctx.accountId, names))) {
      for (const domain of registeredDomains(names)) {
        await check({ limit: 'certificates_per_registered_domain', bucket: `certificates_per_registered_domain:${domain}`, subject: domain, what: `for ${domain}` });
      }
    }
    const set = nameSetKey(names);
    await check({ limit: 'duplicate_certificates', bucket: `duplicate_certificates:${set}`, subject: ctx.accountId, what: `for the names ${[...new Set(names)].sort().join(', ')}` });
  }

  /**
   * The same account had a certificate for exactly these names within the renewal window: an
   * order of the account with those identifiers that got its certificate. (Read from the orders'
   * read model, which issuance does not write, so a check never waits on a certificate being recorded.)
   */
  private async isRenewal(accountId: string, names: string[]): Promise<boolean> {
    const set = [...new Set(names.map((n) => n.toLowerCase()))];
    return hasRecentOrderForNames(this.pool, accountId, set.sort(), this.settings.renewal_window / 1000).catch(() => false);
  }

  private async spend(ctx: LimitContext, s: Spend): Promise<void> {
    await this.decide(ctx, s, spendBucket);
  }

  private async peek(ctx: LimitContext, s: Spend): Promise<void> {
    await this.decide(ctx, s, peekBucket);
  }

  private async decide(ctx: LimitContext, s: Spend, check: typeof spendBucket): Promise<void> {
    const limit = this.settings[s.limit as keyof typeof RATE_LIMITS] as RateLimit;
    if (limit.count === 0) return;
    let row: BucketDecision | undefined;
    try {
      row = await check(this.pool, { bucket: s.bucket, limit: s.limit, count: limit.count, periodMs: limit.period, subject: s.subject });
    } catch (e) {
      this.hooks.failedOpen?.(s.limit, e as Error);
      return;
    }
    if (!row || row.allowed) return; // no row: an override exempts the subject
    const tat = Number(row.tat_ms);
    const now = Number(row.seen_ms);
    const period = Number(row.period_ms);
    const retryAfterMs = Math.max(1, tat + Number(row.cost_ms) - period - now);
    const refusal: Refusal = { limit: s.limit, subject: s.subject, count: row.limit_count, periodMs: period, retryAfterMs, resetsAt: new Date(tat), context: ctx };
    this.hooks.refused?.(refusal);
    const next = new Date(now + retryAfterMs);
    throw this.problem(
      refusal,
      `too many ${RATE_LIMITS[s.limit as keyof typeof RATE_LIMITS]} ${s.what}: limit ${row.limit_count} per ${formatPeriod(period)} (rate_limits.${s.limit}); retry after ${next.toISOString()}, the limit resets fully at ${refusal.resetsAt.toISOString()}`,
    );
  }

  private problem(r: Refusal, detail: string): AcmeError {
    return new AcmeError('rateLimited', detail, [], {
      reason: { kind: 'limited', retryAfterMs: r.retryAfterMs, helpUrl: this.settings.docs_url },
      extra: { limit: r.limit },
    });
  }
}

const failedKey = (accountId: string, name: string) => `failed_validations_per_account_and_hostname:${accountId}:${name.replace(/^\*\./, '')}`;

export function formatPeriod(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

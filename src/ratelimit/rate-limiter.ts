import type { Pool } from 'pg';
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
 * The stored TAT measured in the current cost: the requests already spent stay spent when an
 * override changes the limit (3 of 3 used becomes 3 of 10 used, not a full bucket).
 */
const SCALED = '(EXCLUDED.seen_ms + greatest(b.tat_ms - EXCLUDED.seen_ms, 0) * EXCLUDED.cost_ms / b.cost_ms)';

/**
 * GCRA: the one statement that checks and spends a bucket. The override (if any) is read in the
 * same statement; an override of count 0 exempts the subject, and then nothing is written. The
 * decision uses the database clock, so every instance of a fleet agrees on it.
 */
const SPEND_SQL = `
WITH p AS (
  SELECT coalesce(o.count, $3::integer) AS count, coalesce(o.period_ms, $4::bigint) AS period_ms,
         (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms
  FROM (SELECT 1) AS one LEFT JOIN rm_rate_limit_overrides o ON o.limit_name = $2 AND o.subject = $5
), c AS (
  SELECT count, period_ms, now_ms, ceil(period_ms::numeric / count)::bigint AS cost_ms FROM p WHERE count > 0
)
INSERT INTO rl_buckets AS b (bucket, tat_ms, seen_ms, allowed, period_ms, cost_ms, limit_count)
SELECT $1, CASE WHEN cost_ms <= period_ms THEN now_ms + cost_ms ELSE now_ms END, now_ms, cost_ms <= period_ms, period_ms, cost_ms, count FROM c
ON CONFLICT (bucket) DO UPDATE SET
  allowed = ${SCALED} + EXCLUDED.cost_ms <= EXCLUDED.seen_ms + EXCLUDED.period_ms,
  tat_ms = CASE WHEN ${SCALED} + EXCLUDED.cost_ms <= EXCLUDED.seen_ms + EXCLUDED.period_ms THEN ${SCALED} + EXCLUDED.cost_ms ELSE ${SCALED} END,
  seen_ms = EXCLUDED.seen_ms, period_ms = EXCLUDED.period_ms, cost_ms = EXCLUDED.cost_ms, limit_count = EXCLUDED.limit_count
RETURNING allowed, tat_ms, seen_ms, period_ms, cost_ms, limit_count`;

/** The same decision without spending (limits spent elsewhere: failed validations, certificates). */
const PEEK_SQL = `
WITH p AS (
  SELECT coalesce(o.count, $3::integer) AS count, coalesce(o.period_ms, $4::bigint) AS period_ms,
         (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms
  FROM (SELECT 1) AS one LEFT JOIN rm_rate_limit_overrides o ON o.limit_name = $2 AND o.subject = $5
)
SELECT s.tat_ms + s.cost_ms <= s.now_ms + s.period_ms AS allowed, s.tat_ms, s.now_ms AS seen_ms, s.period_ms, s.cost_ms, s.count AS limit_count
FROM (
  SELECT p.now_ms + greatest(coalesce(b.tat_ms, 0) - p.now_ms, 0) * ceil(p.period_ms::numeric / p.count)::bigint / coalesce(b.cost_ms, 1) AS tat_ms,
         p.now_ms, p.period_ms, ceil(p.period_ms::numeric / p.count)::bigint AS cost_ms, p.count
  FROM p LEFT JOIN rl_buckets b ON b.bucket = $1 WHERE p.count > 0
) s`;

/** Pending authorizations of an account against its ceiling (override included), in one statement. */
const PENDING_SQL = `
SELECT coalesce((SELECT count FROM rm_rate_limit_overrides WHERE limit_name = 'pending_authorizations_per_account' AND subject = $1), $2::integer) AS ceiling,
       (SELECT count(*) FROM rm_authorizations WHERE account_id = $1 AND status = 'pending' AND expires > now())::integer AS pending`;

interface Row {
  allowed: boolean;
  tat_ms: string;
  seen_ms: string;
  period_ms: string;
  cost_ms: string;
  limit_count: number;
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
    private readonly pool: Pool,
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
    const r = await this.pool.query(
      `DELETE FROM rl_buckets WHERE bucket IN (
         SELECT bucket FROM rl_buckets WHERE tat_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint ORDER BY tat_ms LIMIT $1)`,
      [batchSize],
    );
    return r.rowCount ?? 0;
  }

  /** Records a failed validation (never refuses: the failure has happened). */
  async recordFailedValidation(accountId: string, name: string): Promise<void> {
    const l = this.settings.failed_validations_per_account_and_hostname;
    if (l.count === 0 || this.allowedAccounts.has(accountId)) return;
    await this.pool.query(SPEND_SQL, [failedKey(accountId, name.toLowerCase()), 'failed_validations_per_account_and_hostname', l.count, l.period, accountId]).catch((e) =>
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
      row = (await this.pool.query(PENDING_SQL, [ctx.accountId, ceiling])).rows[0];
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
    const r = await this.pool
      .query(
        `SELECT 1 FROM rm_orders o WHERE o.account_id = $1 AND o.certificate_id IS NOT NULL AND o.finalized_at > now() - make_interval(secs => $3)
           AND ARRAY(SELECT DISTINCT lower(x->>'value') FROM jsonb_array_elements(o.identifiers) x ORDER BY 1) = $2::text[]
         LIMIT 1`,
        [accountId, set.sort(), this.settings.renewal_window / 1000],
      )
      .catch(() => ({ rowCount: 0 }));
    return (r.rowCount ?? 0) > 0;
  }

  private async spend(ctx: LimitContext, s: Spend): Promise<void> {
    await this.decide(ctx, s, SPEND_SQL);
  }

  private async peek(ctx: LimitContext, s: Spend): Promise<void> {
    await this.decide(ctx, s, PEEK_SQL);
  }

  private async decide(ctx: LimitContext, s: Spend, sql: string): Promise<void> {
    const limit = this.settings[s.limit as keyof typeof RATE_LIMITS] as RateLimit;
    if (limit.count === 0) return;
    let row: Row | undefined;
    try {
      row = (await this.pool.query<Row>(sql, [s.bucket, s.limit, limit.count, limit.period, s.subject])).rows[0];
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

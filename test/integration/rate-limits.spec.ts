import { AcmeError, type ProblemReason } from '../../src/domain/errors';
import { RateLimiter, type Refusal } from '../../src/ratelimit/rate-limiter';
import type { RateLimitSettings } from '../../src/ratelimit/limits';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

const HOUR = 3_600_000;
const off = { count: 0, period: HOUR };

function settings(over: Partial<RateLimitSettings> = {}): RateLimitSettings {
  return {
    new_accounts_per_ip: off,
    new_accounts_per_ipv6_48: off,
    new_orders_per_account: off,
    pending_authorizations_per_account: 0,
    failed_validations_per_account_and_hostname: off,
    certificates_per_registered_domain: off,
    duplicate_certificates: off,
    new_nonces_per_ip: off,
    allow_addresses: [],
    allow_accounts: [],
    renewal_window: 120 * 24 * HOUR,
    docs_url: 'http://ca.test/docs/rate-limits',
    ...over,
  };
}

async function refused(p: Promise<unknown>): Promise<AcmeError | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (e instanceof AcmeError) return e;
    throw e;
  }
}

/** GCRA buckets in PostgreSQL: one statement per check, exact under concurrency, shared by instances. */
describe('rate limiter', () => {
  let fx: PgStoreFixture;

  beforeAll(async () => {
    fx = await createPgStore('ratelimits');
  });
  afterAll(async () => {
    await fx?.dispose();
  });

  test('50 concurrent requests against a limit of 10, from two limiter instances: exactly 10 pass', async () => {
    const refusals: Refusal[] = [];
    const s = settings({ new_nonces_per_ip: { count: 10, period: HOUR } });
    const a = new RateLimiter(fx.pool, s, { refused: (r) => refusals.push(r) });
    const b = new RateLimiter(fx.pool, s, { refused: (r) => refusals.push(r) });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => refused((i % 2 ? a : b).newNonce({ ip: '192.0.2.10' }))));
    expect(results.filter((r) => r === null)).toHaveLength(10);
    const e = results.find((r) => r !== null)!;
    expect(e.type).toBe('rateLimited');
    const reason = e.reason as Extract<ProblemReason, { kind: 'limited' }>;
    expect(reason.kind).toBe('limited');
    // One request refills every period/count = 6 minutes.
    expect(reason.retryAfterMs).toBeGreaterThan(350_000);
    expect(reason.retryAfterMs).toBeLessThanOrEqual(360_000);
    expect(reason.helpUrl).toBe('http://ca.test/docs/rate-limits');
    expect(e.detail).toMatch(/new nonces per IP address from 192\.0\.2\.10: limit 10 per 1h \(rate_limits\.new_nonces_per_ip\); retry after \d{4}-.*Z, the limit resets fully at/);
    expect(refusals).toHaveLength(40);
    expect(refusals[0]).toMatchObject({ limit: 'new_nonces_per_ip', subject: '192.0.2.10', count: 10 });
    // Another address has its own bucket.
    expect(await refused(a.newNonce({ ip: '192.0.2.11' }))).toBeNull();
  });

  test('the allow-list exempts addresses and accounts; a limit of 0 is off', async () => {
    const s = settings({ new_nonces_per_ip: { count: 1, period: HOUR }, new_orders_per_account: { count: 1, period: HOUR }, allow_addresses: ['198.51.100.0/24'], allow_accounts: ['vip'] });
    const l = new RateLimiter(fx.pool, s);
    for (let i = 0; i < 3; i++) expect(await refused(l.newNonce({ ip: '198.51.100.9' }))).toBeNull();
    for (let i = 0; i < 3; i++) expect(await refused(l.newOrder({ accountId: 'vip', ip: '203.0.113.1' }, ['a.example.com'], 1))).toBeNull();
    const unlimited = new RateLimiter(fx.pool, settings());
    for (let i = 0; i < 3; i++) expect(await refused(unlimited.newAccount({ ip: '203.0.113.5' }))).toBeNull();
  });

  test('an override raises, lowers or exempts one subject, read in the same statement', async () => {
    const l = new RateLimiter(fx.pool, settings({ new_orders_per_account: { count: 2, period: HOUR } }));
    const order = (accountId: string) => refused(l.newOrder({ accountId }, [`${accountId}.example.com`], 0));
    await fx.pool.query(`INSERT INTO rm_rate_limit_overrides (limit_name, subject, count, period_ms, reason, updated_at) VALUES
      ('new_orders_per_account', 'big', 4, NULL, 'test', now()), ('new_orders_per_account', 'free', 0, NULL, 'test', now())`);
    const counts: Record<string, number> = {};
    for (const id of ['plain', 'big', 'free']) {
      counts[id] = 0;
      for (let i = 0; i < 6; i++) if ((await order(id)) === null) counts[id]++;
    }
    expect(counts).toEqual({ plain: 2, big: 4, free: 6 });
  });

  test('failed validations are recorded, then refuse new orders for that name and account only', async () => {
    const l = new RateLimiter(fx.pool, settings({ failed_validations_per_account_and_hostname: { count: 2, period: HOUR } }));
    await l.recordFailedValidation('acct', 'Bad.example.com');
    expect(await refused(l.challenge({ accountId: 'acct' }, 'bad.example.com'))).toBeNull();
    await l.recordFailedValidation('acct', 'bad.example.com');
    const e = await refused(l.newOrder({ accountId: 'acct' }, ['ok.example.com', 'bad.example.com'], 2));
    expect(e?.detail).toMatch(/failed validations per account and hostname for bad\.example\.com by account acct/);
    expect(await refused(l.newAuthz({ accountId: 'acct' }, 'bad.example.com'))).not.toBeNull();
    expect(await refused(l.newOrder({ accountId: 'other' }, ['bad.example.com'], 1))).toBeNull();
  });

  test('certificates per registered domain are spent at issuance and checked at new orders; renewals are exempt', async () => {
    const l = new RateLimiter(fx.pool, settings({ certificates_per_registered_domain: { count: 2, period: HOUR } }));
    expect(await refused(l.issuance({ accountId: 'a1' }, ['www.example.co.uk']))).toBeNull();
    expect(await refused(l.issuance({ accountId: 'a1' }, ['api.example.co.uk']))).toBeNull();
    expect((await refused(l.newOrder({ accountId: 'a2' }, ['mail.example.co.uk'], 1)))?.detail).toMatch(/for example\.co\.uk: limit 2 per 1h/);
    expect(await refused(l.issuance({ accountId: 'a2' }, ['mail.example.co.uk']))).not.toBeNull();
    // A renewal: a1 holds a certificate for exactly these names.
    await fx.pool.query(`INSERT INTO rm_orders (order_id, account_id, identifiers, authorization_ids, expires, created_at, finalized_at, certificate_id)
      VALUES ('o1', 'a1', '[{"type": "dns", "value": "WWW.example.co.uk"}]', ARRAY['z1'], now() + interval '7 days', now(), now(), 'c1')`);
    expect(await refused(l.newOrder({ accountId: 'a1' }, ['www.example.co.uk'], 1))).toBeNull();
    expect(await refused(l.issuance({ accountId: 'a1' }, ['www.example.co.uk']))).toBeNull();
  });

  test('pending authorizations per account is a ceiling on the current count', async () => {
    const l = new RateLimiter(fx.pool, settings({ pending_authorizations_per_account: 3 }));
    for (let i = 0; i < 2; i++) {
      await fx.pool.query(`INSERT INTO rm_authorizations (authz_id, account_id, identifier, wildcard, status, expires, created_at) VALUES ($1, 'p1', $2, false, 'pending', now() + interval '1 day', now())`, [`z${i}`, `n${i}.example.com`]);
    }
    expect(await refused(l.newAuthz({ accountId: 'p1' }, 'x.example.com'))).toBeNull();
    const e = await refused(l.newOrder({ accountId: 'p1' }, ['y.example.com', 'z.example.com'], 2));
    expect(e?.detail).toMatch(/too many pending authorizations for account p1: 2 pending, 2 more asked, at most 3/);
    expect(Math.ceil((e?.reason as { retryAfterMs: number }).retryAfterMs / 1000)).toBe(60);
  });

  test('a database error fails open', async () => {
    const failures: string[] = [];
    const broken = { query: async () => Promise.reject(new Error('connection refused')) } as never;
    const l = new RateLimiter(broken, settings({ new_nonces_per_ip: { count: 1, period: HOUR } }), { failedOpen: (limit) => failures.push(limit) });
    expect(await refused(l.newNonce({ ip: '192.0.2.1' }))).toBeNull();
    expect(failures).toEqual(['new_nonces_per_ip']);
  });

  test('buckets full again are purged, and a purged bucket decides as before', async () => {
    const l = new RateLimiter(fx.pool, settings({ new_nonces_per_ip: { count: 2, period: HOUR } }));
    await fx.pool.query(`INSERT INTO rl_buckets (bucket, tat_ms, seen_ms, allowed, period_ms, cost_ms, limit_count) VALUES ('new_nonces_per_ip:192.0.2.99', 1, 1, true, 3600000, 1800000, 2)`);
    await l.newNonce({ ip: '192.0.2.98' }); // a live bucket stays
    expect(await l.purgeFull(100)).toBeGreaterThanOrEqual(1);
    expect((await fx.pool.query(`SELECT bucket FROM rl_buckets WHERE bucket LIKE 'new_nonces_per_ip:192.0.2.9%'`)).rows.map((r) => r.bucket)).toEqual(['new_nonces_per_ip:192.0.2.98']);
    expect(await refused(l.newNonce({ ip: '192.0.2.99' }))).toBeNull();
    expect(await refused(l.newNonce({ ip: '192.0.2.99' }))).toBeNull();
    expect(await refused(l.newNonce({ ip: '192.0.2.99' }))).not.toBeNull();
  });

  test('an override that raises the count keeps what was spent: 3 of 3 used becomes 3 of 5 used', async () => {
    const l = new RateLimiter(fx.pool, settings({ new_orders_per_account: { count: 3, period: HOUR } }));
    const order = () => refused(l.newOrder({ accountId: 'raise' }, ['r.example.com'], 0));
    for (let i = 0; i < 3; i++) expect(await order()).toBeNull();
    expect(await order()).not.toBeNull();
    await fx.pool.query(`INSERT INTO rm_rate_limit_overrides (limit_name, subject, count, period_ms, reason, updated_at) VALUES ('new_orders_per_account', 'raise', 5, NULL, 'test', now())`);
    expect(await order()).toBeNull();
    expect(await order()).toBeNull();
    expect(await order()).not.toBeNull();
  });
});

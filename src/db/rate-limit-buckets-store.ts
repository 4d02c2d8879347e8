import { overrideJoinSql } from '../../projections/rate-limit-overrides/queries';
import type { Db } from './db';

// Rate-limit buckets (rl_buckets): one GCRA theoretical arrival time per bucket. Every statement
// reads the admin override of the limit (rate-limit-overrides read model) in the same round trip.

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
  FROM ${overrideJoinSql(2, 5)}
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
  FROM ${overrideJoinSql(2, 5)}
)
SELECT s.tat_ms + s.cost_ms <= s.now_ms + s.period_ms AS allowed, s.tat_ms, s.now_ms AS seen_ms, s.period_ms, s.cost_ms, s.count AS limit_count
FROM (
  SELECT p.now_ms + greatest(coalesce(b.tat_ms, 0) - p.now_ms, 0) * ceil(p.period_ms::numeric / p.count)::bigint / coalesce(b.cost_ms, 1) AS tat_ms,
         p.now_ms, p.period_ms, ceil(p.period_ms::numeric / p.count)::bigint AS cost_ms, p.count
  FROM p LEFT JOIN rl_buckets b ON b.bucket = $1 WHERE p.count > 0
) s`;

export interface BucketDecision {
  allowed: boolean;
  tat_ms: string;
  seen_ms: string;
  period_ms: string;
  cost_ms: string;
  limit_count: number;
}

/** What a bucket check needs: the bucket key, the limit's name and defaults, and the subject an override names. */
export interface BucketCheck {
  bucket: string;
  limit: string;
  count: number;
  periodMs: number;
  subject: string;
}

const params = (c: BucketCheck) => [c.bucket, c.limit, c.count, c.periodMs, c.subject];

/** Checks and spends one request of the bucket; undefined when an override of count 0 exempts the subject. */
export async function spendBucket(db: Db, c: BucketCheck): Promise<BucketDecision | undefined> {
  return (await db.query(SPEND_SQL, params(c))).rows[0];
}

/** The same decision without spending. */
export async function peekBucket(db: Db, c: BucketCheck): Promise<BucketDecision | undefined> {
  return (await db.query(PEEK_SQL, params(c))).rows[0];
}

/**
 * Deletes up to `limit` buckets that are full again (TAT passed): a missing row and a full
 * bucket decide the same. Returns how many it deleted.
 */
export async function purgeFullBuckets(db: Db, limit: number): Promise<number> {
  const r = await db.query(
    `DELETE FROM rl_buckets WHERE bucket IN (
       SELECT bucket FROM rl_buckets WHERE tat_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint ORDER BY tat_ms LIMIT $1)`,
    [limit],
  );
  return r.rowCount ?? 0;
}

import type { Db } from '../../src/db/db';

export interface RateLimitOverrideRow {
  limit: string;
  subject: string;
  count: number;
  /** null: the limit's own period. */
  periodMs: number | null;
  reason: string | null;
  updatedAt: Date;
}

/** Every override in force, by limit and subject. */
export async function listRateLimitOverrides(db: Db): Promise<RateLimitOverrideRow[]> {
  const r = await db.query('SELECT limit_name, subject, count, period_ms, reason, updated_at FROM rm_rate_limit_overrides ORDER BY limit_name, subject');
  return r.rows.map((row) => ({
    limit: row.limit_name,
    subject: row.subject,
    count: row.count,
    periodMs: row.period_ms === null ? null : Number(row.period_ms),
    reason: row.reason,
    updatedAt: new Date(row.updated_at),
  }));
}

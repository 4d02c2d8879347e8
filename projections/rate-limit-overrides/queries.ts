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

/**
 * A one-row relation `o` holding the override of limit `$<limitParam>` for subject
 * `$<subjectParam>` (all columns null without one), for the rate-limit statements that read the
 * override and spend a bucket in one round trip. The SQL is composed here so that the read model's
 * table is named only in its own folder.
 */
export function overrideJoinSql(limitParam: number, subjectParam: number): string {
  return `(SELECT 1) AS one LEFT JOIN rm_rate_limit_overrides o ON o.limit_name = $${limitParam} AND o.subject = $${subjectParam}`;
}

/** A scalar subquery: the override count of limit `limitName` (a literal name) for subject `$<subjectParam>`, or null. */
export function overrideCountSql(limitName: string, subjectParam: number): string {
  if (!/^[a-z0-9_]+$/.test(limitName)) throw new Error(`not a limit name: ${limitName}`);
  return `(SELECT count FROM rm_rate_limit_overrides WHERE limit_name = '${limitName}' AND subject = $${subjectParam})`;
}

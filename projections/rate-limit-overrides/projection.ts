import type { CatalogEvent, Projection, SqlTx } from '../../src/projection/projection';

/** rm_rate_limit_overrides: the overrides in force, read by every rate-limit check. */
export const rateLimitOverridesProjection: Projection = {
  name: 'rate_limit_overrides',
  version: 1,
  // Rate-limit checks read it: written in the same transaction as its events.
  inline: true,
  handles: ['RateLimitOverrideSet', 'RateLimitOverrideRemoved'],
  tables: ['rm_rate_limit_overrides'],
  async apply(e: CatalogEvent, tx: SqlTx) {
    if (e.type === 'RateLimitOverrideSet') {
      const d = e.data;
      await tx.query(
        `INSERT INTO rm_rate_limit_overrides (limit_name, subject, count, period_ms, reason, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (limit_name, subject) DO UPDATE SET count = EXCLUDED.count, period_ms = EXCLUDED.period_ms, reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at`,
        [d.limit, d.subject, d.count, d.periodMs, d.reason, e.recordedAt],
      );
    } else if (e.type === 'RateLimitOverrideRemoved') {
      const d = e.data;
      await tx.query('DELETE FROM rm_rate_limit_overrides WHERE limit_name = $1 AND subject = $2', [d.limit, d.subject]);
    }
  },
};

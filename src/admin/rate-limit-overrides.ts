import { listRateLimitOverrides } from '../../projections/rate-limit-overrides/queries';
import type { Db } from '../db/db';
import type { AggregateStore } from '../commands/aggregate-store';
import { handleCommand } from '../commands/handle-command';
import { decideRateLimitOverride, evolveRateLimitOverride, type RateLimitOverrideState } from '../domain/rate-limit-override';
import { streams } from '../domain/streams';
import { RATE_LIMIT_NAMES } from '../ratelimit/limits';
import { formatPeriod } from '../ratelimit/rate-limiter';

/**
 * Per-account, per-domain or per-address overrides of the rate limits, set through the admin API.
 * Each is an event (actor: the admin); the inline read model the limiter reads commits with it, so
 * every instance applies it from the next request on.
 */
export class RateLimitOverrides {
  constructor(
    private readonly aggregates: AggregateStore,
    private readonly pool: Db,
  ) {}

  async list() {
    return {
      overrides: (await listRateLimitOverrides(this.pool)).map((row) => ({
        limit: row.limit,
        subject: row.subject,
        count: row.count,
        period: row.periodMs === null ? null : formatPeriod(row.periodMs),
        reason: row.reason,
        updated_at: row.updatedAt.toISOString(),
      })),
    };
  }

  async set(o: { limit: string; subject: string; count: number; periodMs: number | null; reason: string | null }, actor: string, meta: Record<string, unknown>) {
    await handleCommand<RateLimitOverrideState>(this.aggregates, {
      streamId: streams.rateLimitOverride(o.limit, o.subject),
      evolve: evolveRateLimitOverride,
      metadata: { ...meta, actor },
      decide: (state) => decideRateLimitOverride(state, { type: 'SetRateLimitOverride', ...o, knownLimits: RATE_LIMIT_NAMES }),
    });
    return { limit: o.limit, subject: o.subject, count: o.count, period: o.periodMs === null ? null : formatPeriod(o.periodMs), reason: o.reason };
  }

  async remove(limit: string, subject: string, actor: string, meta: Record<string, unknown>) {
    await handleCommand<RateLimitOverrideState>(this.aggregates, {
      streamId: streams.rateLimitOverride(limit, subject),
      evolve: evolveRateLimitOverride,
      metadata: { ...meta, actor },
      decide: (state) => decideRateLimitOverride(state, { type: 'RemoveRateLimitOverride', limit, subject }),
    });
    return { removed: true, limit, subject };
  }
}

import { countExpiringBetween, countIssuedPerDay } from '../../projections/certificates/queries';
import { countOrdersByStatus } from '../../projections/orders/queries';
import type { Db } from '../db/db';
import type { CrlStatus } from '../ca/crl-token';
import type { ProjectionRunner } from '../projection/projection-runner';
import type { MaintenanceMode } from '../commands/maintenance';

/**
 * Figures for an operator's overview, each one the count behind a list the admin API can filter
 * to: certificates issued per day, expiring soon, failed validations by problem type, orders by
 * status, projection lag, CRL age, maintenance mode.
 */
export const EXPIRY_WINDOWS_DAYS = [7, 14, 30] as const;
export const ISSUED_DAYS = 90;
const DAY_MS = 86_400_000;

export interface Overview {
  generated_at: string;
  issued_per_day: Array<{ day: string; count: number }>;
  expiring: Array<{ days: number; before: string; count: number }>;
  failed_validations: Array<{ problem_type: string; count: number }>;
  orders_by_status: Record<'pending' | 'ready' | 'processing' | 'valid' | 'invalid', number>;
  projections: Array<{ name: string; status: string; lag: number }>;
  crl: { enabled: boolean; crl_number: string | null; this_update: string | null; age_seconds: number | null };
  maintenance: { enabled: boolean; reason: string | null; since: string | null; by: string | null };
}

export class AdminStats {
  constructor(
    private readonly pool: Db,
    private readonly projections: ProjectionRunner,
    private readonly crl: CrlStatus | null,
    private readonly maintenance: MaintenanceMode,
  ) {}

  async overview(now = new Date()): Promise<Overview> {
    const [issued, expiring, failed, orders, projections, crl, maintenance] = await Promise.all([
      this.issuedPerDay(now),
      this.expiring(now),
      this.failedValidations(),
      this.ordersByStatus(now),
      this.projections.status(),
      this.crl ? this.crl.builder.current() : Promise.resolve(null),
      this.maintenance.state(),
    ]);
    return {
      generated_at: now.toISOString(),
      issued_per_day: issued,
      expiring,
      failed_validations: failed,
      orders_by_status: orders,
      projections: projections.map((p) => ({ name: p.name, status: p.status, lag: p.lag })),
      crl: {
        enabled: Boolean(this.crl),
        crl_number: crl ? crl.crlNumber.toString() : null,
        this_update: crl ? crl.thisUpdate.toISOString() : null,
        age_seconds: crl ? Math.max(0, Math.round((now.getTime() - crl.thisUpdate.getTime()) / 1000)) : null,
      },
      maintenance: maintenance.state,
    };
  }

  /** One entry per UTC day, oldest first, today included. */
  private async issuedPerDay(now: Date): Promise<Overview['issued_per_day']> {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const from = new Date(today - (ISSUED_DAYS - 1) * DAY_MS);
    const counts = await countIssuedPerDay(this.pool, from);
    return Array.from({ length: ISSUED_DAYS }, (_, i) => {
      const day = new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10);
      return { day, count: counts.get(day) ?? 0 };
    });
  }

  /** Unrevoked, unexpired certificates whose notAfter falls before now + N days. */
  private async expiring(now: Date): Promise<Overview['expiring']> {
    return Promise.all(
      EXPIRY_WINDOWS_DAYS.map(async (days) => {
        const before = new Date(now.getTime() + days * DAY_MS);
        return { days, before: before.toISOString(), count: await countExpiringBetween(this.pool, now, before) };
      }),
    );
  }

  /** ChallengeFailed events by the problem type they recorded. */
  private async failedValidations(): Promise<Overview['failed_validations']> {
    const r = await this.pool.query(
      `SELECT data->'error'->>'type' AS problem_type, count(*)::int AS n FROM es_events WHERE event_type = 'ChallengeFailed' GROUP BY 1 ORDER BY 2 DESC, 1`,
    );
    return r.rows.map((x) => ({ problem_type: x.problem_type ?? 'unknown', count: x.n }));
  }

  private async ordersByStatus(now: Date): Promise<Overview['orders_by_status']> {
    const out = { pending: 0, ready: 0, processing: 0, valid: 0, invalid: 0 };
    for (const row of await countOrdersByStatus(this.pool, now)) out[row.status] = row.count;
    return out;
  }
}

/**
 * Load shedding before any database work. The tiers follow what operators of peer servers know
 * (thresholds fixed from the pool size), all measured on the room a request has (idle connections
 * plus those the pool may still open): headroom to grow -> allow; exhausted -> 503 Retry-After 5
 * except one recovery probe every 2 s, so an exhausted pool can drain; critical -> 503 Retry-After 3;
 * pressure with waiters -> 503 Retry-After 2. Errors reading the stats fail open.
 */
export interface PoolStats {
  max: number;
  /** Connections open (idle + checked out). */
  size: number;
  /** Idle connections. */
  available: number;
  /** Requests waiting for a connection. */
  waiting: number;
}

export interface Thresholds {
  critical: number;
  pressure: number;
}

export type GuardDecision = { allow: true; probe?: boolean } | { allow: false; retryAfter: number; tier: 'exhausted' | 'critical' | 'pressure' };

export function thresholdsFor(max: number): Thresholds {
  if (max <= 20) return { critical: Math.max(1, Math.floor((max * 3) / 10)), pressure: Math.max(2, Math.floor((max * 5) / 10)) };
  return { critical: Math.max(2, Math.floor(max / 10)), pressure: Math.max(3, Math.floor((max * 2) / 10)) };
}

export const RECOVERY_PROBE_INTERVAL_MS = 2000;

export class PoolGuard {
  readonly thresholds: Thresholds;
  private lastProbe = 0;

  constructor(
    max: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.thresholds = thresholdsFor(max);
  }

  decide(s: PoolStats): GuardDecision {
    const { critical, pressure } = this.thresholds;
    if (s.size + pressure <= s.max) return { allow: true };
    const checkedOut = s.size - s.available;
    // Room: connections a request can get without waiting for another to be returned, idle ones
    // plus the ones the pool may still open.
    const room = s.available + Math.max(0, s.max - s.size);
    if (s.available === 0 && s.waiting > 0) {
      // Still growing: the pool is opening connections for its waiters.
      if (s.size < s.max) return { allow: true };
      const now = this.clock();
      if (now - this.lastProbe >= RECOVERY_PROBE_INTERVAL_MS) {
        this.lastProbe = now;
        return { allow: true, probe: true };
      }
      return { allow: false, retryAfter: 5, tier: 'exhausted' };
    }
    if (room <= critical && checkedOut > critical) return { allow: false, retryAfter: 3, tier: 'critical' };
    if (room <= pressure && s.waiting > 0) return { allow: false, retryAfter: 2, tier: 'pressure' };
    return { allow: true };
  }
}

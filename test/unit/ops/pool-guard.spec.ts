import { PoolGuard, thresholdsFor } from '../../../src/ops/pool-guard';

describe('pool guard', () => {
  test.each([
    [5, 1, 2],
    [10, 3, 5],
    [20, 6, 10],
    [50, 5, 10],
    [100, 10, 20],
  ])('pool_max %i -> critical %i, pressure %i', (max, critical, pressure) => {
    expect(thresholdsFor(max)).toEqual({ critical, pressure });
  });

  test('headroom to grow allows', () => {
    expect(new PoolGuard(10).decide({ max: 10, size: 5, available: 0, waiting: 3 })).toEqual({ allow: true });
  });

  test('exhausted: 503 Retry-After 5, except one recovery probe every 2 s', () => {
    let now = 10_000;
    const g = new PoolGuard(10, () => now);
    const full = { max: 10, size: 10, available: 0, waiting: 4 };
    expect(g.decide(full)).toEqual({ allow: true, probe: true });
    expect(g.decide(full)).toEqual({ allow: false, retryAfter: 5, tier: 'exhausted' });
    now += 1999;
    expect(g.decide(full).allow).toBe(false);
    now += 1;
    expect(g.decide(full)).toEqual({ allow: true, probe: true });
  });

  test('critical and pressure tiers', () => {
    const g = new PoolGuard(10);
    expect(g.decide({ max: 10, size: 10, available: 3, waiting: 0 })).toEqual({ allow: false, retryAfter: 3, tier: 'critical' });
    expect(g.decide({ max: 10, size: 10, available: 5, waiting: 1 })).toEqual({ allow: false, retryAfter: 2, tier: 'pressure' });
    expect(g.decide({ max: 10, size: 10, available: 5, waiting: 0 })).toEqual({ allow: true });
    expect(g.decide({ max: 10, size: 10, available: 6, waiting: 2 })).toEqual({ allow: true });
  });

  test('room to grow counts: 4 of 10 in use with 3 open idle is not critical', () => {
    const g = new PoolGuard(10);
    expect(g.decide({ max: 10, size: 7, available: 3, waiting: 0 })).toEqual({ allow: true });
  });

  test('critical counts idle plus unopened connections', () => {
    const g = new PoolGuard(10);
    expect(g.decide({ max: 10, size: 8, available: 1, waiting: 0 })).toEqual({ allow: false, retryAfter: 3, tier: 'critical' });
    expect(g.decide({ max: 10, size: 9, available: 0, waiting: 0 })).toEqual({ allow: false, retryAfter: 3, tier: 'critical' });
    expect(g.decide({ max: 10, size: 8, available: 2, waiting: 0 })).toEqual({ allow: true });
  });

  test('pressure counts idle plus unopened connections and needs waiters', () => {
    const g = new PoolGuard(10);
    expect(g.decide({ max: 10, size: 9, available: 3, waiting: 1 })).toEqual({ allow: false, retryAfter: 2, tier: 'pressure' });
    expect(g.decide({ max: 10, size: 9, available: 3, waiting: 0 })).toEqual({ allow: true });
    expect(g.decide({ max: 10, size: 8, available: 4, waiting: 1 })).toEqual({ allow: true });
  });

  test('exhausted only when the pool is full, nothing idle and requests wait', () => {
    const g = new PoolGuard(10, () => 0);
    // The pool is still opening connections for its waiters: not exhausted.
    expect(g.decide({ max: 10, size: 9, available: 0, waiting: 4 })).toEqual({ allow: true });
    expect(g.decide({ max: 10, size: 10, available: 0, waiting: 0 })).toEqual({ allow: false, retryAfter: 3, tier: 'critical' });
  });

  test('large pools: thresholds scale, room decides', () => {
    const g = new PoolGuard(100);
    expect(g.decide({ max: 100, size: 85, available: 0, waiting: 0 })).toEqual({ allow: true });
    expect(g.decide({ max: 100, size: 95, available: 4, waiting: 0 })).toEqual({ allow: false, retryAfter: 3, tier: 'critical' });
    expect(g.decide({ max: 100, size: 100, available: 15, waiting: 2 })).toEqual({ allow: false, retryAfter: 2, tier: 'pressure' });
  });
});

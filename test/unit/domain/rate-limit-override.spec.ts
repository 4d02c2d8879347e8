import { AcmeError } from '../../../src/domain/errors';
import { decideRateLimitOverride, evolveRateLimitOverride, type RateLimitOverrideState } from '../../../src/domain/rate-limit-override';

const known = ['new_orders_per_account', 'certificates_per_registered_domain'];
const set = (count: number, extra: Partial<{ limit: string; periodMs: number | null; reason: string | null }> = {}) =>
  ({ type: 'SetRateLimitOverride', limit: 'new_orders_per_account', subject: 'acct-1', count, periodMs: null, reason: null, knownLimits: known, ...extra }) as const;

describe('rate-limit overrides', () => {
  test('set, set again unchanged (nothing recorded), change, remove', () => {
    let state: RateLimitOverrideState | null = null;
    const first = decideRateLimitOverride(state, set(1000));
    expect(first).toEqual([{ type: 'RateLimitOverrideSet', data: { limit: 'new_orders_per_account', subject: 'acct-1', count: 1000, periodMs: null, reason: null } }]);
    state = first.reduce(evolveRateLimitOverride, state);
    expect(decideRateLimitOverride(state, set(1000))).toEqual([]);
    expect(decideRateLimitOverride(state, set(0))).toHaveLength(1);
    const removed = decideRateLimitOverride(state, { type: 'RemoveRateLimitOverride', limit: 'new_orders_per_account', subject: 'acct-1' });
    expect(removed[0].type).toBe('RateLimitOverrideRemoved');
    state = removed.reduce(evolveRateLimitOverride, state);
    expect(state!.active).toBe(false);
  });

  test('unknown limits, negative counts and removing nothing are refused', () => {
    expect(() => decideRateLimitOverride(null, set(1, { limit: 'nope' }))).toThrow(/unknown rate limit 'nope'/);
    expect(() => decideRateLimitOverride(null, set(-1))).toThrow(AcmeError);
    expect(() => decideRateLimitOverride(null, set(1, { periodMs: 0 }))).toThrow(/period/);
    expect(() => decideRateLimitOverride(null, { type: 'RemoveRateLimitOverride', limit: 'new_orders_per_account', subject: 'x' })).toThrow(/no override/);
  });
});

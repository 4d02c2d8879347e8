import { AcmeError } from './errors';
import { assertStreamEvent, type DomainEvent, event } from './events';

/** One rate limit's override for one subject (an account id, a registered domain, an address). */
export interface RateLimitOverrideState {
  limit: string;
  subject: string;
  count: number;
  periodMs: number | null;
  reason: string | null;
  active: boolean;
}

export function evolveRateLimitOverride(state: RateLimitOverrideState | null, e: DomainEvent): RateLimitOverrideState | null {
  assertStreamEvent('ratelimit', e);
  if (e.type === 'RateLimitOverrideSet') return { ...e.data, active: true };
  return state ? { ...state, active: false } : state;
}

export type RateLimitOverrideCommand =
  | { type: 'SetRateLimitOverride'; limit: string; subject: string; count: number; periodMs: number | null; reason: string | null; knownLimits: readonly string[] }
  | { type: 'RemoveRateLimitOverride'; limit: string; subject: string };

/** An override is recorded when it changes something; removing one that is not set is a 404. */
export function decideRateLimitOverride(state: RateLimitOverrideState | null, cmd: RateLimitOverrideCommand): DomainEvent[] {
  if (cmd.type === 'SetRateLimitOverride') {
    if (!cmd.knownLimits.includes(cmd.limit)) throw new AcmeError('malformed', `unknown rate limit '${cmd.limit}' (one of ${cmd.knownLimits.join(', ')})`);
    if (!Number.isInteger(cmd.count) || cmd.count < 0) throw new AcmeError('malformed', 'count must be an integer >= 0 (0 exempts the subject)');
    if (cmd.periodMs !== null && (!Number.isInteger(cmd.periodMs) || cmd.periodMs <= 0)) throw new AcmeError('malformed', 'period must be longer than 0');
    if (state?.active && state.count === cmd.count && state.periodMs === cmd.periodMs && state.reason === cmd.reason) return [];
    return [event('RateLimitOverrideSet', { limit: cmd.limit, subject: cmd.subject, count: cmd.count, periodMs: cmd.periodMs, reason: cmd.reason })];
  }
  if (!state?.active) throw new AcmeError('malformed', `no override of ${cmd.limit} for ${cmd.subject}`, [], { reason: { kind: 'notFound' } });
  return [event('RateLimitOverrideRemoved', { limit: cmd.limit, subject: cmd.subject })];
}

import type { Decider } from '../../../../src/domain/decider';
import { AcmeError, type AcmeErrorType } from '../../../../src/domain/errors';
import type { DomainEvent } from '../../../../src/domain/events';

/** Runs `fn` and returns the AcmeError it throws; fails the test when it throws nothing else. */
export function refusalOf(fn: () => unknown): AcmeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AcmeError);
    return e as AcmeError;
  }
  throw new Error('expected a refusal, got none');
}

export function fold<S>(d: Pick<Decider<S, unknown, unknown>, 'initialState' | 'evolve'>, events: DomainEvent[]): S {
  return events.reduce((s, e) => d.evolve(s, e), d.initialState);
}

/**
 * given(history).when(command).then(events) | .thenRefuses(type, detail) for one decider and a
 * default context; `when` may override parts of the context.
 */
export function scenario<S, C, Ctx>(d: Decider<S, C, Ctx>, ctx: Ctx) {
  return {
    given: (history: DomainEvent[]) => ({
      when: (command: C, override: Partial<Ctx> = {}) => {
        const run = () => d.decide(fold(d, history), command, { ...ctx, ...override });
        return {
          then: (expected: DomainEvent[]) => expect(run()).toEqual(expected),
          thenRefuses: (type: AcmeErrorType, detail?: RegExp) => {
            const e = refusalOf(run);
            expect(e.type).toBe(type);
            if (detail) expect(e.detail).toMatch(detail);
            return e;
          },
        };
      },
    }),
  };
}

export const NOW = new Date('2026-11-24T12:00:00Z');
export const at = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Deterministic ids: prefix-1, prefix-2, … */
export function sequence(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

import type { Metrics } from '../ops/metrics';
import type { Runtime } from './runtime';

/** Counts a job's outcome; a failure is logged and rethrown so its safety-net job runs it again. */
export function counted<A extends unknown[]>(rt: Runtime, metrics: Metrics, queue: string, fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
      metrics.jobs.inc({ queue, result: 'completed' });
    } catch (e) {
      metrics.jobs.inc({ queue, result: 'failed' });
      rt.log.warn({ queue, err: (e as Error).message }, 'job failed; it will be retried');
      throw e;
    }
  };
}

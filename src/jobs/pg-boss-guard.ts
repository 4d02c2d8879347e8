/**
 * pg-boss 10.4.2 settles a job by calling `complete()` or `fail()` without awaiting the promise
 * (Manager.watch). When the database is away at that instant (57P01 during a restart, 57P03 while it
 * shuts down) the rejection is unhandled, and Node ends the process. This wraps both methods so the
 * promise they return carries a rejection handler that logs; callers that await it still see the
 * rejection. A completion lost to an outage is sent again with backoff; a job whose settlement is
 * lost for good stays active and is taken again after its lease, which the job handlers tolerate:
 * they are idempotent.
 */
import { isDatabaseUnavailable } from '../db/pool-errors';

const Manager = require('pg-boss/src/manager') as { prototype: Record<string, unknown> };

/** Jobs this process ran but another instance took over meanwhile: their settlement belongs to the new run. */
const relinquished = new Set<string>();

/**
 * Marks a job this process no longer holds (lease-takeover.ts gave it to another instance): the
 * complete() or fail() pg-boss is about to send for it is dropped, so it cannot settle, or put back
 * in the queue, the run that now holds it.
 */
export function relinquishSettlement(jobId: string): void {
  relinquished.add(jobId);
}

const COMPLETE_RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];

async function retryComplete(send: () => Promise<unknown>, queue: string, first: Error): Promise<void> {
  let last = first;
  for (const delay of COMPLETE_RETRY_DELAYS_MS) {
    await new Promise((r) => setTimeout(r, delay).unref());
    try {
      await send();
      return;
    } catch (e) {
      last = e as Error;
      if (!isDatabaseUnavailable(e)) break;
    }
  }
  onLost('complete', queue, last);
}

type Settle = (this: unknown, name: string, id: unknown, ...rest: unknown[]) => Promise<unknown>;
const PATCHED = Symbol.for('certledger.pg-boss-settle-guard');
let onLost: (method: string, queue: string, e: Error) => void = () => undefined;

/** Installs the guard once per process; `log` receives settlements lost to a database error. */
export function guardPgBossSettlement(log: (method: string, queue: string, e: Error) => void): void {
  onLost = log;
  const proto = Manager.prototype as Record<string | symbol, unknown>;
  if (proto[PATCHED]) return;
  for (const method of ['complete', 'fail'] as const) {
    const original = proto[method] as Settle;
    if (typeof original !== 'function') throw new Error(`pg-boss Manager has no ${method}(): the settlement guard needs updating for this pg-boss version`);
    proto[method] = function (this: unknown, name: string, id: unknown, ...rest: unknown[]) {
      const ids = Array.isArray(id) ? (id as string[]) : [id as string];
      if (ids.length > 0 && ids.every((x) => relinquished.has(x))) {
        for (const x of ids) relinquished.delete(x);
        return Promise.resolve({ jobs: [], requested: ids.length, affected: 0 });
      }
      const p = original.call(this, name, id, ...rest);
      p.catch((e: Error) => {
        // A completion lost to an outage is sent again once the database is back: the job is still
        // active and this run's. A lost fail() is left to the lease: retrying it late could put back
        // in the queue a job another instance has started meanwhile.
        if (method === 'complete' && isDatabaseUnavailable(e)) void retryComplete(() => original.call(this, name, id, ...rest), name, e);
        else onLost(method, name, e);
      });
      return p;
    } as Settle;
  }
  proto[PATCHED] = true;
}

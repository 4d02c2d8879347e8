/**
 * pg-boss 10.4.2 settles a job by calling `complete()` or `fail()` without awaiting the promise
 * (Manager.watch). When the database is away at that instant (57P01 during a restart, 57P03 while it
 * shuts down) the rejection is unhandled, and Node ends the process. This wraps both methods so the
 * promise they return carries a rejection handler that logs; callers that await it still see the
 * rejection. A job whose settlement was lost stays active and is taken again after its lease (or by
 * the lease takeover), which the job handlers tolerate: they are idempotent.
 */
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
      p.catch((e: Error) => onLost(method, name, e));
      return p;
    } as Settle;
  }
  proto[PATCHED] = true;
}

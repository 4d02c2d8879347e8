import { ALL_PROJECTIONS } from '../../projections';
import { AggregateStore } from '../commands/aggregate-store';
import type { EventStore } from '../eventstore/event-store';
import type { JobQueue } from '../jobs/job-queue';
import { requestedWork } from '../jobs/requested-work';
import { applyInline } from '../projection/projection-runner';

/**
 * The one way events are written: every append carries, in its own transaction, the inline read
 * models of ALL_PROJECTIONS and the safety-net job of any work its events ask for and do not
 * already record the outcome of (due after `jobDelayMs`, by when the instance that took the
 * request has normally done it). All of it only
 * writes, and travels with the append in one round trip.
 */
export function createWritePath(opts: { store: EventStore; serverId?: string; jobs: Pick<JobQueue, 'sendDelayedIn'>; jobDelayMs: number }): AggregateStore {
  const inline = applyInline(ALL_PROJECTIONS);
  return new AggregateStore(opts.store, opts.serverId ? { serverId: opts.serverId } : {}, async (writes, events) => {
    await inline(writes, events);
    for (const e of events) {
      const work = requestedWork(e, events);
      if (work) await opts.jobs.sendDelayedIn(writes, work.queue, work.data, work.id, opts.jobDelayMs);
    }
  });
}

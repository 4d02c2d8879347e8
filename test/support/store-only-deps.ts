import type { AcmeDeps } from '../../src/commands/acme-deps';
import type { JobQueue } from '../../src/jobs/job-queue';
import { createWritePath } from '../../src/runtime/write-path';
import type { PgStoreFixture } from './postgres-store';

/**
 * ACME dependencies on a real store and job queue, for specs of periodic work (cleanup, expiration
 * warnings) that never sign, validate or apply issuance policy: those members are absent.
 */
export function storeOnlyDeps(fx: PgStoreFixture, jobs: JobQueue, now: () => Date, serverId?: string): AcmeDeps {
  return {
    aggregates: createWritePath({ store: fx.store, serverId, jobs, jobDelayMs: 60_000 }),
    jobs,
    work: { validate: () => undefined },
    db: fx.pool,
    ca: undefined as never,
    policy: undefined as never,
    now,
    newId: () => 'x',
    newToken: () => 'y',
  };
}

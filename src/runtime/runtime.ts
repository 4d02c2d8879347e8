import type { EventStore } from '../eventstore/event-store';
import type { JobQueue } from '../jobs/job-queue';
import type { Logger } from '../ops/logger';
import type { ProjectionRunner } from '../projection/projection-runner';
import type { Database } from './database';

/** The process-wide pieces the web layer and workers share, built once at boot. */
export interface Runtime {
  log: Logger;
  db: Database;
  store: EventStore;
  projections: ProjectionRunner;
  jobs: JobQueue;
  /** Set when shutdown begins: readiness turns 503 so load balancers stop sending traffic. */
  shuttingDown: boolean;
  close(): Promise<void>;
}

export const RUNTIME = Symbol('certledger.runtime');

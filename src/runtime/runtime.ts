import type { AggregateStore } from '../commands/aggregate-store';
import type { EventStore, StoredEvent } from '../eventstore/event-store';
import type { JobQueue } from '../jobs/job-queue';
import type { LeaseKeeper } from '../jobs/lease-takeover';
import type { AuditLog } from '../ops/audit/audit-log';
import type { NodeStatus } from '../ops/node-status';
import type { Logger } from '../ops/logger';
import type { ProjectionRunner } from '../projection/projection-runner';
import type { ComponentHealth } from '../db/component-health';
import type { Database } from './database';

/** The process-wide pieces the web layer and workers share, built once at boot. */
export interface Runtime extends NodeStatus {
  log: Logger;
  /** This node's identity, recorded in every event and audit line. */
  serverId: string;
  audit?: AuditLog;
  db: Database;
  store: EventStore;
  /** The one way events are written: inline read models and job rows commit with them. */
  aggregates: AggregateStore;
  projections: ProjectionRunner;
  jobs: JobQueue;
  /** Heartbeat of this process and the takeover of jobs held by silent instances. */
  leases: LeaseKeeper;
  /** Background components still failing to reach the database: /readyz is 503 while any is. */
  health: ComponentHealth;
  /** Set when shutdown begins: readiness turns 503 so load balancers stop sending traffic. */
  shuttingDown: boolean;
  /**
   * Calls `listener` with the events of each append this process commits, after the commit. In
   * memory and fire-and-forget: for reactions a crash may lose (metrics), never for durable work.
   */
  onCommitted(listener: (events: StoredEvent[]) => void): () => void;
  close(): Promise<void>;
}


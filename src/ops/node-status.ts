import type { ComponentHealth } from '../db/component-health';
import type { JobQueue } from '../jobs/job-queue';
import type { ProjectionRunner } from '../projection/projection-runner';
import type { Logger } from './logger';

/** A connection pool as health checks and load shedding see it: its counters and a ping. */
export interface PoolView {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { max?: number };
  query(sql: string): Promise<unknown>;
}

/**
 * What the health endpoints and the problem filter read about this node. The composition root passes its
 * runtime, which has all of it, so nothing here reaches up into src/runtime.
 */
export interface NodeStatus {
  readonly log: Logger;
  /** This node's identity, recorded in every event and audit line. */
  readonly serverId: string;
  /** Set when shutdown begins: readiness turns 503 so load balancers stop sending traffic. */
  readonly shuttingDown: boolean;
  readonly db: { readonly pool: PoolView; readonly backgroundPool: PoolView };
  readonly health: Pick<ComponentHealth, 'problems'>;
  readonly projections: Pick<ProjectionRunner, 'status'>;
  readonly jobs: Pick<JobQueue, 'running' | 'pending' | 'pendingByQueue'>;
}

export const NODE_STATUS = Symbol('certledger.node-status');

import PgBoss from 'pg-boss';
import type { Pool } from 'pg';
import type { SqlTx } from '../projection/projection';
import type { HealthReporter } from '../db/component-health';
import { Backoff } from '../db/backoff';
import { isDatabaseUnavailable } from '../db/pool-errors';
import { guardPgBossSettlement, relinquishSettlement } from './pg-boss-guard';

/**
 * Durable background work on pg-boss, inside our own PostgreSQL (schema certledger_jobs). A claimed
 * job holds a lease (expireInSeconds); a job whose instance died or stopped before finishing is
 * retried once its lease expires, by any instance. Jobs are enqueued from event subscriptions in
 * the same transaction as the subscriber's checkpoint, so none is lost or doubled.
 */
export const QUEUES = {
  validation: 'challenge-validation',
  issuance: 'order-issuance',
  email: 'notification-email',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** workers.poll_interval's default, for queues built without a configuration (tests, commands). */
const DEFAULT_POLL_MS = 30_000;
/** Workers past the first of a queue look for work only when woken: a day is "never" for them. */
const WOKEN_ONLY_SECONDS = 86_400;

export interface JobQueueOptions {
  pool: Pool;
  leaseMs: number;
  /** Email delivery: retries with a delay doubling from emailRetryDelayMs (pg-boss backoff). */
  emailRetryLimit?: number;
  emailRetryDelayMs?: number;
  /** How often one idle worker per queue looks for work no wake-up announced (workers.poll_interval). */
  pollIntervalMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Told whether the queue's own queries (fetch, maintenance) reach the database. */
  health?: HealthReporter;
  /** Records which process runs which job, so a dead instance's jobs are taken over fast (lease-takeover.ts). */
  claims?: JobClaims;
}

/** lease-takeover.ts: who runs which job, in the worker and for the safety-net jobs of in-process work. */
export interface JobClaims {
  claim(queue: string, jobId: string): Promise<void>;
  release(jobId: string): Promise<boolean>;
  claimIn(tx: SqlTx, queue: string, jobId: string): Promise<void>;
  releaseIn(tx: SqlTx, jobId: string): Promise<void>;
}

export type JobHandler<T> = (data: T, job: { id: string; retryCount: number }) => Promise<void>;

export class JobQueue {
  readonly boss: PgBoss;
  private readonly workerIds = new Map<string, string[]>();
  private started = false;
  private readonly outage = new Backoff();
  private lookAgainTimer?: NodeJS.Timeout;

  constructor(private readonly opts: JobQueueOptions) {
    guardPgBossSettlement((method, queue, e) => opts.log?.(`job ${method} lost; the job is taken again after its lease`, { queue, error: e.message }));
    const executeSql = (text: string, values: unknown[]) =>
      opts.pool.query(text, values as never[]).then(
        (r) => {
          opts.health?.ok('job-queue');
          this.outage.reset();
          return r;
        },
        (e) => {
          if (isDatabaseUnavailable(e)) {
            opts.health?.failed('job-queue', e);
            this.lookAgainSoon();
          }
          throw e;
        },
      );
    this.boss = new PgBoss({
      db: { executeSql },
      schema: 'certledger_jobs',
      migrate: true,
      supervise: true,
      // Expired leases are found by the maintenance pass, once per lease: a dead instance's claimed
      // jobs are taken over sooner by lease-takeover.ts; this catches a job claimed by nobody.
      maintenanceIntervalSeconds: Math.max(1, Math.round(opts.leaseMs / 1000)),
      schedule: false,
    } as PgBoss.ConstructorOptions);
    this.boss.on('error', (e) => opts.log?.('job queue error', { error: e.message }));
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    const lease = Math.max(1, Math.round(this.opts.leaseMs / 1000));
    for (const name of Object.values(QUEUES)) {
      const email = name === QUEUES.email;
      const queue = {
        name,
        policy: 'standard' as const,
        retryLimit: email ? (this.opts.emailRetryLimit ?? 3) : 5,
        retryDelay: email ? Math.max(1, Math.round((this.opts.emailRetryDelayMs ?? 60_000) / 1000)) : 2,
        retryBackoff: true,
        expireInSeconds: lease,
      };
      if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, queue);
      else await this.boss.createQueue(name, queue);
    }
    this.started = true;
  }

  /** Enqueues inside the caller's transaction; `key` makes the enqueue idempotent (one job per key). */
  async sendIn(tx: SqlTx, queue: QueueName, data: object, key: string): Promise<void> {
    await this.boss.send(queue, data, {
      singletonKey: key,
      db: { executeSql: (text: string, values: unknown[]) => tx.query(text, values) as Promise<{ rows: any[] }> },
    });
  }

  /**
   * Enqueues a safety-net job inside the caller's transaction: it becomes due only after
   * `delayMs`, by when the instance that took the request has normally done the work itself and
   * removed the job (`dropIn`). If that instance dies first, any instance runs it. Both the job row
   * and this process's claim are plain writes, so they go on `writes`, which travel with the append.
   * The job goes through pg-boss's batch insert, whose values are read from a JSON record set, so
   * it means the same sent with bound parameters (as the append sends it) or written out as
   * literals (its single-job insert folds its CASE over a literal delay at plan time and fails).
   */
  async sendDelayedIn(writes: SqlTx, queue: QueueName, data: object, id: string, delayMs: number): Promise<void> {
    const startAfter = String(Math.max(1, Math.ceil(delayMs / 1000)));
    await this.boss.insert([{ id, name: queue, data, singletonKey: id, startAfter }], {
      db: {
        executeSql: async (text: string, values: unknown[]) => {
          await writes.query(text, values);
          return { rows: [] };
        },
      },
    });
    // This process does the work in-process: should it die, another instance runs the job at once.
    await this.opts.claims?.claimIn(writes, queue, id);
  }

  /**
   * Removes a job inside the caller's transaction, where the work it stood for is recorded. Both
   * statements only write, so `tx` may be a batch sent with the append: nothing here reads what
   * they return.
   */
  async dropIn(tx: SqlTx, queue: QueueName, id: string): Promise<void> {
    await this.boss.deleteJob(queue, id, {
      db: {
        executeSql: async (text: string, values: unknown[]) => {
          await tx.query(text, values);
          return null as unknown as { rows: any[] };
        },
      },
    });
    await this.opts.claims?.releaseIn(tx, id);
  }

  /**
   * Runs `handler` for jobs of the queue, `concurrency` at a time on this instance. Jobs are found
   * by wake-ups: a local enqueue (wake), a takeover (lease-takeover.ts), or a job just found, which
   * sends the next worker looking and its own worker looking again once done, so a backlog is
   * drained `concurrency` at a time. Without any wake-up one worker per queue looks every
   * `pollIntervalMs`, for the safety-net jobs nobody announced (retries, delayed jobs come due): an
   * idle queue costs one query per interval however high the concurrency.
   */
  async work<T>(queue: QueueName, concurrency: number, handler: JobHandler<T>, pollIntervalMs = this.opts.pollIntervalMs ?? DEFAULT_POLL_MS): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < concurrency; i++) {
      const pollingIntervalSeconds = i === 0 ? Math.max(0.5, pollIntervalMs / 1000) : WOKEN_ONLY_SECONDS;
      const id = await this.boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds, includeMetadata: true }, async ([job]) => {
        // A worker not registered yet looks once as it starts anyway.
        const next = ids[(i + 1) % concurrency];
        if (next) this.boss.notifyWorker(next);
        await this.opts.claims?.claim(queue, job.id);
        try {
          await handler(job.data, { id: job.id, retryCount: (job as PgBoss.JobWithMetadata<T>).retryCount ?? 0 });
        } finally {
          // Taken over by another instance meanwhile: the settlement belongs to the run that holds it now.
          if ((await this.opts.claims?.release(job.id).catch(() => true)) === false) relinquishSettlement(job.id);
          this.boss.notifyWorker(id);
        }
      });
      ids.push(id);
    }
    this.workerIds.set(queue, ids);
  }

  /** Wakes this instance's idle workers of a queue (a local enqueue, a job taken over). */
  wake(queue: string): void {
    for (const id of this.workerIds.get(queue as QueueName) ?? []) this.boss.notifyWorker(id);
  }

  /**
   * The database went away: the polling workers look again with backoff rather than at their next
   * poll, so readiness (the 'job-queue' component) and the jobs come back soon after the database.
   */
  private lookAgainSoon(): void {
    if (this.lookAgainTimer || !this.started) return;
    this.lookAgainTimer = setTimeout(() => {
      this.lookAgainTimer = undefined;
      for (const ids of this.workerIds.values()) this.boss.notifyWorker(ids[0]);
    }, this.outage.next());
    this.lookAgainTimer.unref();
  }

  async pending(queue: QueueName): Promise<number> {
    return this.boss.getQueueSize(queue);
  }

  async pendingByQueue(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const q of Object.values(QUEUES)) out[q] = await this.pending(q);
    return out;
  }

  get running(): boolean {
    return this.started;
  }

  /** Stops fetching, waits up to `drainMs` for claimed jobs; unfinished ones return after their lease. */
  async stop(drainMs: number): Promise<void> {
    if (!this.started) return;
    await this.boss.stop({ graceful: true, timeout: drainMs, close: false, wait: true });
    this.started = false;
    clearTimeout(this.lookAgainTimer);
    this.lookAgainTimer = undefined;
  }
}

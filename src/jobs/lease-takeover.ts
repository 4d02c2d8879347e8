import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db';
import type { SqlTx } from '../projection/projection';
import type { HealthReporter } from '../db/component-health';

/**
 * Dead instances release their work fast. pg-boss knows that a job is active, not who runs it, and
 * hands it out again only when its lease (workers.lease) expires. Each serving process therefore
 * has a boot id and a row in server_processes that its heartbeat refreshes every
 * workers.heartbeat_interval, and each job handler records its claim (job id, boot id) in
 * job_leases while it runs. Every instance looks, after each heartbeat, for claims of processes
 * silent for longer than workers.takeover_after (or gone from server_processes) and puts those
 * jobs back in the queue as retries, at once. The safety-net job of work a process does in-process
 * (validation right after the request) is claimed in the transaction that creates it; when that
 * process falls silent, the job is made due at once instead of after its delay.
 *
 * One job never runs twice at the same time: the claim row is deleted and the job moved from
 * 'active' to 'retry' in one statement, so of two instances racing for the same dead claim one
 * wins and the other finds nothing; the job is handed out again only after that commit; and a
 * process is taken for dead only after missing three heartbeats or more (the configuration refuses
 * a shorter takeover_after). A process that is alive but cut off from the database cannot settle
 * its job either, and the handlers append with expected revisions, so a late duplicate outcome is
 * refused by the event store.
 */
export interface LeaseKeeperOptions {
  pool: Db;
  serverId: string;
  /** pg-boss schema holding the job table. */
  jobSchema: string;
  heartbeatMs: number;
  takeoverAfterMs: number;
  health?: HealthReporter;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Told the queues of jobs just taken over, so this instance's idle workers fetch them at once. */
  onTakenOver?: (queues: string[]) => void;
}

/** Claims and process rows left behind are history: removed once an hour, not on every heartbeat. */
const HOUSEKEEPING_MS = 3_600_000;

export interface TakenOver {
  jobId: string;
  queue: string;
  bootId: string;
}

export class LeaseKeeper {
  readonly bootId = randomUUID();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private takeover = false;
  private housekeptAt = 0;

  constructor(private readonly opts: LeaseKeeperOptions) {}

  /** Registers this process and marks its server seen, in one statement; the heartbeat repeats it from start(). */
  async register(): Promise<void> {
    await this.opts.pool.query(
      `WITH server AS (UPDATE servers SET last_seen = now() WHERE server_id = $2)
       INSERT INTO server_processes (boot_id, server_id, pid) VALUES ($1, $2, $3)
       ON CONFLICT (boot_id) DO UPDATE SET last_seen = now()`,
      [this.bootId, this.opts.serverId, process.pid],
    );
  }

  /** Heartbeat (servers and server_processes) every heartbeatMs. */
  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.running = this.beat().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.opts.heartbeatMs).unref();
      });
    };
    this.timer = setTimeout(tick, Math.min(this.opts.heartbeatMs, 1000)).unref();
  }

  /** After each heartbeat, also release the claims of silent processes (once this process runs job workers). */
  enableTakeover(): void {
    this.takeover = true;
  }

  private async beat(): Promise<void> {
    try {
      await this.register();
      this.opts.health?.ok('heartbeat');
    } catch (e) {
      this.opts.health?.failed('heartbeat', e);
      this.opts.log?.('server heartbeat failed', { error: (e as Error).message });
      return;
    }
    if (!this.takeover) return;
    try {
      const taken = await this.releaseDead();
      for (const t of taken) this.opts.log?.('took over a job of a silent instance', { jobId: t.jobId, queue: t.queue, bootId: t.bootId });
      if (taken.length > 0) this.opts.onTakenOver?.([...new Set(taken.map((t) => t.queue))]);
    } catch (e) {
      this.opts.log?.('job takeover failed', { error: (e as Error).message });
    }
  }

  /** Records that this process runs the job (before the handler starts). */
  async claim(queue: string, jobId: string): Promise<void> {
    await this.opts.pool.query(
      `INSERT INTO job_leases (job_id, queue, boot_id) VALUES ($1, $2, $3)
       ON CONFLICT (job_id) DO UPDATE SET queue = $2, boot_id = $3, claimed_at = now()`,
      [jobId, queue, this.bootId],
    );
  }

  /**
   * Claims a safety-net job in the transaction that creates it: the work it stands for runs
   * in-process on this instance, and the job is due only later. Should this process fall silent,
   * another instance makes the job due at once.
   */
  async claimIn(tx: SqlTx, queue: string, jobId: string): Promise<void> {
    await tx.query(
      `INSERT INTO job_leases (job_id, queue, boot_id) VALUES ($1, $2, $3)
       ON CONFLICT (job_id) DO UPDATE SET queue = $2, boot_id = $3, claimed_at = now()`,
      [jobId, queue, this.bootId],
    );
  }

  /** Drops the claim in the transaction that removes the job (its work is recorded there). */
  async releaseIn(tx: SqlTx, jobId: string): Promise<void> {
    await tx.query('DELETE FROM job_leases WHERE job_id = $1', [jobId]);
  }

  /**
   * Forgets the claim once the handler ended. Returns false when the claim was no longer this
   * process's: another instance took the job over, and this run must not settle it.
   */
  async release(jobId: string): Promise<boolean> {
    const r = await this.opts.pool.query('DELETE FROM job_leases WHERE job_id = $1 AND boot_id = $2', [jobId, this.bootId]);
    return (r.rowCount ?? 0) > 0;
  }

  /**
   * Puts the active jobs of silent processes back in the queue, in one statement: claim rows of
   * processes not seen for takeoverAfterMs (or not registered at all) are deleted, and the jobs they
   * name that are still active become retries available now.
   */
  async releaseDead(): Promise<TakenOver[]> {
    const s = this.opts.jobSchema;
    const r = await this.opts.pool.query(
      `WITH gone AS (
         DELETE FROM job_leases l
         WHERE l.boot_id <> $1
           AND NOT EXISTS (
             SELECT 1 FROM server_processes p
             WHERE p.boot_id = l.boot_id AND p.last_seen >= now() - $2::int * interval '1 millisecond')
         RETURNING l.job_id, l.queue, l.boot_id
       ), retried AS (
         UPDATE ${s}.job j
         SET state = 'retry', start_after = now(),
             output = jsonb_build_object('message', 'taken over: the instance running it stopped heartbeating', 'boot_id', gone.boot_id)
         FROM gone
         WHERE j.name = gone.queue AND j.id = gone.job_id AND j.state = 'active'
         RETURNING j.id, j.name, gone.boot_id
       ), hastened AS (
         -- Safety-net jobs of in-process work the silent process will not finish: due now.
         UPDATE ${s}.job j
         SET start_after = now()
         FROM gone
         WHERE j.name = gone.queue AND j.id = gone.job_id AND j.state IN ('created', 'retry') AND j.start_after > now()
         RETURNING j.id, j.name, gone.boot_id
       )
       SELECT id::text AS job_id, name AS queue, boot_id::text AS boot_id FROM retried
       UNION ALL
       SELECT id::text, name, boot_id::text FROM hastened`,
      [this.bootId, this.opts.takeoverAfterMs],
    );
    if (Date.now() - this.housekeptAt >= HOUSEKEEPING_MS) {
      await this.houseKeep();
      this.housekeptAt = Date.now();
    }
    return r.rows.map((row) => ({ jobId: row.job_id, queue: row.queue, bootId: row.boot_id }));
  }

  /** Removes claims and process rows nobody will read again; runs with the first takeover pass, then hourly. */
  async houseKeep(): Promise<void> {
    const s = this.opts.jobSchema;
    // Claims of live processes whose job is gone (settled and removed elsewhere) are history too.
    await this.opts.pool.query(
      `DELETE FROM job_leases l WHERE l.claimed_at < now() - interval '1 hour'
       AND NOT EXISTS (SELECT 1 FROM ${s}.job j WHERE j.id = l.job_id AND j.state < 'completed')`,
    );
    // Processes silent for a day are history; their rows would only grow the table.
    await this.opts.pool.query(`DELETE FROM server_processes WHERE last_seen < now() - interval '1 day'`);
  }

  /** Stops the heartbeat and, on a clean shutdown, removes this process's row. */
  async stop(options: { unregister: boolean } = { unregister: true }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (options.unregister) await this.opts.pool.query('DELETE FROM server_processes WHERE boot_id = $1', [this.bootId]).catch(() => undefined);
  }
}

import type { DbPool } from '../db/db';

/**
 * Periodic work that must run on exactly one instance at a time (CRL builds, expiration warnings,
 * cleanup). Every instance ticks; each run first takes a PostgreSQL advisory lock named after the
 * task on a dedicated connection, and an instance that does not get it skips that round.
 */
export interface PeriodicTask {
  name: string;
  intervalMs: number;
  run(now: Date): Promise<void>;
}

export async function runExclusive<T>(pool: DbPool, name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = await pool.connect();
  try {
    const got = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`certledger:${name}`]);
    if (!got.rows[0].ok) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`certledger:${name}`]);
    }
  } finally {
    client.release();
  }
}

export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly pool: DbPool,
    private readonly tasks: PeriodicTask[],
    private readonly onError: (task: string, e: Error) => void,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  start(): void {
    for (const task of this.tasks) {
      const tick = () => {
        if (this.stopped) return;
        const p = runExclusive(this.pool, task.name, () => task.run(this.clock()))
          .catch((e) => this.onError(task.name, e as Error))
          .finally(() => {
            this.running.delete(p);
            if (!this.stopped) this.timers.push(setTimeout(tick, task.intervalMs).unref());
          });
        this.running.add(p);
      };
      this.timers.push(setTimeout(tick, Math.min(1000, task.intervalMs)).unref());
    }
  }

  /** Stops ticking and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }
}

import type { DbPool } from '../db/db';

/**
 * Periodic work that must run on exactly one instance at a time (CRL builds, expiration warnings,
 * cleanup). Every instance ticks; each run first takes a PostgreSQL advisory lock named after the
 * task on a dedicated connection, and an instance that does not get it skips that round.
 */
export interface PeriodicTask {
  name: string;
  /** A function when a configuration reload (SIGHUP) may change it; read before each wait. */
  intervalMs: number | (() => number);
  run(now: Date): Promise<void>;
}

export function intervalOf(task: PeriodicTask): number {
  return typeof task.intervalMs === 'function' ? task.intervalMs() : task.intervalMs;
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

/** A task waiting for its next run: the timer, how long it was set for, and what it will call. */
interface Waiting {
  timer: NodeJS.Timeout;
  ms: number;
  tick: () => void;
}

export class Scheduler {
  private readonly waiting = new Map<PeriodicTask, Waiting>();
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
            if (!this.stopped) this.wait(task, tick, intervalOf(task));
          });
        this.running.add(p);
      };
      this.wait(task, tick, Math.min(1000, intervalOf(task)));
    }
  }

  /**
   * After a configuration reload: a waiting task whose interval changed waits its new interval from
   * now, so an interval shortened from 1h takes effect at once instead of after the old wait.
   */
  rearm(): void {
    if (this.stopped) return;
    for (const [task, w] of this.waiting) {
      const ms = intervalOf(task);
      if (ms === w.ms) continue;
      clearTimeout(w.timer);
      this.wait(task, w.tick, ms);
    }
  }

  /** Stops ticking and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    await Promise.allSettled([...this.running]);
  }

  private wait(task: PeriodicTask, tick: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.waiting.delete(task);
      tick();
    }, ms).unref();
    this.waiting.set(task, { timer, ms, tick });
  }
}

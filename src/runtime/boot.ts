import { ALL_PROJECTIONS } from '../../projections';
import { assertSchemaCurrent, migrate } from '../db/migrator';
import { PostgresEventStore } from '../eventstore/postgres/postgres-event-store';
import { jobDispatcher } from '../jobs/job-dispatcher';
import { JobQueue } from '../jobs/job-queue';
import type { Logger } from '../ops/logger';
import { ProjectionRunner } from '../projection/projection-runner';
import { type DatabaseSettings, openDatabase } from './database';
import type { Runtime } from './runtime';

export interface BootSettings {
  database: DatabaseSettings & { autoSetup: boolean };
  pollIntervalMs: number;
  jobLeaseMs: number;
}

/**
 * Opens the database (embedded when none is configured), brings the schema up to date or refuses
 * a schema this binary cannot serve, and prepares the event store, the job queue and the
 * projections (read models plus the job dispatcher).
 */
export async function boot(s: BootSettings, log: Logger): Promise<Runtime> {
  const db = await openDatabase(s.database, log);
  try {
    if (s.database.autoSetup) {
      const applied = await migrate(db.pool);
      if (applied.length > 0) log.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, 'database migrations applied');
    } else {
      await assertSchemaCurrent(db.pool);
    }
    const store = new PostgresEventStore({ pool: db.pool, listenUrl: db.url, pollIntervalMs: s.pollIntervalMs });
    const jobs = new JobQueue({ pool: db.pool, leaseMs: s.jobLeaseMs, log: (msg, fields) => log.warn(fields ?? {}, msg) });
    const projections = new ProjectionRunner({
      store,
      pool: db.pool,
      projections: [...ALL_PROJECTIONS, jobDispatcher(jobs)],
      pollIntervalMs: s.pollIntervalMs,
      log: (msg, fields) => log.warn(fields ?? {}, msg),
    });
    await projections.prepare();
    const runtime: Runtime = {
      log,
      db,
      store,
      jobs,
      projections,
      shuttingDown: false,
      close: async () => {
        await projections.stop();
        await store.close();
        await db.close();
      },
    };
    return runtime;
  } catch (e) {
    await db.close();
    throw e;
  }
}

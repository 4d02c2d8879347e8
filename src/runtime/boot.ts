import { ALL_PROJECTIONS } from '../../projections';
import type { Config } from '../config';
import { assertSchemaCurrent } from '../db/migrator';
import { migrateAsOwner } from '../db/roles';
import { PostgresEventStore } from '../eventstore/postgres/postgres-event-store';
import type { StoredEvent } from '../eventstore/event-store';
import { EventChainer } from '../eventstore/postgres/event-chain';
import { jobDispatcher } from '../jobs/job-dispatcher';
import { JobQueue } from '../jobs/job-queue';
import { LeaseKeeper } from '../jobs/lease-takeover';
import type { Logger } from '../ops/logger';
import { ProjectionRunner } from '../projection/projection-runner';
import { createWritePath } from './write-path';
import { auditFile, auditSecret } from '../ops/audit/audit-secret';
import { AuditLog } from '../ops/audit/audit-log';
import { auditProjection } from '../ops/audit/audit-projection';
import { ensureServerId, registerServer } from '../ops/node-identity';
import { ComponentHealth } from '../db/component-health';
import { VERSION } from '../version';
import { type DatabaseSettings, openDatabase } from './database';
import type { Runtime } from './runtime';

export interface BootSettings {
  database: DatabaseSettings & { autoSetup: boolean };
  pollIntervalMs: number;
  jobPollIntervalMs: number;
  jobLeaseMs: number;
  heartbeatMs: number;
  takeoverAfterMs: number;
  audit: { enabled: boolean; hmacSecret: string | null };
  email: { send: boolean; retryLimit: number; retryDelayMs: number };
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
      const applied = await migrateAsOwner(db.pool, db.url, db.ownerUrl);
      if (applied.length > 0) log.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, 'database migrations applied');
    } else {
      await assertSchemaCurrent(db.pool);
    }
    const serverId = ensureServerId(s.database.dataDir);
    await registerServer(db.pool, serverId, VERSION);
    const health = new ComponentHealth((component, problem) =>
      problem ? log.warn({ component, err: problem.error }, 'background component cannot reach the database; retrying') : log.info({ component }, 'background component resumed'),
    );
    const leases = new LeaseKeeper({
      pool: db.backgroundPool,
      serverId,
      jobSchema: 'certledger_jobs',
      heartbeatMs: s.heartbeatMs,
      takeoverAfterMs: s.takeoverAfterMs,
      health,
      log: (msg, fields) => log.warn(fields ?? {}, msg),
      onTakenOver: (queues) => queues.forEach((q) => jobs.wake(q)),
    });
    await leases.register();
    // Subscribers read through the background pool and hold the LISTEN connection; commands append
    // through the request pool and wake the local subscribers directly.
    const feed = new PostgresEventStore({ pool: db.backgroundPool, listenUrl: db.url, pollIntervalMs: s.pollIntervalMs });
    // The hash chain follows the committed feed on the background pool; the feed's wake-ups (local
    // appends, other instances' NOTIFY) wake it, its polling only covers a lost notification.
    const chainer = new EventChainer(db.backgroundPool, { pollIntervalMs: s.pollIntervalMs, onError: (e) => log.warn({ err: e.message }, 'extending the event hash chain failed; retrying') });
    const unwatchChain = feed.onAppend(() => chainer.wake());
    const committedListeners = new Set<(events: StoredEvent[]) => void>();
    const store = new PostgresEventStore({
      pool: db.pool,
      onAppended: (events) => {
        feed.wakeSubscribers();
        for (const listener of committedListeners) listener(events);
      },
    });
    let audit: AuditLog | undefined;
    if (s.audit.enabled) {
      const { secret, generated } = auditSecret(s.audit.hmacSecret, s.database.dataDir);
      if (generated) log.warn({ file: `${s.database.dataDir}/audit-secret` }, 'audit.hmac_secret is not set: generated one; back it up with the audit log');
      audit = AuditLog.open(auditFile(s.database.dataDir), secret, serverId);
    } else {
      log.warn('audit.enabled is false: security decisions are not written to the audit log');
    }
    const jobs = new JobQueue({ pool: db.backgroundPool, leaseMs: s.jobLeaseMs, pollIntervalMs: s.jobPollIntervalMs, health, claims: leases, emailRetryLimit: s.email.retryLimit, emailRetryDelayMs: s.email.retryDelayMs, log: (msg, fields) => log.warn(fields ?? {}, msg) });
    const projections = new ProjectionRunner({
      store: feed,
      pool: db.backgroundPool,
      projections: [...ALL_PROJECTIONS, jobDispatcher(jobs, { sendEmail: s.email.send }), ...(audit ? [auditProjection(audit, serverId, (a, b) => store.comparePositions(a, b))] : [])],
      pollIntervalMs: s.pollIntervalMs,
      coalesceMs: 250,
      log: (msg, fields) => log.warn(fields ?? {}, msg),
      health,
    });
    await projections.prepare();
    leases.start();
    const aggregates = createWritePath({ store, serverId, jobs, jobDelayMs: s.jobLeaseMs });
    chainer.start();
    const runtime: Runtime = {
      log,
      serverId,
      audit,
      db,
      store,
      aggregates,
      jobs,
      leases,
      health,
      projections,
      shuttingDown: false,
      onCommitted: (listener) => {
        committedListeners.add(listener);
        return () => committedListeners.delete(listener);
      },
      close: async () => {
        unwatchChain();
        await chainer.stop();
        await leases.stop();
        await projections.stop();
        audit?.close();
        await feed.close();
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

/** The boot settings a configuration gives. */
export function bootSettings(config: Config): BootSettings {
  return {
    database: {
      url: config.database.url,
      migrationUrl: config.database.migration_url,
      dataDir: config.data_dir,
      poolMax: config.database.pool_max,
      backgroundPoolMax: config.database.background_pool_max,
      connectTimeoutMs: config.database.connect_timeout,
      statementTimeoutMs: config.database.statement_timeout,
      idleInTransactionTimeoutMs: config.database.idle_in_transaction_timeout,
      autoSetup: config.database.auto_setup,
    },
    pollIntervalMs: config.eventstore.poll_interval,
    jobPollIntervalMs: config.workers.poll_interval,
    jobLeaseMs: config.workers.lease,
    heartbeatMs: config.workers.heartbeat_interval,
    takeoverAfterMs: config.workers.takeover_after,
    audit: { enabled: config.audit.enabled, hmacSecret: config.audit.hmac_secret },
    email: { send: config.notifications.enabled && config.smtp.enabled, retryLimit: config.notifications.retry_limit, retryDelayMs: config.notifications.retry_delay },
  };
}

/** Boots from a configuration; a one-shot command may override whether migrations are applied. */
export function bootFromConfig(config: Config, log: Logger, overrides: { autoSetup?: boolean } = {}): Promise<Runtime> {
  const settings = bootSettings(config);
  if (overrides.autoSetup !== undefined) settings.database.autoSetup = overrides.autoSetup;
  return boot(settings, log);
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { countExpiringWithin } from '../../projections/certificates/queries';
import { eventCountsByType } from '../../projections/event-counts/queries';
import { QUEUES } from '../jobs/job-queue';
import type { DbPool } from '../db/db';
import type { NodeStatus, PoolView } from './node-status';

/**
 * Prometheus metrics. Business totals (accounts, orders, certificates, validations) are read from
 * the rm_event_counts read model at scrape time, so every instance of a fleet reports the same
 * cluster-wide totals; HTTP, validation and signing timings are this process's own.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'certledger_http_requests_total', help: 'HTTP requests by method and status', labelNames: ['method', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'certledger_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly validationDuration = new Histogram({
    name: 'certledger_validation_duration_seconds',
    help: 'Challenge validation time by type and result',
    labelNames: ['type', 'result'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly signingDuration = new Histogram({ name: 'certledger_signing_duration_seconds', help: 'Certificate signing time', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry] });
  readonly signingErrors = new Counter({ name: 'certledger_ca_signing_errors_total', help: 'CA signing failures', registers: [this.registry] });
  readonly jobs = new Counter({ name: 'certledger_jobs_total', help: 'Background jobs run by queue and result', labelNames: ['queue', 'result'], registers: [this.registry] });
  readonly shed = new Counter({ name: 'certledger_requests_shed_total', help: 'Requests refused with 503 because the database pool was under pressure', labelNames: ['tier'], registers: [this.registry] });
  readonly eventsCommitted = new Counter({ name: 'certledger_events_committed_total', help: 'Events committed by this instance, by type', labelNames: ['type'], registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'certledger_rate_limited_total', help: 'Requests refused by a rate limit, by limit', labelNames: ['limit'], registers: [this.registry] });
  private readonly started = Date.now();

  constructor() {
    // The event-loop lag is sampled every 100 ms, not prom-client's 10 ms: a blocked loop still
    // delays the next sample, and an idle server does not wake 100 times a second to measure it.
    collectDefaultMetrics({ register: this.registry, prefix: 'certledger_process_', eventLoopMonitoringPrecision: 100 });
  }

  /** Gauges and totals read at scrape time from this node and the read models. */
  attach(rt: { db: { pool: DbPool & PoolView; backgroundPool: DbPool & PoolView } } & Pick<NodeStatus, 'projections' | 'jobs'>): void {
    const r = this.registry;
    const started = this.started;
    new Gauge({
      name: 'certledger_uptime_seconds',
      help: 'Seconds since this process started',
      registers: [r],
      aggregator: 'max',
      collect() {
        this.set((Date.now() - started) / 1000);
      },
    });
    const requests = rt.db.pool;
    const pool = rt.db.backgroundPool;
    new Gauge({
      name: 'certledger_db_pool_connections',
      help: 'Database pool connections by pool and state',
      labelNames: ['pool', 'state'],
      registers: [r],
      collect() {
        for (const [name, p] of [['requests', requests], ['background', pool]] as const) {
          this.set({ pool: name, state: 'total' }, p.totalCount);
          this.set({ pool: name, state: 'idle' }, p.idleCount);
          this.set({ pool: name, state: 'waiting' }, p.waitingCount);
        }
      },
    });
    new Gauge({
      name: 'certledger_projection_lag_events',
      // Read from the database: the same value in every worker process, so not summed.
      aggregator: 'first',
      help: 'Events a projection has not applied yet',
      labelNames: ['projection'],
      registers: [r],
      async collect() {
        for (const p of await rt.projections.status()) this.set({ projection: p.name }, p.lag);
      },
    });
    new Gauge({
      name: 'certledger_jobs_pending',
      // Read from the database: the same value in every worker process, so not summed.
      aggregator: 'first',
      help: 'Jobs waiting in each queue',
      labelNames: ['queue'],
      registers: [r],
      async collect() {
        for (const q of Object.values(QUEUES)) this.set({ queue: q }, await rt.jobs.pending(q).catch(() => 0));
      },
    });
    new Gauge({
      name: 'certledger_certificates_expiring',
      // Read from the database: the same value in every worker process, so not summed.
      aggregator: 'first',
      help: 'Unrevoked certificates expiring within N days',
      labelNames: ['within_days'],
      registers: [r],
      async collect() {
        const n = await countExpiringWithin(pool);
        for (const d of ['30', '14', '7'] as const) this.set({ within_days: d }, n[`d${d}`]);
      },
    });
    const totals: Array<[string, string, string[], string?]> = [
      ['certledger_accounts_created_total', 'Accounts created', ['AccountRegistered']],
      ['certledger_accounts_deactivated_total', 'Accounts deactivated', ['AccountDeactivated']],
      ['certledger_account_key_changes_total', 'Account key changes', ['AccountKeyChanged']],
      ['certledger_orders_created_total', 'Orders created', ['OrderCreated']],
      ['certledger_orders_finalized_total', 'Orders finalized', ['OrderFinalizationRequested']],
      ['certledger_certificates_issued_total', 'Certificates issued', ['CertificateIssued']],
      ['certledger_certificates_revoked_total', 'Certificates revoked', ['CertificateRevoked']],
    ];
    const counts = () => eventCountsByType(pool);
    for (const [name, help, types] of totals) {
      new Counter({
        name,
        help: `${help} (cluster-wide, from the event history)`,
        registers: [r],
        aggregator: 'first',
        async collect() {
          const c = await counts();
          this.reset();
          this.inc(types.reduce((n, t) => n + (c.get(t) ?? 0), 0));
        },
      });
    }
    new Counter({
      name: 'certledger_challenges_validated_total',
      // Read from the database: the same value in every worker process, so not summed.
      aggregator: 'first',
      help: 'Challenge validations by result (cluster-wide, from the event history)',
      labelNames: ['result'],
      registers: [r],
      async collect() {
        const c = await counts();
        this.reset();
        this.inc({ result: 'success' }, c.get('ChallengeValidated') ?? 0);
        this.inc({ result: 'failure' }, c.get('ChallengeFailed') ?? 0);
      },
    });
  }
}

import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerMatches } from './secure-compare';
import { ACME_DEPS, type AcmeDeps } from '../commands/acme-deps';
import { CRL_STATUS, type CrlStatus } from '../ca/crl-token';
import { NODE_STATUS, type NodeStatus } from './node-status';
import { checkResolvers, checkSmtp, DEPENDENCY_SETTINGS, type DependencySettings } from './dependency-checks';
import { VERSION } from '../version';

/**
 * /livez: the process answers (no backend checks). /readyz: this instance can serve (database
 * reachable, pool not exhausted, CA loaded, not shutting down). /healthz: every dependency in
 * detail; 503 when a critical one (database, CA) fails or during shutdown; SMTP and DNS are
 * reported but never change the status code. None of them is shed or rate limited.
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(NODE_STATUS) private readonly rt: NodeStatus,
    @Inject(ACME_DEPS) private readonly deps: AcmeDeps,
    @Inject(CRL_STATUS) private readonly crl: CrlStatus | null,
    @Inject(DEPENDENCY_SETTINGS) private readonly deps2: DependencySettings,
  ) {}

  @Get('livez')
  livez(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    return { alive: true, version: VERSION, server_id: this.rt.serverId };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const notReady = (reason: string, extra: Record<string, unknown> = {}) => {
      reply.status(503);
      return { ready: false, reason, ...extra };
    };
    if (this.rt.shuttingDown) return notReady('shutting down');
    const pool = this.poolStats();
    if (pool.available === 0 && pool.waiting > 0 && pool.size >= pool.max) return notReady('connection pool exhausted', { pool });
    const db = await this.pingDatabase();
    if (!db.ok) return notReady(`database unavailable: ${db.error}`);
    // After an outage: ready only once projections, the job queue and the heartbeat reach the database again.
    const resuming = this.rt.health.problems();
    if (resuming.length > 0) return notReady('background work is resuming after a database outage', { components: resuming.map((c) => c.component) });
    const ca = this.caCheck();
    if (ca.status !== 'ok') return notReady(`CA backend: ${ca.detail}`);
    const crl = await this.crlCheck();
    if (crl.status === 'stale') return notReady(`CRL is stale: ${crl.detail}`);
    return { ready: true };
  }

  /** Details go to a caller with the metrics token or from a trusted address; others get the status only. */
  private detailsAllowed(req: FastifyRequest): boolean {
    const access = this.deps2.healthDetails;
    if (!access) return true;
    if (access.token && bearerMatches(req.headers.authorization, access.token)) return true;
    return access.fromAddress(req.ip);
  }

  @Get('healthz')
  async healthz(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const full = await this.healthDetails(reply);
    if (this.detailsAllowed(req)) return full;
    return { status: full.status };
  }

  private async healthDetails(reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const pool = this.poolStats();
    const exhausted = pool.available === 0 && pool.waiting > 0 && pool.size >= pool.max;
    // With an exhausted pool the ping would only queue behind everyone else: report, don't wait.
    const db = exhausted ? ({ ok: false, error: 'pool_exhausted' } as const) : await this.pingDatabase();
    const ca = this.caCheck();
    const projections = db.ok ? await this.rt.projections.status().catch(() => []) : [];
    const pending = db.ok ? await this.pendingJobs() : {};
    const crl = db.ok ? await this.crlCheck() : { status: 'unknown', critical: Boolean(this.crl) };
    const critical = !db.ok || ca.status !== 'ok' || crl.status === 'stale' || this.rt.shuttingDown;
    const degraded = projections.some((p) => p.status === 'failed');
    if (critical) reply.status(503);
    return {
      status: critical ? 'unhealthy' : degraded ? 'degraded' : 'ok',
      version: VERSION,
      server_id: this.rt.serverId,
      shutting_down: this.rt.shuttingDown,
      checks: {
        database: { status: db.ok ? 'ok' : exhausted ? 'pool_exhausted' : 'error', critical: true, ...(db.ok ? {} : { error: db.error }), pool },
        ca_backend: { ...ca, critical: true },
        crl,
        workers: { status: this.rt.jobs.running ? 'ok' : 'stopped', critical: false, pending },
        projections: {
          status: degraded ? 'error' : 'ok',
          critical: false,
          items: projections.map((p) => ({ name: p.name, status: p.status, lag: p.lag, ...(p.error ? { error: p.error } : {}) })),
        },
        smtp: await checkSmtp(this.deps2.smtp),
        dns_resolver: await checkResolvers(this.deps2.resolvers),
      },
    };
  }

  /** Stale: older than twice the refresh interval, or none yet one interval after start. */
  private async crlCheck(): Promise<{ status: string; critical: boolean; detail?: string; crl_number?: string; this_update?: string; next_update?: string }> {
    if (!this.crl) return { status: 'disabled', critical: false };
    const current = await this.crl.builder.current().catch(() => null);
    const now = Date.now();
    const refresh = this.crl.settings.refreshMs;
    if (!current) {
      const grace = now - this.crl.startedAt.getTime() < refresh;
      return { status: grace ? 'pending' : 'stale', critical: true, detail: 'no CRL has been built yet' };
    }
    const age = now - current.thisUpdate.getTime();
    const info = { crl_number: current.crlNumber.toString(), this_update: current.thisUpdate.toISOString(), next_update: current.nextUpdate.toISOString() };
    if (age > 2 * refresh) return { status: 'stale', critical: true, detail: `built ${Math.round(age / 1000)} s ago (refresh every ${Math.round(refresh / 1000)} s)`, ...info };
    return { status: 'ok', critical: true, ...info };
  }

  private poolStats() {
    const p = this.rt.db.pool;
    return { size: p.totalCount, available: p.idleCount, waiting: p.waitingCount, max: p.options.max ?? 10 };
  }

  private caCheck(): { status: 'ok' | 'error'; backend: string; detail?: string; not_after?: string } {
    try {
      return { status: 'ok', backend: this.deps.ca.name, ...this.deps.ca.health() };
    } catch (e) {
      return { status: 'error', backend: this.deps.ca.name, detail: (e as Error).message };
    }
  }

  private async pendingJobs(): Promise<Record<string, number>> {
    try {
      return await this.rt.jobs.pendingByQueue();
    } catch {
      return {};
    }
  }

  private async pingDatabase(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await this.rt.db.pool.query('SELECT 1');
      return { ok: true };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
}
